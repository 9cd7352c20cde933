"""Scheduled reports by mail, through Django's SMTP backend to a real SMTP server (aiosmtpd) in the test process.

Each test walks dispatch as the workers do: the occurrence requests its report, the report is
generated for real, and the next dispatch settles the run and sends its mails.
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from pypdf import PdfReader

from reports import mail
from reports.models import (
    DeliveryKind,
    DeliveryStatus,
    Frequency,
    GeneratedReport,
    ReportAccessEvent,
    ReportPreset,
    ReportSchedule,
    ReportStatus,
    ReportTemplate,
    RunOutcome,
    RunTrigger,
    ScheduleAction,
    ScheduleDelivery,
    ScheduleEvent,
    ScheduleRun,
)
from reports.services import generating, scheduling
from reports.tasks import generate_report
from tests.mail_server import MailServer, smtp_settings
from tests.system import free_port

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# The schedule's first occurrence: a Monday in the past, so that later weeks' periods are past too
# (a period that has not started yet is refused, whatever moment it is resolved at).
MONDAY = dt.datetime(2026, 10, 5, 7, tzinfo=NEW_YORK)
MARKERS = ("Zebulon", "Quigglesworth", "P474747")  # a patient's name and number: never in a mail


def minutes(n):
    return dt.timedelta(minutes=n)


def about(moment, expected):
    """``moment`` is ``expected`` give or take the seconds the steps before took (dispatch's clock runs)."""
    return expected <= moment < expected + dt.timedelta(seconds=5)


@pytest.fixture
def server(settings):
    with MailServer() as server:
        smtp_settings(settings, server)
        settings.SITE_URL = "https://reports.clinic.example"
        yield server


@pytest.fixture(autouse=True)
def report_files(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def owner(make_user):
    return make_user("DOCTOR", username="director")


@pytest.fixture
def nurse(make_user):
    return make_user("NURSE", username="headnurse")


@pytest.fixture(autouse=True)
def addresses(owner, nurse):
    for user in (owner, nurse):
        user.email = f"{user.username}@clinic.example"
        user.save()


@pytest.fixture
def visits(make_patient, make_medical_visit):
    """Visits in the week before the first occurrence, of a patient whose name and number are markers."""
    patient = make_patient(first_name=MARKERS[0], last_name=MARKERS[1], patient_number=MARKERS[2])
    for days_before in (5, 6, 7):
        make_medical_visit(patient, MONDAY - dt.timedelta(days=days_before), diagnosis="J06.9")


def weekly(owner, recipients, *, suppress=None, **fields):
    """Mondays at 07:00 New York: last week's visit trends as PDF, to ``recipients``."""
    preset = ReportPreset.objects.create(
        owner=owner,
        name=f"Weekly visits {ReportPreset.objects.count()}",
        template=ReportTemplate.objects.get(report_type="VISIT_TRENDS"),
        relative_period="previous_week",
        export_format="PDF",
        suppress_small_counts=suppress,
    )
    schedule = ReportSchedule(
        owner=owner,
        preset=preset,
        frequency=Frequency.WEEKLY,
        weekdays=[0],
        local_time=dt.time(7),
        time_zone="America/New_York",
        **fields,
    )
    return scheduling.save_schedule(schedule, by=owner, recipients=recipients, now=MONDAY - dt.timedelta(days=4))


def generate_pending():
    for pk in GeneratedReport.objects.filter(status=ReportStatus.PENDING).values_list("pk", flat=True):
        generating.run_report(pk)


def occur(now):
    """One occurrence as the workers run it: dispatch, generate, dispatch (settle and send)."""
    scheduling.dispatch(now)
    generate_pending()
    return scheduling.dispatch(now)


def fail_pending(message="The report's data could not be read. Ask an administrator."):
    """The requested reports fail, as a worker records a failure (the failure itself is tested elsewhere)."""
    GeneratedReport.objects.filter(status=ReportStatus.PENDING).update(
        status=ReportStatus.FAILED, error_message=message
    )


# --- what a mail holds -------------------------------------------------------------------------------


def test_each_recipient_gets_one_mail_naming_the_report_and_period_and_linking_behind_the_login(
    server, owner, nurse, visits
):
    schedule = weekly(owner, [owner, nurse])
    done = occur(MONDAY + minutes(1))
    assert done["mails"] == 2
    run = ScheduleRun.objects.get()
    assert run.outcome == RunOutcome.SENT and about(run.settled_at, MONDAY + minutes(1))
    template = schedule.preset.template
    for user in (owner, nurse):
        [received] = server.to(user.email)
        message = received.message
        delivery = ScheduleDelivery.objects.get(recipient=user)
        assert received.recipients == [user.email]  # one mail per recipient, no CC
        assert (message["To"], message["Cc"]) == (user.email, None)
        assert message["Subject"] == f"{template.name}: Previous week (Monday to Sunday), 2026-09-28 to 2026-10-04"
        assert message["Message-ID"] == delivery.message_id
        unsubscribe = mail.unsubscribe_url(schedule.pk, user.pk)
        assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"  # folded: it is long
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        body = message.get_body().get_content()
        assert f"https://reports.clinic.example/reports?report={run.report_id}" in body
        assert "not attached" in body and unsubscribe in body
        assert not received.attachments
        assert not [marker for marker in MARKERS if marker.encode() in received.raw]
        assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    sent = ScheduleEvent.objects.filter(action=ScheduleAction.DELIVERY, outcome="Sent")
    assert sorted(sent.values_list("username", flat=True)) == ["director", "headnurse"]
    assert occur(MONDAY + minutes(5))["mails"] == 0
    assert len(server.received) == 2


@pytest.mark.parametrize(
    ("attach", "suppress", "limit", "says"),
    [
        (False, True, 10_000_000, "not attached to mails"),
        (True, False, 10_000_000, "small counts are not hidden"),
        (True, True, 100, "larger than"),
        (True, True, 10_000_000, "The file is attached; small counts are hidden in it."),
    ],
)
def test_the_file_is_attached_only_with_small_counts_hidden_and_under_the_limit(
    server, settings, owner, visits, attach, suppress, limit, says
):
    settings.REPORT_EMAIL_MAX_BYTES = limit
    weekly(owner, [owner], suppress=suppress, attach_file=attach)
    occur(MONDAY + minutes(1))
    [received] = server.received
    assert says in received.message.get_body().get_content()
    attached = received.attachments
    if says.startswith("The file is attached"):
        [file] = attached
        assert file.get_content_type() == "application/pdf"
        assert file.get_filename().endswith(".pdf") and file.get_content().startswith(b"%PDF-")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(file.get_content())).pages)
        assert "Total visits" in text and not [marker for marker in MARKERS if marker in text]
    else:
        assert attached == []


