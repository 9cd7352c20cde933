"""Scheduled reports mailed by real processes: ``db_worker`` and ``manage.py reports_dispatch`` over a scratch
database, through Django's SMTP backend to a real SMTP server in the test process (``tests.mail_server``).

The schedules are made in the system's database by one ``manage.py shell`` snippet, each with an occurrence
earlier today (a period that has not started yet is refused) and made due at once.
"""

import json
import os
import re
import signal
import threading
from collections import Counter

import pytest

from tests.mail_server import MailServer
from tests.system import running_system, wait_until

pytestmark = pytest.mark.e2e

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
MESSAGE_ID = re.compile(r"<schedule-delivery-(\d+)\.[0-9a-f]{12}@[^>]+>")

# Two people allowed VISIT_TRENDS, and ``count`` daily schedules at 00:00 UTC since three days ago of last
# week's visit trends as CSV to both, sent even when the week is empty (the test database has no visits),
# made due now: each one's latest occurrence is today at 00:00.
MAKE_SCHEDULES = """
import datetime as dt
import json
from django.contrib.auth.models import Group, User
from django.utils import timezone
from reports.models import Frequency, ReportPreset, ReportSchedule, ReportTemplate
from reports.services import scheduling

def person(name, role):
    user = User.objects.create_user(name, email=f"{{name}}@clinic.example")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user

owner, nurse = person("director", "DOCTOR"), person("headnurse", "NURSE")
preset = ReportPreset.objects.create(
    owner=owner,
    name="Weekly visits",
    template=ReportTemplate.objects.get(report_type="VISIT_TRENDS"),
    relative_period="previous_week",
    export_format="CSV",
)
now = timezone.now()
ids = []
for _ in range({count}):
    schedule = ReportSchedule(
        owner=owner,
        preset=preset,
        frequency=Frequency.DAILY,
        local_time=dt.time(0),
        time_zone="UTC",
        starts_on=timezone.localdate(now, dt.UTC) - dt.timedelta(days=3),
        skip_empty=False,
    )
    ids.append(scheduling.save_schedule(schedule, by=owner, recipients=[owner, nurse]).pk)
ReportSchedule.objects.filter(pk__in=ids).update(next_run_at=now - dt.timedelta(minutes=1))
print(json.dumps({{"schedules": ids, "recipients": [owner.email, nurse.email]}}))
"""
# What the runs and mails came to, read by the system's own code (a delivery's Message-ID included).
OUTCOME = """
import json
from reports.models import GeneratedReport, ScheduleDelivery, ScheduleRun
print(json.dumps({
    "runs": [
        {"pk": run.pk, "schedule": run.schedule_id, "outcome": run.outcome, "report": run.report_id}
        for run in ScheduleRun.objects.order_by("pk")
    ],
    "reports": list(GeneratedReport.objects.order_by("pk").values_list("pk", "status")),
    "deliveries": [
        {
            "pk": each.pk,
            "run": each.run_id,
            "schedule": each.run.schedule_id,
            "kind": each.kind,
            "email": each.recipient.email,
            "status": each.status,
            "attempts": each.attempts,
            "message_id": each.message_id,
        }
        for each in ScheduleDelivery.objects.select_related("run", "recipient").order_by("pk")
    ],
}))
"""


def mail_env(server, **more):
    """The environment that sends the system's mail to ``server``."""
    return {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_USE_TLS": "0",
        "EMAIL_USE_SSL": "0",
        "SITE_URL": "https://reports.clinic.example",
        **more,
    }


def make_schedules(system, count):
    return json.loads(system.manage("shell", "--verbosity=0", "-c", MAKE_SCHEDULES.format(count=count)).stdout)


def outcome(system):
    return json.loads(system.manage("shell", "--verbosity=0", "-c", OUTCOME).stdout)


def delivery_statuses(system):
    """{email: status} of the report mails."""
    sql = (
        "SELECT u.email, d.status FROM reports_scheduledelivery d JOIN auth_user u ON u.id = d.recipient_id"
        " WHERE d.kind = 'REPORT'"
    )
    return dict(system.query(sql))


