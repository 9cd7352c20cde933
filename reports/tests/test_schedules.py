"""Schedules: their occurrences in their zone across daylight saving, and dispatch that runs each occurrence once."""

import datetime as dt
import io
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from reports import schedules
from reports.models import (
    Frequency,
    GeneratedReport,
    ReportPreset,
    ReportSchedule,
    ReportTemplate,
    RunOutcome,
    ScheduleRun,
)
from reports.services import scheduling

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
UTC = dt.UTC


def at(zone, *parts):
    return dt.datetime(*parts, tzinfo=zone).astimezone(UTC)


def schedule(**fields):
    """An unsaved schedule (recurrence needs no database)."""
    values = {
        "frequency": Frequency.WEEKLY,
        "weekdays": [0],
        "local_time": dt.time(7, 0),
        "time_zone": "America/New_York",
        "starts_on": dt.date(2026, 1, 1),
    }
    return ReportSchedule(**{**values, **fields})


def test_a_weekly_schedule_fires_at_seven_local_on_both_sides_of_daylight_saving():
    weekly = schedule()
    # 8 March 2026: clocks go forward in New York; 1 November: back.
    assert schedules.next_occurrence(weekly, at(NEW_YORK, 2026, 3, 2, 8)) == at(NEW_YORK, 2026, 3, 9, 7)
    assert at(NEW_YORK, 2026, 3, 2, 7).hour == 12 and at(NEW_YORK, 2026, 3, 9, 7).hour == 11  # UTC-5, then UTC-4
    assert schedules.next_occurrence(weekly, at(NEW_YORK, 2026, 10, 27, 0)) == dt.datetime(2026, 11, 2, 12, tzinfo=UTC)
    assert schedules.latest_occurrence(weekly, dt.datetime(2026, 11, 2, 11, 59, tzinfo=UTC)) == dt.datetime(
        2026, 10, 26, 11, tzinfo=UTC
    )


def test_a_time_the_clocks_skip_runs_after_the_change():
    daily = schedule(frequency=Frequency.DAILY, weekdays=[], local_time=dt.time(2, 30))
    assert schedules.next_occurrence(daily, at(NEW_YORK, 2026, 3, 7, 12)) == dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "after", "expected"),
    [
        (31, dt.date(2026, 4, 1), dt.date(2026, 4, 30)),  # the 31st falls on a shorter month's last day
        (31, dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        (30, dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        (31, dt.date(2026, 5, 1), dt.date(2026, 5, 31)),
        (15, dt.date(2026, 5, 16), dt.date(2026, 6, 15)),
    ],
)
def test_a_monthly_schedule_on_a_day_a_month_lacks_falls_on_its_last_day(day, after, expected):
    monthly = schedule(frequency=Frequency.MONTHLY, weekdays=[], month_day=day, time_zone="Asia/Manila")
    found = schedules.next_occurrence(monthly, at(ZoneInfo("Asia/Manila"), after.year, after.month, after.day))
    assert found.astimezone(ZoneInfo("Asia/Manila")) == dt.datetime.combine(
        expected, dt.time(7), ZoneInfo("Asia/Manila")
    )


def test_a_schedule_made_after_todays_time_runs_next_time_not_at_once(doctor):
    preset = ReportPreset.objects.create(
        owner=doctor,
        name="Daily visits",
        template=ReportTemplate.objects.get(report_type="VISIT_TRENDS"),
        relative_period="yesterday",
        export_format="CSV",
    )
    made = at(NEW_YORK, 2026, 12, 3, 9)  # 09:00 local, after the schedule's 07:00
    daily = scheduling.save_schedule(
        ReportSchedule(
            owner=doctor, preset=preset, frequency=Frequency.DAILY, local_time=dt.time(7), time_zone="America/New_York"
        ),
        by=doctor,
        now=made,
    )
    assert daily.starts_on == dt.date(2026, 12, 3)
    assert daily.next_run_at == at(NEW_YORK, 2026, 12, 4, 7)
    assert scheduling.dispatch_due(now=made) == 0


def test_the_model_checks_weekdays_and_month_days():
    with pytest.raises(ValidationError) as weekly:
        schedule(weekdays=[]).clean()
    assert "weekdays" in weekly.value.message_dict
    with pytest.raises(ValidationError) as monthly:
        schedule(frequency=Frequency.MONTHLY, weekdays=[]).clean()
    assert "month_day" in monthly.value.message_dict
    with pytest.raises(ValidationError):
        schedule(time_zone="Mars/Olympus").full_clean(exclude=["owner", "preset"])


# --- dispatch ---------------------------------------------------------------------------------------


def mondays_at_seven(owner, preset):
    """A saved schedule of ``preset``: Mondays at 07:00 in New York, made on Thursday 3 December 2026."""
    return scheduling.save_schedule(
        ReportSchedule(
            owner=owner,
            preset=preset,
            frequency=Frequency.WEEKLY,
            weekdays=[0],
            local_time=dt.time(7),
            time_zone="America/New_York",
        ),
        by=owner,
        now=at(NEW_YORK, 2026, 12, 3, 12),
    )


@pytest.fixture
def weekly_visits(doctor):
    """Every Monday at 07:00 in New York, last week's visit trends; its next run Monday 7 December 2026."""
    preset = ReportPreset.objects.create(
        owner=doctor,
        name="Last week's visits",
        template=ReportTemplate.objects.get(report_type="VISIT_TRENDS"),
        relative_period="previous_week",
        export_format="PDF",
    )
    return mondays_at_seven(doctor, preset)


def test_a_due_occurrence_runs_once_with_its_period_resolved_at_the_scheduled_moment(weekly_visits, doctor):
    assert weekly_visits.next_run_at == at(NEW_YORK, 2026, 12, 7, 7)
    late_in_the_day = at(NEW_YORK, 2026, 12, 7, 23, 50)  # dispatched late: the same week is reported
    assert scheduling.dispatch_due(now=late_in_the_day) == 1
    assert scheduling.dispatch_due(now=late_in_the_day) == 0
    run = ScheduleRun.objects.get()
    assert (run.outcome, run.late, run.occurrence_at) == (RunOutcome.REQUESTED, False, at(NEW_YORK, 2026, 12, 7, 7))
    report = run.report
    assert (report.generated_by, report.relative_period, report.date_range_start, report.date_range_end) == (
        doctor,
        "previous_week",
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 6),
    )
    weekly_visits.refresh_from_db()
    assert weekly_visits.next_run_at == at(NEW_YORK, 2026, 12, 14, 7)


