"""A report compared with an earlier period: which period, the figures of both and their changes, in every format."""

import datetime as dt
import io
import json
import zipfile

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from conftest import local
from reports import catalog, comparison, renderers
from reports.catalog.report_type import ReportParams
from reports.document import HIDDEN, NEW, WITHHELD, ReportDocument, Withheld
from reports.models import CompareTo, GeneratedReport, ReportStatus, ReportTemplate
from reports.periods import Period
from reports.services import generating
from reports.suppression import Plan
from reports.tests.readers import csv_lines
from reports.tests.test_suppression import (  # noqa: F401 (clinic: a fixture)
    THRESHOLD,
    clinic,
    determined,
    hidden,
    relations,
    sensitive,
)

pytestmark = pytest.mark.django_db

OCTOBER = (dt.date(2025, 10, 1), dt.date(2025, 10, 31))
PREVIOUS, LAST_YEAR = CompareTo.PREVIOUS_PERIOD, CompareTo.SAME_PERIOD_LAST_YEAR


def period(start, end):
    return Period(dt.date.fromisoformat(start), dt.date.fromisoformat(end), today=dt.date(2026, 12, 4))


@pytest.mark.parametrize(
    ("current", "compare_to", "earlier"),
    [
        (("2026-10-01", "2026-10-31"), PREVIOUS, ("2026-09-01", "2026-09-30")),  # a month: the month before
        (("2025-03-01", "2025-03-31"), PREVIOUS, ("2025-02-01", "2025-02-28")),
        (("2026-01-01", "2026-03-31"), PREVIOUS, ("2025-10-01", "2025-12-31")),  # a quarter over a year's end
        (("2026-11-23", "2026-11-29"), PREVIOUS, ("2026-11-16", "2026-11-22")),  # a week
        (("2026-03-05", "2026-03-14"), PREVIOUS, ("2026-02-23", "2026-03-04")),  # ten days: the ten before
        (("2028-02-29", "2028-03-10"), LAST_YEAR, ("2027-02-28", "2027-03-10")),  # 29 February maps to 28
        (("2029-02-01", "2029-02-28"), LAST_YEAR, ("2028-02-01", "2028-02-29")),  # a whole February stays whole
        (("2026-01-01", "2026-12-31"), LAST_YEAR, ("2025-01-01", "2025-12-31")),
    ],
)
def test_the_earlier_period(current, compare_to, earlier):
    found = comparison.earlier_period(period(*current), compare_to, "week")
    assert (found.start.isoformat(), found.end.isoformat()) == earlier
    assert found.label == CompareTo(compare_to).label and found.step_unit == "week"


@pytest.fixture
def visits(make_patient, make_medical_visit, make_dental_visit):
    """October 2025: 20 medical visits on its first 20 days; September: 5 medical and 5 dental, 3-7 September;
    October 2024: 4 medical visits."""
    patient = make_patient()
    for day in range(20):
        make_medical_visit(patient, local(2025, 10, 1) + dt.timedelta(days=day))
    for day in range(5):
        make_medical_visit(patient, local(2025, 9, 3) + dt.timedelta(days=day))
        make_dental_visit(patient, local(2025, 9, 3) + dt.timedelta(days=day))
    for day in range(4):
        make_medical_visit(patient, local(2024, 10, 10) + dt.timedelta(days=day))
    return patient


def requested(doctor, key="VISIT_TRENDS", compare_to=PREVIOUS, dates=OCTOBER, **fields):
    template = ReportTemplate.objects.get(report_type=key)
    return GeneratedReport.objects.create(
        template=template,
        report_type=key,
        title="Compared",
        generated_by=doctor,
        date_range_start=dates[0],
        date_range_end=dates[1],
        compare_to=compare_to,
        **{"export_format": "JSON", **fields},
    )


def headline(document):
    titles, cells = comparison.headline(document)
    return {key: dict(zip(titles, (value for _, value in row), strict=True)) for key, row in cells.items()}