def test_a_worker_killed_between_sending_and_recording_sends_at_most_one_duplicate_with_the_same_message_id(
    tmp_path,
):
    with (
        MailServer() as server,
        running_system(
            tmp_path, **mail_env(server, REPORT_DISPATCH_SECONDS="1", REPORT_DELIVERY_CLAIM_SECONDS="2")
        ) as system,
    ):
        setup = make_schedules(system, 1)
        server.hold()
        worker = system.start_worker()
        assert server.held.wait(60), "the worker sent no mail"
        [held] = server.received
        [held_address] = held.recipients
        [other_address] = set(setup["recipients"]) - {held_address}
        worker.send_signal(signal.SIGKILL)  # it never hears that the server took the mail
        worker.wait()
        server.release()
        assert delivery_statuses(system) == {held_address: "SENDING", other_address: "PENDING"}

        system.start_worker()  # sends the other mail, then the held one again once its claim lapses
        wait_until(
            lambda: delivery_statuses(system) == {held_address: "SENT", other_address: "SENT"},
            what="both mails to be recorded sent",
        )
        done = outcome(system)

    assert len(server.received) == 3
    copies = server.to(held_address)
    assert len(copies) == 2 and copies[0].message["Message-ID"] == copies[1].message["Message-ID"]
    assert len(server.to(other_address)) == 1
    by_email = {each["email"]: each for each in done["deliveries"]}
    assert {each["kind"] for each in done["deliveries"]} == {"REPORT"}  # no notice to the owner
    assert (by_email[held_address]["attempts"], by_email[other_address]["attempts"]) == (2, 1)
    for received in server.received:
        [address] = received.recipients
        assert received.message["To"] == address
        assert received.message["Message-ID"] == by_email[address]["message_id"]
        assert MESSAGE_ID.fullmatch(received.message["Message-ID"]).group(1) == str(by_email[address]["pk"])

    [run] = done["runs"]
    assert run["schedule"] == setup["schedules"][0] and run["outcome"] == "SENT"
    assert done["reports"] == [[run["report"], "COMPLETED"]]  # one report, made once
    assert {each["run"] for each in done["deliveries"]} == {run["pk"]}


@pytest.mark.slow
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent dispatchers with row locks (PostgreSQL)")
def test_three_workers_and_cron_dispatch_together_fire_each_of_50_schedules_once_and_mail_each_recipient_once(
    tmp_path,
):
    count = 50
    with MailServer() as server, running_system(tmp_path, **mail_env(server, REPORT_DISPATCH_SECONDS="1")) as system:
        setup = make_schedules(system, count)
        workers = [system.start_worker() for _ in range(3)]
        stop, cron_runs = threading.Event(), []

        def cron():
            while not stop.is_set():
                cron_runs.append(system.manage("reports_dispatch", check=False))

        crons = [threading.Thread(target=cron, name=f"cron-{n}") for n in range(2)]
        for thread in crons:
            thread.start()
        try:
            settled = "SELECT COUNT(*) FROM reports_schedulerun WHERE settled_at IS NOT NULL"
            sent = "SELECT status, COUNT(*) FROM reports_scheduledelivery GROUP BY status"
            wait_until(
                lambda: system.query(settled) == [(count,)] and system.query(sent) == [("SENT", 2 * count)],
                timeout=120,
                what="every run settled and every mail sent",
            )
        finally:
            stop.set()
            for thread in crons:
                thread.join(timeout=60)
        for worker in workers:  # nothing is left in flight when the mails are counted
            system.stop_process(worker)
        done = outcome(system)

    assert cron_runs and all(run.returncode == 0 for run in cron_runs), [run.stderr for run in cron_runs]
    assert all("scheduled report(s) requested" in run.stdout for run in cron_runs)
    runs = done["runs"]
    assert len(runs) == count
    assert sorted(run["schedule"] for run in runs) == sorted(setup["schedules"])  # each schedule fired once
    assert {run["outcome"] for run in runs} == {"SENT"}
    assert len(done["reports"]) == count and {status for _, status in done["reports"]} == {"COMPLETED"}
    assert sorted(run["report"] for run in runs) == [pk for pk, _ in done["reports"]]

    deliveries = {each["message_id"]: each for each in done["deliveries"]}
    assert len(deliveries) == 2 * count and {each["kind"] for each in deliveries.values()} == {"REPORT"}
    assert Counter(each["run"] for each in deliveries.values()) == {run["pk"]: 2 for run in runs}  # none without

    assert len(server.received) == 2 * count
    message_ids = [received.message["Message-ID"] for received in server.received]
    assert len(set(message_ids)) == 2 * count  # no mail sent twice
    assert set(message_ids) == set(deliveries)  # each of a distinct delivery
    pairs = set()
    for received in server.received:
        delivery = deliveries[received.message["Message-ID"]]
        assert received.recipients == [delivery["email"]]
        pairs.add((delivery["schedule"], delivery["email"]))
    assert pairs == {(schedule, email) for schedule in setup["schedules"] for email in setup["recipients"]}