def test_the_worker_mails_a_scheduled_report_as_soon_as_it_is_done(server, owner, visits):
    weekly(owner, [owner])
    scheduling.dispatch(MONDAY + minutes(1))
    assert server.received == []
    generate_report.call(GeneratedReport.objects.get().pk)  # as the worker runs the task
    assert [each.recipients for each in server.received] == [[owner.email]]
    assert ScheduleRun.objects.get().outcome == RunOutcome.SENT


# --- the mail server failing ---------------------------------------------------------------------------


def test_a_mail_server_down_then_refusing_is_retried_and_the_mail_delivered_once(server, settings, owner, visits):
    weekly(owner, [owner])
    settings.EMAIL_PORT = free_port()  # nothing listens there: connection refused
    start = MONDAY + minutes(1)
    occur(start)
    delivery = ScheduleDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "could not be reached" in delivery.detail and about(delivery.next_attempt_at, start + minutes(1))

    settings.EMAIL_PORT = server.port
    assert scheduling.dispatch(start + minutes(0.5))["mails"] == 0  # still waiting
    server.refuse("451 4.3.0 Try again later")
    scheduling.dispatch(start + minutes(1.5))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.detail) == (
        DeliveryStatus.PENDING,
        2,
        "Attempt 2 failed: the mail server answered 451; trying again.",
    )
    server.refuse("554 5.3.0 Transaction failed")
    scheduling.dispatch(start + minutes(4))  # attempt 2 waits 2 minutes
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and about(delivery.next_attempt_at, start + minutes(8))  # attempt 3 waits 4
    assert server.received == []

    assert scheduling.dispatch(start + minutes(8.5))["mails"] == 1
    assert scheduling.dispatch(start + minutes(120))["mails"] == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.detail) == (DeliveryStatus.SENT, 4, "")
    assert len(server.to(owner.email)) == 1
    outcomes = ScheduleEvent.objects.filter(action=ScheduleAction.DELIVERY).order_by("id")
    assert [event.outcome[:9] for event in outcomes] == ["Attempt 1", "Attempt 2", "Attempt 3", "Sent"]