def test_after_a_downtime_only_the_latest_missed_occurrence_runs_marked_late(weekly_visits):
    three_weeks_on = at(NEW_YORK, 2026, 12, 22, 9)
    assert scheduling.dispatch_due(now=three_weeks_on) == 1
    run = ScheduleRun.objects.get()
    assert (run.occurrence_at, run.late) == (at(NEW_YORK, 2026, 12, 21, 7), True)
    weekly_visits.refresh_from_db()
    assert weekly_visits.next_run_at == at(NEW_YORK, 2026, 12, 28, 7)


def test_a_paused_schedule_does_not_run(weekly_visits):
    weekly_visits.is_active = False
    scheduling.save_schedule(weekly_visits, by=weekly_visits.owner, now=at(NEW_YORK, 2026, 12, 3, 12))
    assert weekly_visits.next_run_at is None
    assert scheduling.dispatch_due(now=at(NEW_YORK, 2026, 12, 8, 7)) == 0


def test_a_preset_that_cannot_run_is_recorded_and_requests_nothing(weekly_visits):
    ReportPreset.objects.filter(pk=weekly_visits.preset_id).update(filters={"ward": "north"})
    assert scheduling.dispatch_due(now=at(NEW_YORK, 2026, 12, 7, 8)) == 1
    run = ScheduleRun.objects.get()
    assert run.outcome == RunOutcome.NOT_RUNNABLE and run.report is None and "ward" in run.message
    assert run.settled_at is not None
    assert not GeneratedReport.objects.exists()


def test_the_command_dispatches_what_is_due(weekly_visits):
    due = at(NEW_YORK, 2026, 11, 2, 7)  # a Monday before today, whichever day the test runs
    ReportSchedule.objects.filter(pk=weekly_visits.pk).update(starts_on=dt.date(2026, 11, 1), next_run_at=due)
    out = io.StringIO()
    call_command("reports_dispatch", stdout=out)
    assert out.getvalue().startswith("1 scheduled report(s) requested, 0 requested again")
    assert ScheduleRun.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_dispatchers_running_together_fire_each_occurrence_once(doctor, weekly_visits):
    preset = weekly_visits.preset
    for _ in range(49):
        mondays_at_seven(doctor, preset)
    moment = at(NEW_YORK, 2026, 12, 7, 8)
    counts, start = [], threading.Barrier(4)

    def dispatcher():
        start.wait()
        try:
            while ran := scheduling.dispatch_due(now=moment):
                counts.append(ran)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 50
    assert ScheduleRun.objects.count() == 50 == GeneratedReport.objects.count()


