"""A period that runs past today is counted up to today and says so; one that starts after today is refused."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from conftest import local
from reports import cache, catalog, renderers
from reports.catalog.report_type import ReportParams
from reports.periods import Period, local_today
from reports.tests.readers import shown_text

GENERATE = "/api/reports/templates/{}/generate/"
YEAR = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
TODAY = dt.date(2025, 3, 5)  # the 64th day of 2025: a Wednesday
OPEN = "2025-01-01 \N{EN DASH} 2025-12-31, up to 5 March 2025 (period still open)"

pytestmark = pytest.mark.django_db


def build(key, period):
    return catalog.get(key).build(ReportParams(period=period))


def test_the_elapsed_days_of_a_period():
    assert Period(*YEAR, today=TODAY).elapsed_days == 64
    assert Period(*YEAR, today=dt.date(2026, 1, 1)).elapsed_days == 365
    assert Period(*YEAR, today=dt.date(2024, 12, 31)).elapsed_days == 0
    assert Period(*YEAR, today=dt.date(2025, 12, 31)).is_open
    assert not Period(*YEAR, today=dt.date(2026, 1, 1)).is_open


def test_average_daily_visits_divide_by_the_days_elapsed(make_patient, make_medical_visit):
    patient = make_patient()
    for day in range(32):
        make_medical_visit(patient, local(2025, 1, 1) + dt.timedelta(days=day))
    document = build("VISIT_TRENDS", Period(*YEAR, today=TODAY))
    assert document.summary["average_daily_visits"] == round(32 / 64, 2)
    ended = build("VISIT_TRENDS", Period(*YEAR, today=dt.date(2026, 2, 1)))
    assert ended.summary["average_daily_visits"] == round(32 / 365, 2)
    assert build("VISIT_TRENDS", Period(*YEAR, today=dt.date(2024, 6, 1))).summary["average_daily_visits"] is None


def test_working_days_stop_at_today():
    document = build("COMPREHENSIVE_ANALYTICS", Period(*YEAR, today=TODAY))
    # 1 January 2025 is a Wednesday: 9 whole weeks (45 days) and Wed-Thu-Fri-Sat-Sun-Mon-Tue-Wed (6 working days).
    assert document.summary["working_days"] == 46


def test_an_open_period_says_up_to_which_day_it_was_counted():
    document = build("VISIT_TRENDS", Period(*YEAR, today=TODAY))
    assert document.period["up_to"] == "2025-03-05"
    assert OPEN in " ".join(shown_text("PDF", renderers.get("PDF").render(document)).split())
    summary = openpyxl.load_workbook(io.BytesIO(renderers.get("EXCEL").render(document)))["Summary"]
    rows = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert rows["Counted up to (period still open)"] == dt.datetime(2025, 3, 5)
    lines = list(csv.reader(io.StringIO(renderers.get("CSV").render(document).decode("utf-8-sig"))))
    assert ["Report", "4", "Counted up to (period still open)", "Value", "2025-03-05"] in lines


def test_a_period_that_has_ended_says_nothing_of_today():
    document = build("VISIT_TRENDS", Period(*YEAR, today=dt.date(2026, 1, 1)))
    assert "up_to" not in document.period
    shown = shown_text("PDF", renderers.get("PDF").render(document))
    assert "period still open" not in shown


def test_an_open_periods_cached_figures_are_not_reused_the_next_day():
    report_type = catalog.get("VISIT_TRENDS")
    keys = {cache.report_key(report_type, ReportParams(period=Period(*YEAR, today=today))) for today in (TODAY, TODAY)}
    assert len(keys) == 1
    tomorrow = ReportParams(period=Period(*YEAR, today=TODAY + dt.timedelta(days=1)))
    assert cache.report_key(report_type, tomorrow) not in keys


def test_a_period_that_starts_after_today_is_refused_and_changes_nothing(api, template):
    tomorrow = local_today() + dt.timedelta(days=1)
    payload = {"date_range_start": tomorrow.isoformat(), "date_range_end": tomorrow.isoformat(), "export_format": "PDF"}
    response = api.post(GENERATE.format(template.pk), payload, format="json")
    assert response.status_code == 400
    assert json.loads(response["Error-Codes"]) == {"date_range_start": ["range_in_future"]}
    (message,) = response.json()["date_range_start"]
    assert message.startswith("The period has not started yet") and str(local_today().year) in message
    assert template.reports.count() == 0


def test_a_period_that_starts_today_is_accepted(api, template):
    today = local_today().isoformat()
    payload = {"date_range_start": today, "date_range_end": today, "export_format": "PDF"}
    assert api.post(GENERATE.format(template.pk), payload, format="json").status_code == 202