def test_a_recipient_the_mail_server_refuses_is_told_apart_from_a_server_out_of_reach(server, owner, visits):
    weekly(owner, [owner])
    server.refused_recipients.add(owner.email)
    occur(MONDAY + minutes(1))
    delivery = ScheduleDelivery.objects.get()
    assert (delivery.status, delivery.detail) == (
        DeliveryStatus.PENDING,
        "Attempt 1 failed: the mail server refused it; trying again.",
    )
    assert server.received == []


def test_a_mail_the_server_never_takes_fails_after_the_last_attempt(server, settings, owner, visits):
    settings.REPORT_DELIVERY_ATTEMPTS = 2
    weekly(owner, [owner])
    server.refuse("550 5.1.1 Mailbox unavailable", times=2)
    occur(MONDAY)
    scheduling.dispatch(MONDAY + minutes(1.5))
    delivery = ScheduleDelivery.objects.get()
    assert (delivery.status, delivery.detail) == (
        DeliveryStatus.FAILED,
        "Not sent after 2 attempts: the mail server answered 550.",
    )
    assert scheduling.dispatch(MONDAY + minutes(600))["mails"] == 0 and server.received == []


# --- the report failing ---------------------------------------------------------------------------------


def test_a_failing_report_is_retried_then_told_to_the_owner_once_and_pauses_the_schedule_after_the_limit(
    server, settings, owner, nurse
):
    schedule = weekly(owner, [owner, nurse])
    for week in range(3):
        start = MONDAY + dt.timedelta(weeks=week)
        for wait in (0, 1.5, 4):  # three attempts: at once, then after 1 and 2 more minutes
            scheduling.dispatch(start + minutes(wait))
            fail_pending()
            scheduling.dispatch(start + minutes(wait))
        run = ScheduleRun.objects.get(occurrence_at=start)
        assert (run.outcome, run.attempts) == (RunOutcome.FAILED, 3), run.message
        assert run.message.startswith("The report failed 3 times. The report's data could not be read.")
        assert len(server.to(owner.email)) == week + 1  # one notice per failed occurrence
    assert GeneratedReport.objects.filter(status=ReportStatus.FAILED).count() == 9
    assert server.to(nurse.email) == []  # recipients are told nothing
    assert not ScheduleDelivery.objects.filter(kind=DeliveryKind.REPORT).exists()
    schedule.refresh_from_db()
    assert (schedule.is_active, schedule.next_run_at, schedule.consecutive_failures) == (False, None, 3)
    assert "paused itself after 3 failed runs" in schedule.paused_reason
    [first, *_, last] = [each.message for each in server.to(owner.email)]
    assert first["Subject"] == f"Scheduled report failed: {schedule.preset.template.name}"
    assert "paused itself" not in first.get_body().get_content()
    assert "paused itself" in last.get_body().get_content()
    assert scheduling.dispatch(MONDAY + dt.timedelta(weeks=3)) == {
        "occurrences": 0,
        "retries": 0,
        "settled": 0,
        "mails": 0,
    }