def test_headline_figures_with_the_previous_month(visits, doctor):
    document = generating.build_document(requested(doctor))
    figures = headline(document)
    assert figures["total_visits"] == {
        "This period": 20,
        "Previous period": 10,
        "Change": 10,
        "Change, %": 1.0,
        "This period, a day": round(20 / 31, 2),  # 31 days against 30: counts per day beside them
        "Previous period, a day": round(10 / 30, 2),
    }
    assert (figures["dental_visits"]["Change"], figures["dental_visits"]["Change, %"]) == (-5, -1.0)
    assert figures["average_daily_visits"]["Change"] == round(0.65 - 0.33, 4)
    assert figures["average_daily_visits"]["This period, a day"] is None  # an average is not a count over time
    assert figures["unique_patients"]["This period, a day"] is None  # distinct patients do not add up over days
    assert figures["peak_weekday"]["Change"] is None and figures["peak_hour"]["Change, %"] is None
    assert document.comparison["period"]["start"] == "2025-09-01"


def test_a_zero_baseline_is_new_and_nothing_on_both_sides_has_no_relative_change(visits, doctor):
    figures = headline(generating.build_document(requested(doctor, dates=(dt.date(2025, 9, 1), OCTOBER[1]))))
    # 1 September to 31 October against the 61 days before, in July and August: nothing then.
    assert figures["total_visits"]["Change, %"] == NEW and figures["total_visits"]["Change"] == 30
    later = headline(generating.build_document(requested(doctor, dates=(dt.date(2025, 12, 1), dt.date(2025, 12, 31)))))
    assert later["total_visits"]["Change"] == 0 and later["total_visits"]["Change, %"] is None


def test_the_same_period_last_year(visits, doctor):
    figures = headline(generating.build_document(requested(doctor, compare_to=LAST_YEAR)))
    assert figures["medical_visits"] == {
        "This period": 20,
        "Same period last year": 4,
        "Change": 16,
        "Change, %": 4.0,
    }  # 31 days against 31: no figures per day


def test_a_rate_changes_in_percentage_points(make_patient, make_feedback, doctor):
    patient = make_patient()
    for day, rating in enumerate([5, 5, 4, 2], start=1):
        make_feedback(patient, local(2025, 10, day), rating)
    for day, rating in enumerate([5, 2], start=1):
        make_feedback(patient, local(2025, 9, day), rating)
    document = generating.build_document(requested(doctor, "FEEDBACK_ANALYSIS"))
    figures = headline(document)
    assert figures["satisfaction_rate"]["Change"] == 0.25 and figures["satisfaction_rate"]["Change, %"] is None
    assert figures["total_feedback"]["Change, %"] == 1.0
    pdf = " ".join(PdfReader(io.BytesIO(renderers.get("PDF").render(document))).pages[0].extract_text().split())
    assert "Satisfaction rate 75.0% 50.0% +25.0 pp — — —" in pdf
    ratings = dict((row[0], row) for row in document.section("rating_distribution").rows)
    columns = document.section("rating_distribution").columns
    assert dict(zip(columns, ratings[2], strict=True)) == {
        "rating": 2,
        "count": 1,
        "count__earlier": 1,
        "count__change": 0,
        "share": 0.25,
        "share__earlier": 0.5,
        "share__change": -0.25,
    }


def test_breakdown_rows_of_either_period_and_steps_by_their_place(visits, doctor):
    document = generating.build_document(requested(doctor))
    weekdays = document.section("by_weekday")
    rows = {row[0]: dict(zip(weekdays.columns, row, strict=True)) for row in weekdays.rows}
    # 3-7 September 2025 are Wednesday to Sunday; 1-20 October holds every weekday.
    assert rows["Monday"] == {"weekday": "Monday", "visits": 3, "visits__earlier": 0, "visits__change": 3}
    assert rows["Sunday"] == {"weekday": "Sunday", "visits": 3, "visits__earlier": 2, "visits__change": 1}
    days = document.section("over_time")
    assert days.columns[:3] == ["step", "step__earlier", "medical"]
    assert len(days.rows) == 31  # October's 31 days against September's 30: the 31st has no earlier day
    assert days.rows[2][:5] == ["2025-10-03", "2025-09-03", 1, 1, 0]
    assert days.rows[30][1] is None and days.rows[30][days.columns.index("total__earlier")] == 0
    chart = next(chart for chart in document.charts if chart.key == "over_time")
    assert chart.earlier == ["medical__earlier", "dental__earlier", "total__earlier"]
    assert [name for name, _ in document.chart_data(chart)[1]][3:] == [
        "Medical, previous period",
        "Dental, previous period",
        "Total, previous period",
    ]


