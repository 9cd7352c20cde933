"""The schedules API: making, checking and changing a schedule, pausing it, running it now, its runs."""

import datetime as dt
import json

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from reports.models import (
    GeneratedReport,
    ReportPreset,
    ReportSchedule,
    ReportStatus,
    ReportTemplate,
    RunTrigger,
    ScheduleAction,
    ScheduleEvent,
    ScheduleRun,
)
from reports.services import generating, scheduling
from tests.mail_server import MailServer, smtp_settings

pytestmark = pytest.mark.django_db

SCHEDULES = "/api/reports/schedules/"


def addressed(user):
    user.email = f"{user.username}@clinic.example"
    user.save()
    return user


@pytest.fixture
def doctor(make_user):
    """The caller (conftest's ``api`` logs them in), with an address."""
    return addressed(make_user("DOCTOR", username="director"))


@pytest.fixture
def nurse(make_user):
    return addressed(make_user("NURSE", username="headnurse"))


@pytest.fixture
def preset(doctor):
    return ReportPreset.objects.create(
        owner=doctor,
        name="Last week's visits",
        template=ReportTemplate.objects.get(report_type="VISIT_TRENDS"),
        relative_period="previous_week",
        export_format="PDF",
    )


def weekly(preset, **fields):
    return {"preset": preset.pk, "frequency": "WEEKLY", "weekdays": [3, 0], "local_time": "07:00", **fields}