def test_a_report_that_succeeds_on_a_retry_is_sent_and_clears_the_failures(server, owner, visits):
    schedule = weekly(owner, [owner])
    ReportSchedule.objects.filter(pk=schedule.pk).update(consecutive_failures=2)
    scheduling.dispatch(MONDAY)
    fail_pending()
    scheduling.dispatch(MONDAY)
    occur(MONDAY + minutes(1.5))
    run = ScheduleRun.objects.get()
    assert (run.outcome, run.attempts) == (RunOutcome.SENT, 2)
    assert [each.message["Subject"][:12] for each in server.received] == ["Visit trends"[:12]]
    schedule.refresh_from_db()
    assert schedule.consecutive_failures == 0 and schedule.is_active


def test_a_recipient_whose_role_no_longer_allows_the_report_is_skipped_and_the_owner_told(server, owner, nurse, visits):
    weekly(owner, [owner, nurse])
    nurse.groups.set([Group.objects.get_or_create(name="STUDENT_ASSISTANT")[0]])
    occur(MONDAY + minutes(1))
    assert server.to(nurse.email) == []
    skipped = ScheduleDelivery.objects.get(recipient=nurse)
    assert (skipped.status, skipped.detail) == (DeliveryStatus.SKIPPED, scheduling.NO_ROLE)
    subjects = sorted(each.message["Subject"] for each in server.to(owner.email))
    assert len(subjects) == 2 and subjects[0].startswith("Scheduled report: recipients skipped")
    notice = next(each for each in server.to(owner.email) if "skipped" in each.message["Subject"])
    assert f"headnurse: {scheduling.NO_ROLE}" in notice.message.get_body().get_content()


def test_a_mail_waiting_for_a_retry_is_not_sent_to_whom_left_the_schedule_or_lost_the_role(
    server, settings, owner, nurse, make_user, visits
):
    dentist = make_user("DENTIST", username="dentist")
    dentist.email = "dentist@clinic.example"
    dentist.save()
    schedule = weekly(owner, [nurse, dentist])
    settings.EMAIL_PORT = free_port()  # the server is down when the mails are first tried
    occur(MONDAY + minutes(1))
    assert set(ScheduleDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.PENDING}
    schedule.recipients.remove(nurse)
    dentist.groups.set([Group.objects.get_or_create(name="STUDENT_ASSISTANT")[0]])
    settings.EMAIL_PORT = server.port
    scheduling.dispatch(MONDAY + minutes(5))
    assert server.to(nurse.email) == [] and server.to(dentist.email) == []
    details = dict(
        ScheduleDelivery.objects.filter(kind=DeliveryKind.REPORT).values_list("recipient__username", "detail")
    )
    assert details == {"headnurse": scheduling.UNSUBSCRIBED, "dentist": scheduling.NO_ROLE}
    scheduling.dispatch(MONDAY + minutes(6))  # the notice, made while sending, goes with the next pass
    [notice] = server.to(owner.email)  # one notice, naming both
    body = notice.message.get_body().get_content()
    assert f"headnurse: {scheduling.UNSUBSCRIBED}" in body and f"dentist: {scheduling.NO_ROLE}" in body


def test_a_report_deleted_before_its_mail_went_out_is_not_sent_and_the_owner_told(
    server, settings, owner, nurse, visits
):
    weekly(owner, [nurse])
    settings.EMAIL_PORT = free_port()
    occur(MONDAY + minutes(1))
    ScheduleRun.objects.get().report.delete()
    settings.EMAIL_PORT = server.port
    scheduling.dispatch(MONDAY + minutes(5))
    scheduling.dispatch(MONDAY + minutes(6))
    assert server.to(nurse.email) == []
    assert ScheduleDelivery.objects.get(recipient=nurse).detail == scheduling.REPORT_DELETED
    [notice] = server.to(owner.email)
    assert f"headnurse: {scheduling.REPORT_DELETED}" in notice.message.get_body().get_content()