def test_a_listing_keeps_its_own_period(make_patient, make_feedback, doctor):
    patient = make_patient()
    make_feedback(patient, local(2025, 10, 2), 5, comments="Kind staff")
    document = generating.build_document(requested(doctor, "FEEDBACK_ANALYSIS"))
    assert document.section("recent_comments").columns == ["date", "rating", "comment"]


def test_the_stored_document_rebuilds_both_periods(visits, doctor, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }
    report = requested(doctor, export_format="EXCEL")
    generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPLETED, report.error_message
    stored = ReportDocument.from_dict(report.document)
    assert stored.as_dict() == report.document
    assert stored.comparison["summary"]["total_visits"] == 10
    assert renderers.get("CSV").render(stored) == renderers.get("CSV").render(generating.build_document(report))


@pytest.mark.parametrize("export_format", ["PDF", "EXCEL", "CSV", "JSON"])
def test_every_format_shows_both_periods(visits, doctor, export_format):
    content = renderers.get(export_format).render(generating.build_document(requested(doctor)))
    if export_format == "PDF":
        text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())
        assert "COMPARED WITH Previous period: 2025-09-01 – 2025-09-30" in text
        assert "Total visits 20 10 +10 +100.0% 0.65 a day 0.33 a day" in text
        assert "Dental visits 0 5 -5 -100.0%" in text
    elif export_format == "EXCEL":
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Summary"]
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        header = next(row for row in rows if row[0] == "Metric")
        assert header[:5] == ["Metric", "This period", "Previous period", "Change", "Change, %"]
        assert next(row for row in rows if row[0] == "Total visits")[1:7] == [20, 10, 10, 1, 0.65, 0.33]
        total = next(row for row in sheet.iter_rows() if row[0].value == "Total visits")
        assert total[3].number_format.startswith("+") and total[4].number_format == "+0.0%;-0.0%;0.0%"
        assert ["Compared with", "Previous period"] in [row[:2] for row in rows]
    elif export_format == "CSV":
        _, lines = csv_lines(content)
        total = {line["Column"]: line["Value"] for line in lines if line["Label"] == "Total visits"}
        assert total == {
            "This period": 20,
            "Previous period": 10,
            "Change": 10,
            "Change, %": 1,
            "This period, a day": 0.65,
            "Previous period, a day": 0.33,
        }
        assert {"Label": "Compared period start", "Value": "2025-09-01"}.items() <= next(
            line for line in lines if line["Label"] == "Compared period start"
        ).items()
    else:
        data = json.loads(content)
        assert data["comparison"]["summary"]["total_visits"] == 10
        assert data["comparison"]["changes"]["total_visits"] == [10, 1.0]


def test_a_suppressed_cell_withholds_its_change_in_every_format(visits, doctor):
    document = generating.build_document(requested(doctor, suppress_small_counts=True))
    figures = headline(document)
    # 20 visits now; 10 then: 5 medical and 5 dental are small, so both are hidden and so are their changes.
    assert figures["medical_visits"]["Previous period"] == "<11"
    assert isinstance(figures["medical_visits"]["Change"], Withheld)
    assert isinstance(figures["medical_visits"]["Change, %"], Withheld)
    weekdays = document.section("by_weekday")
    monday = dict(zip(weekdays.columns, weekdays.rows[0], strict=True))
    assert monday["visits"] == "<11" and monday["visits__change"] == WITHHELD
    pdf = " ".join(PdfReader(io.BytesIO(renderers.get("PDF").render(document))).pages[0].extract_text().split())
    assert "Medical visits 20 <11 not shown not shown" in pdf
    assert "not shown" in renderers.get("JSON").render(document).decode()
    csv_total = {
        line["Column"]: line["Value"]
        for line in csv_lines(renderers.get("CSV").render(document))[1]
        if line["Label"] == "Medical visits"
    }
    assert csv_total["Change"] == "not shown" and csv_total["Previous period"] == "<11"