def test_admin_lists_schedules_with_their_runs_and_saving_one_computes_its_next_run(admin_client, weekly_visits):
    scheduling.dispatch_due(now=at(NEW_YORK, 2026, 12, 7, 8))
    assert admin_client.get("/admin/reports/reportschedule/").status_code == 200
    page = admin_client.get(f"/admin/reports/reportschedule/{weekly_visits.pk}/change/")
    assert page.status_code == 200 and b"Report requested" in page.content  # its run, inline
    ReportSchedule.objects.filter(pk=weekly_visits.pk).update(next_run_at=None)
    form = {
        "owner": weekly_visits.owner_id,
        "preset": weekly_visits.preset_id,
        "frequency": "DAILY",
        "weekdays": "[]",
        "local_time": "07:00:00",
        "time_zone": "Asia/Manila",
        "starts_on": "2026-12-01",
        "is_active": "on",
        "runs-TOTAL_FORMS": "1",
        "runs-INITIAL_FORMS": "1",
        "runs-MIN_NUM_FORMS": "0",
        "runs-MAX_NUM_FORMS": "0",
        "runs-0-id": ScheduleRun.objects.get().pk,
        "runs-0-schedule": weekly_visits.pk,
    }
    saved = admin_client.post(f"/admin/reports/reportschedule/{weekly_visits.pk}/change/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    weekly_visits.refresh_from_db()
    assert weekly_visits.frequency == "DAILY" and weekly_visits.next_run_at is not None


# --- any schedule, any moment ------------------------------------------------------------------------

ZONES = ("America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Sao_Paulo", "Asia/Manila", "UTC")


def wall_time_exists(day, time, zone):
    """Does ``time`` occur on ``day`` in ``zone`` (not skipped by a daylight-saving change)?"""
    placed = dt.datetime.combine(day, time, zone)
    return placed.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == placed.replace(tzinfo=None)


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    frequency=st.sampled_from(Frequency.values),
    weekdays=st.sets(st.integers(0, 6), min_size=1),
    month_day=st.integers(1, 31),
    local_time=st.times().map(lambda time: time.replace(second=0, microsecond=0)),
    zone=st.sampled_from(ZONES),
    after=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2030, 12, 31), timezones=st.just(UTC)),
)
@example(  # 02:30 is skipped in New York on 8 March 2026: that day's run is at 03:30, after 03:10
    frequency=Frequency.DAILY,
    weekdays={0},
    month_day=1,
    local_time=dt.time(2, 30),
    zone="America/New_York",
    after=dt.datetime(2026, 3, 8, 7, 10, tzinfo=UTC),
)
def test_the_next_occurrence_is_the_first_after_the_moment_on_the_right_day_at_the_right_time(
    frequency, weekdays, month_day, local_time, zone, after
):
    """For any schedule and moment: the next occurrence comes after it, none lies between them, and it falls on
    a day of the rule at the schedule's wall-clock time (or as far after it as a daylight-saving gap moves it)."""
    rule = schedule(
        frequency=frequency,
        weekdays=sorted(weekdays) if frequency == Frequency.WEEKLY else [],
        month_day=month_day if frequency == Frequency.MONTHLY else None,
        local_time=local_time,
        time_zone=zone,
    )
    upcoming = schedules.next_occurrence(rule, after)
    assert upcoming > after
    assert schedules.latest_occurrence(rule, upcoming) == upcoming
    earlier = schedules.latest_occurrence(rule, upcoming - dt.timedelta(microseconds=1))
    assert earlier is None or earlier <= after  # nothing between ``after`` and the next occurrence
    local = upcoming.astimezone(ZoneInfo(zone))
    day = local.date()
    if frequency == Frequency.WEEKLY:
        assert day.weekday() in weekdays
    if frequency == Frequency.MONTHLY:
        last = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        assert day.day == min(month_day, last.day)
    if wall_time_exists(day, local_time, ZoneInfo(zone)):
        assert local.time() == local_time
    else:
        assert local.time() > local_time and local - dt.datetime.combine(day, local_time, local.tzinfo) <= dt.timedelta(
            hours=1
        )