def test_a_schedule_that_pauses_itself_while_dispatched_has_no_next_run(server, settings, owner):
    schedule = weekly(owner, [owner])
    ReportSchedule.objects.filter(pk=schedule.pk).update(consecutive_failures=settings.REPORT_SCHEDULE_MAX_FAILURES - 1)
    ReportPreset.objects.filter(pk=schedule.preset_id).update(filters={"ward": "north"})  # it cannot run
    scheduling.dispatch(MONDAY + minutes(1))
    schedule.refresh_from_db()
    assert (schedule.is_active, schedule.next_run_at) == (False, None)
    assert ScheduleRun.objects.get().outcome == RunOutcome.NOT_RUNNABLE


def test_a_test_run_whose_requester_was_deleted_settles_and_does_not_hold_up_the_others(
    server, owner, nurse, make_user, visits
):
    colleague = make_user("DOCTOR")
    schedule = weekly(owner, [nurse])
    scheduling.send_now(schedule, by=colleague, test=True, now=MONDAY)
    scheduling.dispatch(MONDAY + minutes(1))  # the scheduled occurrence, after the test
    generate_pending()
    colleague.delete()
    scheduling.dispatch(MONDAY + minutes(2))
    settled = dict(ScheduleRun.objects.values_list("trigger", "settled_at"))
    assert set(settled) == {RunTrigger.TEST, RunTrigger.SCHEDULED} and None not in settled.values()
    assert [each.recipients for each in server.received] == [[nurse.email]]


def test_deleting_a_preset_deletes_its_schedules_and_the_trail_says_so(owner, nurse):
    schedule = weekly(owner, [nurse])
    schedule.preset.delete()
    assert not ReportSchedule.objects.exists()
    deleted = ScheduleEvent.objects.get(schedule_id=schedule.pk, action=ScheduleAction.DELETED)
    assert deleted.outcome == "Deleted with its preset or its owner's account"


def test_the_schedules_of_a_deactivated_owner_do_not_run(server, owner, nurse):
    weekly(owner, [nurse])
    owner.is_active = False
    owner.save()
    assert scheduling.dispatch(MONDAY + minutes(1))["occurrences"] == 0
    assert not ScheduleRun.objects.exists()


def test_an_empty_report_sends_nothing_when_the_schedule_says_so(server, owner, nurse):
    weekly(owner, [owner, nurse], skip_empty=True)
    occur(MONDAY + minutes(1))
    run = ScheduleRun.objects.get()
    assert (run.outcome, run.report.record_count) == (RunOutcome.EMPTY, 0)
    assert server.received == [] and not ScheduleDelivery.objects.exists()


def test_send_a_test_mails_only_its_requester_and_send_now_everyone_even_while_paused(server, owner, nurse, visits):
    schedule = weekly(owner, [nurse], is_active=False, skip_empty=False)  # now: a week with no visits
    scheduling.send_now(schedule, by=owner, test=True)
    generate_pending()
    scheduling.dispatch()
    [test] = server.received
    assert test.recipients == [owner.email] and test.message["Subject"].startswith("[Test] ")
    scheduling.send_now(schedule, by=owner)
    generate_pending()
    scheduling.dispatch()
    assert [each.recipients for each in server.received[1:]] == [[nurse.email]]
    triggers = list(ScheduleRun.objects.order_by("id").values_list("trigger", flat=True))
    assert triggers == [RunTrigger.TEST, RunTrigger.SEND_NOW]