# --- suppression: no hidden count can be worked out from a change ---------------------------------

FEBRUARY = (dt.date(2025, 2, 1), dt.date(2025, 2, 28))


def compared_on_the_clinic(key):
    """February 2025 against January on the suppression tests' clinic: the plain periods, suppressed, and compared."""
    report_type = catalog.get(key)
    current = report_type.build(ReportParams(period=Period(*FEBRUARY)))
    earlier_period = comparison.earlier_period(Period(*FEBRUARY), PREVIOUS, comparison.step_unit(current))
    earlier = report_type.build(ReportParams(period=earlier_period))
    plain = [current, earlier]
    suppressed = [report_type.suppress(document, THRESHOLD) for document in plain]
    return plain, suppressed, comparison.compare(*suppressed, PREVIOUS)


def recoverable(plain, suppressed, compared):
    """The hidden values of either period that the shown values, each period's relations and the compared
    sections' shown changes (this period's value less the earlier one's) determine, named ``(period, cell)``."""
    plans = [Plan(catalog.get(document.report_type).suppression, document) for document in plain]
    equations = []
    for period, (plan, document) in enumerate(zip(plans, suppressed, strict=True)):
        equations += relations(plan, document, THRESHOLD, tag=period)
    for section in compared.sections:
        if not any(column.endswith(comparison.CHANGED) for column in section.columns):
            continue
        places = [{str(row[0]): index for index, row in enumerate(doc.section(section.key).rows)} for doc in suppressed]
        for row in section.rows:
            values = dict(zip(section.columns, row, strict=True))
            names = (str(row[0]), str(values.get("step__earlier", row[0])))
            for column in section.columns:
                if not column.endswith(comparison.CHANGED) or not isinstance(values[column], int | float):
                    continue
                figure = column.removesuffix(comparison.CHANGED)
                equation = {}
                for period, sign in ((0, 1), (1, -1)):
                    index = places[period].get(names[period])
                    cell = ("section", section.key, index, figure)
                    if index is not None and hidden(plans[period], suppressed[period], cell):
                        equation[period, cell] = sign
                if equation:
                    equations.append(equation)
    names = list(dict.fromkeys(name for equation in equations for name in equation))
    return determined(equations, [name for name in names if sensitive(plans[name[0]], [name], THRESHOLD)])


@pytest.mark.parametrize("key", sorted(catalog.REPORT_TYPES))
def test_no_hidden_count_can_be_worked_out_from_a_compared_table(clinic, key):  # noqa: F811
    plain, suppressed, compared = compared_on_the_clinic(key)
    assert recoverable(plain, suppressed, compared) == []
    for section in compared.sections:
        for row in section.rows:
            values = dict(zip(section.columns, row, strict=True))
            for column in section.columns:
                if column.endswith(comparison.CHANGED):
                    figure = column.removesuffix(comparison.CHANGED)
                    either = [values[figure], values[figure + comparison.EARLIER]]
                    if any(isinstance(value, HIDDEN) for value in either):
                        assert values[column] == WITHHELD, (section.key, column, values)


@pytest.fixture
def mondays(make_patient, make_medical_visit):
    """January 2025: 12 visits on Monday the 6th and 12 on Tuesday the 7th; February: 3 on Monday the 3rd (a small
    count) and 15 on Tuesday the 4th (hidden with it, as the total would give it away)."""
    patient = make_patient()
    for day, visits in ((6, 12), (7, 12)):
        for _ in range(visits):
            make_medical_visit(patient, local(2025, 1, day))
    for day, visits in ((3, 3), (4, 15)):
        for _ in range(visits):
            make_medical_visit(patient, local(2025, 2, day))


def test_a_change_beside_a_small_hidden_count_is_withheld(mondays):
    plain, suppressed, compared = compared_on_the_clinic("VISIT_TRENDS")
    assert recoverable(plain, suppressed, compared) == []
    weekdays = compared.section("by_weekday")
    monday = dict(zip(weekdays.columns, weekdays.rows[0], strict=True))
    assert (str(monday["visits"]), monday["visits__earlier"], monday["visits__change"]) == ("<11", 12, WITHHELD)