def test_a_schedule_is_made_with_its_next_run_in_its_zone_and_audited(api, preset, nurse, doctor):
    response = api.post(SCHEDULES, weekly(preset, recipients=[nurse.pk, doctor.pk]), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["description"] == "Every Monday and Thursday at 07:00 (Asia/Manila)"
    assert body["weekdays"] == [0, 3] and body["month_day"] is None and body["time_zone"] == "Asia/Manila"
    assert body["is_active"] and body["last_run"] is None
    assert sorted(person["name"] for person in body["recipient_people"]) == ["director", "headnurse"]
    schedule = ReportSchedule.objects.get()
    assert schedule.owner == doctor and schedule.next_run_at > timezone.now()
    local = schedule.next_run_at.astimezone(schedule.zone)
    assert (local.weekday() in (0, 3), f"{local:%Y-%m-%d %H:%M}") == (True, body["next_run_local"])
    event = ScheduleEvent.objects.get()
    assert (event.schedule_id, event.action, event.username) == (schedule.pk, ScheduleAction.CREATED, "director")


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"weekdays": []}, "weekdays", "Choose one or more weekdays"),
        ({"weekdays": [7]}, "weekdays", "less than or equal to 6"),
        ({"frequency": "MONTHLY"}, "month_day", "A monthly schedule has a day of the month"),
        ({"frequency": "MONTHLY", "weekdays": [], "month_day": 32}, "month_day", "less than or equal to 31"),
        ({"frequency": "HOURLY"}, "frequency", "not a valid choice"),
        ({"local_time": "7am"}, "local_time", "Time has wrong format"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Mars/Olympus"),
        ({"attach_file": True}, "attach_file", "only when its small counts are hidden"),
        ({"attach_file": "yes"}, "attach_file", "Must be true or false"),
        ({"preset": 999999}, "preset", "does not exist"),
    ],
)
def test_a_bad_schedule_is_a_400_naming_the_field_and_changes_nothing(api, preset, changes, field, says):
    ReportPreset.objects.filter(pk=preset.pk).update(suppress_small_counts=False)
    response = api.post(SCHEDULES, {**weekly(preset), **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json() and says in str(response.json()[field]), response.json()
    assert not ReportSchedule.objects.exists() and not ScheduleEvent.objects.exists()


def test_recipients_must_use_reports_may_use_the_template_and_have_an_address(api, preset, make_user):
    student = make_user("STUDENT")
    dentist = make_user("DENTIST", username="dentist")  # VISIT_TRENDS allows dentists; no address
    response = api.post(SCHEDULES, weekly(preset, recipients=[student.pk]), format="json")
    assert response.status_code == 400 and "does not exist" in response.json()["recipients"][0]
    response = api.post(SCHEDULES, weekly(preset, recipients=[dentist.pk]), format="json")
    assert response.json() == {"recipients": [f"dentist: {scheduling.NO_ADDRESS}"]}
    people = {person["name"]: person["has_email"] for person in api.get(f"{SCHEDULES}people/").json()}
    assert people == {"dentist": False, "director": True}  # staff only; no student


def test_a_schedule_of_a_preset_shared_with_a_role_it_lost_cannot_be_made(api, make_user, doctor):
    colleague = make_user("DOCTOR")
    doctors_only = ReportPreset.objects.create(
        owner=colleague,
        name="Doctors' summary",
        template=ReportTemplate.objects.get(report_type="COMPREHENSIVE_ANALYTICS"),
        relative_period="previous_month",
        export_format="PDF",
        sharing="CLINIC",
    )
    nurse = APIClient()
    nurse.force_authenticate(make_user("NURSE"))
    response = nurse.post(SCHEDULES, weekly(doctors_only), format="json")
    assert response.status_code == 400 and "preset" in response.json()


def test_a_new_preset_must_suit_the_recipients_already_on_the_schedule(api, preset, make_user, doctor):
    nurse = addressed(make_user("NURSE", username="nurse"))
    made = api.post(SCHEDULES, weekly(preset, recipients=[nurse.pk]), format="json").json()
    doctors_only = ReportPreset.objects.create(
        owner=doctor,
        name="Director's summary",
        template=ReportTemplate.objects.get(report_type="COMPREHENSIVE_ANALYTICS"),
        relative_period="previous_month",
        export_format="PDF",
    )
    response = api.patch(f"{SCHEDULES}{made['id']}/", {"preset": doctors_only.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"recipients": [f"nurse: {scheduling.NO_ROLE}"]}
    assert ReportSchedule.objects.get().preset == preset


def test_a_preset_that_cannot_run_cannot_be_scheduled(api, preset):
    ReportPreset.objects.filter(pk=preset.pk).update(filters={"ward": "north"})
    response = api.post(SCHEDULES, weekly(preset), format="json")
    assert response.status_code == 400 and "cannot run as saved" in response.json()["preset"][0]


def test_changing_the_frequency_clears_what_belonged_to_the_old_one(api, preset):
    made = api.post(SCHEDULES, weekly(preset), format="json").json()
    changed = api.patch(f"{SCHEDULES}{made['id']}/", {"frequency": "MONTHLY", "month_day": 31}, format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["weekdays"], changed.json()["month_day"]) == ([], 31)
    assert changed.json()["description"] == "Monthly on the 31st (or the month's last day) at 07:00 (Asia/Manila)"
    daily = api.patch(f"{SCHEDULES}{made['id']}/", {"frequency": "DAILY"}, format="json").json()
    assert (daily["weekdays"], daily["month_day"], daily["description"]) == (
        [],
        None,
        "Every day at 07:00 (Asia/Manila)",
    )
    actions = list(ScheduleEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [ScheduleAction.CREATED, ScheduleAction.CHANGED, ScheduleAction.CHANGED]


def test_pause_and_resume(api, preset):
    made = api.post(SCHEDULES, weekly(preset), format="json").json()
    paused = api.post(f"{SCHEDULES}{made['id']}/pause/").json()
    assert (paused["is_active"], paused["next_run_at"], paused["next_run_local"]) == (False, None, None)
    ReportSchedule.objects.filter(pk=made["id"]).update(consecutive_failures=3, paused_reason="Paused itself.")
    resumed = api.post(f"{SCHEDULES}{made['id']}/resume/").json()
    assert resumed["is_active"] and resumed["next_run_at"] == made["next_run_at"]
    assert (resumed["consecutive_failures"], resumed["paused_reason"]) == (0, "")
    actions = list(ScheduleEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions[1:] == [ScheduleAction.PAUSED, ScheduleAction.RESUMED]


def test_send_a_test_mails_the_caller_and_the_runs_show_it_with_its_mail(api, preset, doctor, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }
    made = api.post(SCHEDULES, weekly(preset), format="json").json()
    response = api.post(f"{SCHEDULES}{made['id']}/send-test/")
    assert response.status_code == 202 and response.json()["trigger"] == RunTrigger.TEST
    with MailServer() as server:
        smtp_settings(settings, server)
        generating.run_report(GeneratedReport.objects.get().pk)
        scheduling.dispatch()
        [received] = server.received
    assert received.recipients == [doctor.email]
    [run] = api.get(f"{SCHEDULES}{made['id']}/runs/").json()
    assert (run["outcome_label"], run["trigger_label"]) == ("Report sent", "Test to its requester")
    assert [(d["recipient_name"], d["status_label"]) for d in run["deliveries"]] == [("director", "Sent")]
    listed = api.get(SCHEDULES).json()["results"][0]
    assert listed["last_run"] is None  # a test is not the schedule's run: the list does not show it as sent
    api.post(f"{SCHEDULES}{made['id']}/send-now/")
    generating.run_report(GeneratedReport.objects.latest("pk").pk)
    scheduling.dispatch()
    listed = api.get(SCHEDULES).json()["results"][0]
    assert listed["last_run"]["outcome"] == "EMPTY" and listed["last_run"]["settled"]  # no visits: none sent


def test_send_now_of_a_preset_that_cannot_run_is_a_409_and_requests_nothing(api, preset):
    made = api.post(SCHEDULES, weekly(preset), format="json").json()
    ReportPreset.objects.filter(pk=preset.pk).update(filters={"ward": "north"})
    response = api.post(f"{SCHEDULES}{made['id']}/send-now/")
    assert response.status_code == 409 and json.loads(response["Error-Codes"]) == {"detail": "not_runnable"}
    assert not ScheduleRun.objects.exists() and not GeneratedReport.objects.exists()


def test_send_now_needs_the_template_still_allowed(api, preset, doctor):
    made = api.post(SCHEDULES, weekly(preset), format="json").json()
    doctor.groups.set([Group.objects.get_or_create(name="STAFF")[0]])
    ReportTemplate.objects.filter(pk=preset.template_id).update(allowed_roles=["DOCTOR"])
    fresh = APIClient()
    fresh.force_authenticate(type(doctor).objects.get(pk=doctor.pk))
    response = fresh.post(f"{SCHEDULES}{made['id']}/send-now/")
    assert response.status_code == 403 and "may not use this report template" in response.json()["detail"]
    assert not GeneratedReport.objects.filter(status=ReportStatus.PENDING).exists()


def test_deleting_a_schedule_keeps_its_audit_trail(api, preset):
    made = api.post(SCHEDULES, weekly(preset), format="json").json()
    assert api.delete(f"{SCHEDULES}{made['id']}/").status_code == 204
    assert not ReportSchedule.objects.exists()
    actions = list(ScheduleEvent.objects.filter(schedule_id=made["id"]).order_by("id").values_list("action", flat=True))
    assert actions == [ScheduleAction.CREATED, ScheduleAction.DELETED]


def test_the_list_reads_a_fixed_number_of_queries_however_many_schedules(api, preset, doctor, nurse):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(SCHEDULES).status_code == 200
        return len(queries)

    api.post(SCHEDULES, weekly(preset, recipients=[nurse.pk]), format="json")
    one = count()
    for hour in range(9):
        api.post(
            SCHEDULES, weekly(preset, local_time=f"{hour:02d}:15", recipients=[nurse.pk, doctor.pk]), format="json"
        )
    ScheduleRun.objects.bulk_create(
        ScheduleRun(schedule=schedule, occurrence_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC), outcome="SENT")
        for schedule in ReportSchedule.objects.all()
    )
    assert count() == one