# --- unsubscribing ------------------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_then_removes_that_recipient_from_that_schedule(server, owner, nurse, visits):
    schedule = weekly(owner, [owner, nurse])
    other = weekly(owner, [nurse])
    occur(MONDAY + minutes(1))
    received = server.to(nurse.email)[0]
    link = received.message["List-Unsubscribe"].strip().strip("<>")
    path = link.removeprefix("https://reports.clinic.example")
    browser = Client(enforce_csrf_checks=True)  # no login, no CSRF token: the signed link is enough
    page = browser.get(path)
    assert page.status_code == 200 and b"Stop sending it to me" in page.content
    assert nurse in schedule.recipients.all()  # asking removes nothing
    one_click = browser.post(path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200 and b"You will not receive it again" in one_click.content
    target = mail.unsubscribe_target(path.rsplit("/", 1)[1])
    unsubscribed = ReportSchedule.objects.get(pk=target[0])
    assert nurse not in unsubscribed.recipients.all()
    still = other if unsubscribed == schedule else schedule
    assert nurse in still.recipients.all()  # only that schedule
    assert ScheduleEvent.objects.filter(action=ScheduleAction.UNSUBSCRIBED, username="headnurse").count() == 1
    assert browser.post(path).status_code == 200  # again: nothing to do, said plainly
    assert browser.get(path[:-3] + "abc").status_code == 404  # a token this site did not sign


# --- the recipient's access --------------------------------------------------------------------------


def test_a_recipient_may_open_and_download_the_mailed_report_but_not_delete_it(server, owner, nurse, make_user, visits):
    weekly(owner, [nurse])
    occur(MONDAY + minutes(1))
    report = ScheduleRun.objects.get().report
    reader = Client()
    reader.force_login(nurse)
    listed = reader.get("/api/reports/generated/").json()["results"]
    assert [(each["id"], each["received"]) for each in listed] == [(report.pk, True)]
    download = reader.get(f"/api/reports/generated/{report.pk}/download/")
    assert download.status_code == 200 and download.getvalue().startswith(b"%PDF-")
    assert ReportAccessEvent.objects.filter(username="headnurse", action="DOWNLOAD", outcome="SERVED").count() == 1
    assert reader.get(f"/api/reports/generated/{report.pk}/preview/").status_code == 200
    assert reader.delete(f"/api/reports/generated/{report.pk}/").status_code == 404
    assert GeneratedReport.objects.filter(pk=report.pk).exists()

    stranger = Client()
    stranger.force_login(make_user("NURSE"))
    assert stranger.get(f"/api/reports/generated/{report.pk}/download/").status_code == 404
    nurse.groups.set([Group.objects.get_or_create(name="STUDENT_ASSISTANT")[0]])
    reader.force_login(nurse)
    assert reader.get(f"/api/reports/generated/{report.pk}/").status_code == 403  # no role that uses reports


def test_a_recipient_keeps_a_mailed_report_after_unsubscribing_and_loses_it_when_the_schedule_is_deleted(
    server, owner, nurse, visits
):
    schedule = weekly(owner, [nurse])
    occur(MONDAY + minutes(1))
    report = ScheduleRun.objects.get().report
    reader = Client()
    reader.force_login(nurse)
    assert scheduling.unsubscribe(schedule.pk, nurse.pk)
    assert reader.get(f"/api/reports/generated/{report.pk}/").status_code == 200  # the mail they had still opens
    scheduling.delete_schedule(schedule, by=owner)
    assert reader.get(f"/api/reports/generated/{report.pk}/").status_code == 404
    assert GeneratedReport.objects.filter(pk=report.pk, generated_by=owner).exists()  # still the owner's


def test_the_mails_link_opens_the_reports_page_after_the_login(server, owner, nurse, visits):
    weekly(owner, [nurse])
    occur(MONDAY + minutes(1))
    report_id = ScheduleRun.objects.get().report_id
    link = f"/reports?report={report_id}"
    login = Client().get(link)
    assert login.status_code == 302 and login["Location"].startswith("/accounts/login/")
    assert f"next=/reports%3Freport%3D{report_id}" in login["Location"]


def test_admin_shows_runs_with_their_mails_and_the_schedules_trail_read_only(
    server, owner, nurse, visits, admin_client
):
    weekly(owner, [owner, nurse])
    occur(MONDAY + minutes(1))
    run = ScheduleRun.objects.get()
    page = admin_client.get(f"/admin/reports/schedulerun/{run.pk}/change/")
    assert page.status_code == 200 and b"headnurse" in page.content and b"Sent" in page.content
    assert admin_client.get("/admin/reports/scheduledelivery/").status_code == 200
    trail = admin_client.get("/admin/reports/scheduleevent/")
    assert trail.status_code == 200 and b"director" in trail.content
    event = ScheduleEvent.objects.first()
    assert admin_client.post(f"/admin/reports/scheduleevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ScheduleEvent.objects.filter(pk=event.pk).exists()