def test_the_check_finds_a_count_given_away_by_a_change(mondays):
    """A change shown beside a small hidden count and a shown one gives it away: the check above would fail."""
    plain, suppressed, leaky = compared_on_the_clinic("VISIT_TRENDS")
    weekdays = leaky.section("by_weekday")
    weekdays.rows[0][weekdays.columns.index("visits__change")] = 3 - 12  # Monday's, as if it were shown
    assert (0, ("section", "by_weekday", 0, "visits")) in recoverable(plain, suppressed, leaky)


# --- cost -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(catalog.REPORT_TYPES))
def test_a_compared_report_makes_at_most_twice_the_queries(visits, doctor, key):
    def queries(compare_to):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            generating.build_document(requested(doctor, key, compare_to=compare_to))
        return len(captured)

    plain, compared = queries(CompareTo.NONE), queries(PREVIOUS)
    assert plain < compared <= 2 * plain


# --- the API ------------------------------------------------------------------------------------------


def test_the_api_requests_a_compared_report_and_refuses_an_unknown_comparison(api):
    template = ReportTemplate.objects.get(report_type="VISIT_TRENDS")
    url = f"/api/reports/templates/{template.pk}/generate/"
    body = {"period": "previous_month", "export_format": "CSV"}
    accepted = api.post(url, {**body, "compare_to": "previous_period"}, format="json")
    assert accepted.status_code == 202, accepted.content
    assert accepted.json()["compare_to"] == "previous_period"
    assert GeneratedReport.objects.get(pk=accepted.json()["id"]).compare_to == "previous_period"
    assert api.post(url, body, format="json").json()["compare_to"] == "none"
    refused = api.post(url, {**body, "compare_to": "last_decade"}, format="json")
    assert refused.status_code == 400 and list(refused.json()) == ["compare_to"]
    assert GeneratedReport.objects.count() == 2


def test_excel_charts_draw_the_earlier_period_faded(visits, doctor):
    content = renderers.get("EXCEL").render(generating.build_document(requested(doctor)))
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        charts = [book.read(name).decode() for name in sorted(book.namelist()) if name.startswith("xl/charts/chart")]
    over_time = next(chart for chart in charts if "Visits by day" in chart)
    assert over_time.count("<c:ser>") == 6  # medical, dental, total, and each in the previous period
    assert over_time.count('<a:prstDash val="dash"/>') == 3
    by_hour = next(chart for chart in charts if "Visits by hour" in chart)
    assert by_hour.count("<c:ser>") == 2


@pytest.mark.parametrize("key", sorted(catalog.REPORT_TYPES))
def test_every_report_type_is_compared_in_every_format(clinic, doctor, key):  # noqa: F811
    """February 2025 against January on the suppression tests' clinic, small counts hidden."""
    document = generating.build_document(
        requested(doctor, key, dates=FEBRUARY, suppress_small_counts=True, export_format="PDF")
    )
    assert document.comparison["period"]["start"] == "2025-01-01"
    titles, _ = comparison.headline(document)
    pdf = " ".join(PdfReader(io.BytesIO(renderers.get("PDF").render(document))).pages[0].extract_text().split())
    assert "COMPARED WITH Previous period: 2025-01-01 – 2025-01-31" in pdf and " ".join(titles[:4]) in pdf
    sheet = openpyxl.load_workbook(io.BytesIO(renderers.get("EXCEL").render(document)))["Summary"]
    assert ["Metric", *titles] in [[cell.value for cell in row[: len(titles) + 1]] for row in sheet.iter_rows()]
    columns = {line["Column"] for line in csv_lines(renderers.get("CSV").render(document))[1]}
    assert set(titles) <= columns
    stored = json.loads(renderers.get("JSON").render(document))
    assert set(stored["comparison"]["changes"]) == set(document.summary)
    compared = [
        section for section in document.sections if any(c.endswith(comparison.CHANGED) for c in section.columns)
    ]
    assert compared, "a breakdown gains the earlier period's columns"
