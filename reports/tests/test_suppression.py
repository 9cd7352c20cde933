"""Small-cell suppression: no count from 1 to the threshold, nor anything that gives one away, in any format.

Every report type runs on one hand-built clinic with small and large counts; a generic
checker then verifies the declared relations of its document (docs/reports.md,
"Small-cell suppression").
"""

import copy
import csv
import datetime as dt
import importlib
import io
import json
import zipfile
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import openpyxl
import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ImproperlyConfigured
from pypdf import PdfReader
from rest_framework.test import APIClient

from conftest import local
from reports import catalog, charts, suppression, tiers
from reports.api.previews import preview
from reports.catalog.report_type import ReportParams, ReportType
from reports.document import COUNT, RATE, TEXT, WITHHELD_TEXT, Chart, ReportDocument, Section, Suppressed, Withheld
from reports.models import ExportFormat, GeneratedReport, ReportStatus, ReportTemplate, UserLogin, reports_storage
from reports.periods import Period
from reports.renderers import excel, pdf
from reports.services import downloading, generating, requesting
from reports.tests.readers import shown_text

THRESHOLD = 10
MARKER = "<11"
NOT_SHOWN = WITHHELD_TEXT
QUARTER = Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
REPORT_TYPES = sorted(catalog.REPORT_TYPES)
MIGRATION = importlib.import_module("reports.migrations.0011_document_kinds")
FIGURE_KINDS = importlib.import_module("reports.migrations.0014_figure_kinds")
CALENDAR = importlib.import_module("reports.migrations.0015_calendar_kinds")


# --- the clinic ----------------------------------------------------------------------------------


@pytest.fixture
def clinic(
    make_user, make_patient, make_medical_visit, make_dental_visit, make_feedback, make_campaign, make_participant
):
    """45 patients: 30 students, 12 faculty, 3 staff (new in February), with visits, feedback and campaigns.

    Each group is large or small on purpose: 30 and 12 are above the threshold, 3 is below.
    Two doctors attend the influenza visits and log in; two students have logins, one used.
    """
    doctors = [make_user("DOCTOR") for _ in range(2)]
    for day, doctor in enumerate(doctors * 3, start=1):
        UserLogin.objects.create(user=doctor, logged_in_at=local(2025, 1, day))
    students = [make_patient(sex="F", date_of_birth=dt.date(2000, 6, 1)) for _ in range(30)]
    faculty = [make_patient(sex="M", patient_type="FACULTY", date_of_birth=dt.date(1985, 1, 1)) for _ in range(12)]
    staff = [
        make_patient(sex="O", patient_type="STAFF", date_of_birth=dt.date(1960, 1, 1), registered_at=local(2025, 2, 1))
        for _ in range(3)
    ]
    vitals = {"temperature_c": Decimal("38.0"), "systolic_bp": 115, "diastolic_bp": 75, "heart_rate": 80}
    body = {"weight_kg": Decimal("55"), "height_cm": Decimal("165")}
    for day, patient in enumerate(students[:25], start=1):
        fields = {"diagnosis": "Influenza", "diagnosis_code": "J11", "outcome": "RESOLVED", **vitals, **body}
        fields["attended_by"] = doctors[day % 2]
        make_medical_visit(patient, local(2025, 1, day, 9), **fields)
    for day, patient in enumerate(faculty, start=1):
        make_medical_visit(
            patient,
            local(2025, 2, day, 14),
            diagnosis="Hypertension",
            diagnosis_code="I10",
            outcome="IMPROVED",
            follow_up_required=True,
            temperature_c=Decimal("36.8"),
            systolic_bp=135,
            diastolic_bp=85,
            weight_kg=Decimal("90"),
            height_cm=Decimal("175"),
        )
    for day, patient in enumerate([*staff, staff[0]], start=3):
        make_medical_visit(patient, local(2025, 3, day, 16), diagnosis="asthma", systolic_bp=185, diastolic_bp=100)
    for day, patient in enumerate(students[:15], start=1):
        make_dental_visit(
            patient,
            local(2025, 1, day, 9),
            procedure="CLEANING",
            outcome="RESOLVED",
            oral_hygiene="GOOD",
            gum_condition="HEALTHY",
            pain_level=1,
        )
    for day, patient in enumerate(faculty[:6], start=1):
        make_dental_visit(
            patient,
            local(2025, 2, day, 14),
            procedure="EXTRACTION",
            outcome="REFERRED",
            oral_hygiene="POOR",
            gum_condition="GINGIVITIS",
            priority="HIGH",
            pain_level=7,
        )
    for day, patient in enumerate(staff[:2], start=3):
        make_dental_visit(patient, local(2025, 3, day, 16), procedure="FILLING", outcome="WORSENED", priority="URGENT")
    for index, patient in enumerate(students[:20]):
        make_feedback(
            patient,
            local(2025, 1, index + 1, 11),
            5,
            recommend=True,
            courteous=True,
            comments="Very kind staff" if index < 2 else "",
            responded_at=local(2025, 1, index + 1, 13),
        )
    for index, patient in enumerate(faculty + students[20:22]):
        make_feedback(patient, local(2025, 2, index + 1, 11), 4, recommend=True)
    for index, patient in enumerate(staff):
        make_feedback(patient, local(2025, 3, index + 5, 11), 2, recommend=False, comments="Long wait")
    make_feedback(students[29], local(2025, 3, 20, 11), 1, recommend=False)
    flu = make_campaign(title="Flu shots", start_date=dt.date(2025, 1, 6), end_date=dt.date(2025, 1, 31))
    booster = make_campaign(title="Boosters", start_date=dt.date(2025, 2, 3), end_date=dt.date(2025, 2, 28))
    screening = make_campaign(
        title="Blood pressure screening",
        campaign_type="SCREENING",
        start_date=dt.date(2025, 3, 3),
        end_date=dt.date(2025, 3, 28),
    )
    for index, patient in enumerate(students[:20]):
        make_participant(flu, patient, attended=index < 18)
    for patient in students[20:25]:
        make_participant(booster, patient, attended=True)
    for patient in faculty:
        make_participant(screening, patient)
    for index, patient in enumerate(students[:2]):
        patient.user = make_user("STUDENT")
        patient.save()
        if index:
            UserLogin.objects.create(user=patient.user, logged_in_at=local(2025, 3, 1))


def build(report_type):
    return catalog.get(report_type).build(ReportParams(period=QUARTER))


# --- the generic checker -------------------------------------------------------------------------


def hidden(plan, document, cell, threshold=THRESHOLD):
    value = plan.read(document, cell)
    return value == suppression.marker(threshold) or isinstance(value, Withheld)


def rank(rows):
    """The rank of a matrix of Fractions (Gaussian elimination)."""
    rows = [list(row) for row in rows]
    rank = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((index for index in range(rank, len(rows)) if rows[index][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for index in range(len(rows)):
            if index != rank and rows[index][column]:
                factor = rows[index][column] / rows[rank][column]
                rows[index] = [value - factor * lead for value, lead in zip(rows[index], rows[rank], strict=True)]
        rank += 1
    return rank


def relations(plan, document, threshold, tag=None):
    """Every relation of ``plan`` as a linear equation over the values ``document`` hides (and any rest of parts
    not shown), each named ``(tag, cell)`` or ``(tag, relation number)`` for a rest."""
    equations = []
    for number, (parts, total, rest) in enumerate(plan.groups):
        equation = {}
        for cell, sign in [*((part, 1) for part in parts), *([(total, -1)] if total is not None else [])]:
            if hidden(plan, document, cell, threshold):
                equation[tag, cell] = equation.get((tag, cell), 0) + sign
        if rest:
            equation[tag, number] = 1
        if equation:
            equations.append(equation)
    return equations


def sensitive(plan, names, threshold):
    """The ``names`` of hidden values, and of rests of parts from 1 to ``threshold``, that must stay unknown."""
    return [
        name for name in names if not isinstance(name[1], int) or 1 <= plan.rest(*plan.groups[name[1]][:2]) <= threshold
    ]


def determined(equations, names):
    """The ``names`` whose value the equations determine: a unit vector in their span (the rank does not grow)."""
    unknowns = list(dict.fromkeys(name for equation in equations for name in equation))
    if not unknowns:
        return []
    matrix = [[Fraction(equation.get(name, 0)) for name in unknowns] for equation in equations]
    base = rank(matrix)
    return [name for name in names if rank([*matrix, [Fraction(name == other) for other in unknowns]]) == base]


def recoverable(plan, document, threshold):
    """Hidden cells (and small rests of parts) whose value the shown values and the relations determine.

    Every relation is a linear equation over the hidden values; a value is determined when
    its unit vector lies in the span of the equations (the rank does not grow when it is added).
    """
    equations = relations(plan, document, threshold)
    names = list(dict.fromkeys(name for equation in equations for name in equation))
    return [cell for _, cell in determined(equations, sensitive(plan, names, threshold))]


def check_suppressed(original, suppressed, threshold=THRESHOLD):
    """Assert that ``suppressed`` follows the rule for every relation ``original``'s declaration names."""
    plan = suppression.Plan(catalog.get(original.report_type).suppression, original)

    def covered(cell):
        return hidden(plan, suppressed, cell, threshold)

    for parts, total, rest in plan.groups:
        if total is not None and plan.number(total) is not None:
            shown = plan.number(total) - sum(plan.number(part) for part in parts)
            assert shown >= 0 if rest else shown == 0, f"a declared relation does not hold: {parts} → {total}"
    for cell in plan.values:
        value = plan.read(suppressed, cell)
        assert covered(cell) or value == plan.read(original, cell), f"{cell} changed to {value!r}"
    for cell in plan.counts:
        assert covered(cell) or not 1 <= plan.number(cell) <= threshold, f"{cell} shows a small count"
    for parts, total, rest in plan.groups:
        members = [*parts, *([total] if total is not None else [])]
        count = sum(map(covered, members)) + rest
        if count == 1:
            assert rest and not 1 <= plan.rest(parts, total) <= threshold, f"{members} give away their hidden member"
    for cell, inputs in plan.derived:
        if any(map(covered, inputs)):
            assert covered(cell), f"{cell} is computed from a hidden count"
    assert recoverable(plan, suppressed, threshold) == []
    return plan


# --- every report type ---------------------------------------------------------------------------

# A few cells of each report on the clinic: hidden (small, or giving a small one away) and shown (large).
RECORD_COUNT = "record_count"
EXPECTED = {
    "PATIENT_SUMMARY": {
        "hidden": [("new_registrations",), ("by_sex", "Other", "patients"), ("by_sex", "Male", "patients")],
        "shown": {("total_patients",): 45, ("by_sex", "Female", "patients"): 30, (RECORD_COUNT,): 45},
    },
    "VISIT_TRENDS": {
        "hidden": [("by_hour", 16, "visits"), ("by_hour", 14, "visits"), ("over_time", "2025-03-03", "medical")],
        "shown": {("total_visits",): 64, ("by_hour", 9, "visits"): 40, ("over_time", "2025-01-06", "total"): 14},
    },
    "TREATMENT_OUTCOMES": {
        "hidden": [("outcomes", "Pending", "cases"), ("outcomes", "Worsened", "cases"), ("success_rate",)],
        "shown": {("total_cases",): 64, ("outcomes", "Resolved", "cases"): 40},
    },
    "FEEDBACK_ANALYSIS": {
        "hidden": [
            ("rating_distribution", 1, "count"),
            ("satisfaction_rate",),
            ("recent_comments", "2025-03-07", "rating"),
        ],
        "shown": {("total_feedback",): 38, ("rating_distribution", 5, "count"): 20},
    },
    "MEDICAL_STATISTICS": {
        "hidden": [("by_patient_type", "Staff", "visits"), ("blood_pressure", "Hypertensive crisis", "visits")],
        "shown": {("medical_visits",): 41, ("by_patient_type", "Student", "visits"): 25, ("fever_visits",): 25},
    },
    "DENTAL_STATISTICS": {
        # 15 of 23 visits preventive leaves 8 that are not: the 15 are hidden too.
        "hidden": [("procedures", "Filling", "visits"), ("preventive_visits",), ("procedures", "Cleaning", "visits")],
        "shown": {("dental_visits",): 23, ("priority", "Low", "visits"): 15, ("oral_hygiene", "Good", "visits"): 15},
    },
    "CAMPAIGN_PERFORMANCE": {
        # Boosters' 5 and Flu shots' 20 make the Vaccination row's 25: both hidden; 18 of 20 leaves 2 not attending.
        "hidden": [
            ("campaigns", "Boosters", "participants"),
            ("campaigns", "Flu shots", "participants"),
            ("campaigns", "Flu shots", "attended"),
        ],
        "shown": {("total_participants",): 37, ("active_patients",): 40, (RECORD_COUNT,): 3},
    },
    "COMPREHENSIVE_ANALYTICS": {
        # The weeks' small visit counts are hidden (the 6 of the week of 3 March, the 3 of 10 February);
        # 34 of 38 feedback satisfied leaves 4 that are not: the rate is withheld, and every week's
        # satisfied count, each from 1 to 10, with it.
        "hidden": [
            ("new_registrations",),
            ("satisfaction_rate",),
            ("success_rate",),
            ("visits_trend", "2025-03-03", "visits"),
            ("visits_trend", "2025-02-10", "visits"),
            ("satisfaction_trend", "2025-02-03", "satisfied"),
            ("top_diagnoses", "asthma", "patients"),
        ],
        "shown": {
            ("total_visits",): 64,
            ("attended_visits",): 25,
            ("feedback_responses",): 38,
            ("visits_trend", "2025-01-06", "visits"): 14,
            ("top_diagnoses", "Influenza (J11)", "visits"): 25,
            (RECORD_COUNT,): 64,
        },
    },
    "CLINICIAN_WORKLOAD": {
        "hidden": [("by_hour", "16", "monday"), ("by_hour", "14", "tuesday")],
        "shown": {
            ("total_visits",): 64,
            ("attended_visits",): 25,
            ("unattended_share",): 0.6094,
            ("clinicians",): 2,
            ("patients_seen",): 40,
            (RECORD_COUNT,): 64,
        },
    },
}


def locate(document, where):
    """The value a cell description names: a summary key, the record count, or (section, first column, column)."""
    if where == (RECORD_COUNT,):
        return document.record_count
    if len(where) == 1:
        return document.summary[where[0]]
    key, first, column = where
    section = document.section(key)
    (row,) = [row for row in section.rows if row[0] == first]
    return row[section.columns.index(column)]


def kind_of(document, where):
    """The kind of the value a cell description names."""
    if where == (RECORD_COUNT,):
        return COUNT
    if len(where) == 1:
        return document.summary_kinds[where[0]]
    return document.section(where[0]).kinds[where[2]]


def cell_kind(document, cell):
    """The kind of a ``suppression.Plan`` cell."""
    if cell[0] == "record_count":
        return COUNT
    if cell[0] == "summary":
        return document.summary_kinds[cell[1]]
    return document.section(cell[1]).kinds[cell[3]]


@pytest.mark.parametrize("report_type", REPORT_TYPES)
def test_a_hidden_count_is_marked_as_one_and_a_hidden_rate_or_average_is_not_shown(clinic, report_type):
    original = build(report_type)
    suppressed = catalog.get(report_type).suppress(original, THRESHOLD)
    plan = suppression.Plan(catalog.get(report_type).suppression, original)
    marks = {cell: plan.read(suppressed, cell) for cell in plan.values if hidden(plan, suppressed, cell)}
    counts = {cell: mark for cell, mark in marks.items() if cell_kind(original, cell) == COUNT}
    others = {cell: mark for cell, mark in marks.items() if cell_kind(original, cell) != COUNT}
    assert all(isinstance(mark, Suppressed) and str(mark) == MARKER for mark in counts.values()), counts
    assert all(isinstance(mark, Withheld) and str(mark) == NOT_SHOWN for mark in others.values()), others
    assert counts, "the clinic hides counts here"


@pytest.mark.parametrize("report_type", REPORT_TYPES)
def test_every_report_type_hides_small_counts_and_what_gives_them_away(clinic, report_type):
    original = build(report_type)
    computed = copy.deepcopy(original.as_dict())
    suppressed = catalog.get(report_type).suppress(original, THRESHOLD)
    assert original.as_dict() == computed
    plan = check_suppressed(original, suppressed)
    assert any(1 <= plan.number(cell) <= THRESHOLD for cell in plan.counts), "the clinic has small counts here"
    expected = EXPECTED[report_type]
    for where in expected["hidden"]:
        assert locate(suppressed, where) == (MARKER if kind_of(suppressed, where) == COUNT else NOT_SHOWN), where
    for where, value in expected["shown"].items():
        assert locate(original, where) == value and locate(suppressed, where) == value, where
    assert suppressed.suppression == {"threshold": THRESHOLD}
    assert any(MARKER in note for note in suppressed.notes)


@pytest.mark.parametrize("report_type", REPORT_TYPES)
def test_an_empty_period_suppresses_nothing(db, report_type):
    document = catalog.get(report_type).build(ReportParams(period=Period(dt.date(2030, 1, 1), dt.date(2030, 1, 31))))
    suppressed = catalog.get(report_type).suppress(document, THRESHOLD)
    check_suppressed(document, suppressed)
    plan = suppression.Plan(catalog.get(report_type).suppression, document)
    assert not any(hidden(plan, suppressed, cell) for cell in plan.values)


# --- the rule on small documents -----------------------------------------------------------------


# The kinds of the values of the small documents.
KINDS = {
    "total": COUNT,
    "treated": COUNT,
    "new_figure": COUNT,
    "success_rate": RATE,
    "recommend_rate": RATE,
    "group": TEXT,
    "patients": COUNT,
    "share": RATE,
}


def document(summary, rows=(), columns=("group", "patients", "share")):
    """A document of type TEST: ``summary``, and a section "groups" when there are ``columns``."""
    kinds = {key: KINDS[key] for key in (*summary, *columns)}
    return ReportDocument(
        report_type="TEST",
        title="Test",
        generated_at="2025-04-01T09:00:00+08:00",
        period={"start": "2025-01-01", "end": "2025-03-31"},
        filters={},
        record_count=summary["total"],
        summary=summary,
        summary_kinds=kinds,
        sections=[Section("groups", "Groups", list(columns), [list(row) for row in rows], kinds)] if columns else [],
    )


RULES = suppression.Rules(
    counts=("total",),
    record_count="total",
    sections={
        "groups": suppression.Table(
            shown=("group",),
            counts=("patients",),
            derived={"share": suppression.rate("patients", over="total")},
            totals={"patients": "total"},
        )
    },
)


def shown_rows(rules, original, threshold=THRESHOLD):
    plan = suppression.Plan(rules, original)
    return plan.apply(plan.hidden(threshold), threshold).section("groups").rows


def test_the_next_smallest_cell_of_the_column_is_hidden_with_a_small_one_and_zeros_stay():
    rows = [["A", 40, 0.5], ["B", 3, 0.0375], ["C", 0, 0.0], ["D", 25, 0.3125], ["E", 12, 0.15]]
    assert shown_rows(RULES, document({"total": 80}, rows)) == [
        ["A", 40, 0.5],
        ["B", MARKER, NOT_SHOWN],
        ["C", 0, 0.0],
        ["D", 25, 0.3125],
        ["E", MARKER, NOT_SHOWN],
    ]


def test_two_small_cells_protect_each_other_and_a_tie_hides_the_first():
    rows = [["A", 40, 0.5], ["B", 3, 0.05], ["C", 7, 0.1], ["D", 20, 0.2]]
    assert [row[1] for row in shown_rows(RULES, document({"total": 70}, rows))] == [40, MARKER, MARKER, 20]
    rows = [["A", 20, 0.4], ["B", 5, 0.1], ["C", 20, 0.4], ["D", 5, 0.1]]
    assert [row[1] for row in shown_rows(RULES, document({"total": 50}, rows))] == [20, MARKER, 20, MARKER]
    rows = [["A", 20, 0.4], ["B", 5, 0.1], ["C", 20, 0.4], ["D", 0, 0.0]]
    assert [row[1] for row in shown_rows(RULES, document({"total": 45}, rows))] == [MARKER, MARKER, 20, 0]


def test_a_small_total_hides_its_parts_and_the_record_count():
    plan = suppression.Plan(RULES, document({"total": 14}, [["A", 12, 0.8571], ["B", 2, 0.1429]]))
    suppressed = plan.apply(plan.hidden(THRESHOLD), THRESHOLD)
    assert suppressed.section("groups").rows == [["A", MARKER, NOT_SHOWN], ["B", MARKER, NOT_SHOWN]]
    assert (suppressed.summary["total"], suppressed.record_count) == (14, 14)
    plan = suppression.Plan(RULES, document({"total": 9}, [["A", 9, 1.0], ["B", 0, 0.0]]))
    suppressed = plan.apply(plan.hidden(THRESHOLD), THRESHOLD)
    assert (suppressed.summary["total"], suppressed.record_count) == (MARKER, MARKER)
    assert suppressed.section("groups").rows == [["A", MARKER, NOT_SHOWN], ["B", 0, NOT_SHOWN]]  # 0 of a hidden total


def test_a_part_that_leaves_a_small_rest_of_its_whole_is_hidden():
    rules = suppression.Rules(counts=("total", "treated"), within={"treated": "total"}, record_count="total")
    for treated, total, shown in [(18, 20, MARKER), (15, 30, 15), (20, 20, 20), (0, 3, 0)]:
        plan = suppression.Plan(rules, document({"total": total, "treated": treated}, columns=()))
        assert plan.apply(plan.hidden(THRESHOLD), THRESHOLD).summary["treated"] == shown, (treated, total)


def test_a_rate_whose_numerator_is_not_shown_is_hidden_like_the_count_it_stands_for():
    rules = suppression.Rules(
        counts=("total",), derived={"success_rate": suppression.rate(over="total")}, record_count="total"
    )
    for success_rate, shown in [(0.05, NOT_SHOWN), (0.5, 0.5), (0.95, NOT_SHOWN), (0.0, 0.0), (1.0, 1.0)]:
        plan = suppression.Plan(rules, document({"total": 100, "success_rate": success_rate}, columns=()))
        assert plan.apply(plan.hidden(THRESHOLD), THRESHOLD).summary["success_rate"] == shown, success_rate


def test_a_rate_over_a_base_not_shown_is_hidden_when_it_could_be_a_few_people():
    rules = suppression.Rules(
        counts=("total",), derived={"recommend_rate": suppression.rate(within="total")}, record_count="total"
    )
    # 0.8 could be 4 of 5; 0.0213 is 1 of 47; 0.5714 could be 4 of 7; 0.2537 is 17 of 67 at the least.
    for recommend_rate, shown in [(0.8, NOT_SHOWN), (0.0213, NOT_SHOWN), (0.5714, NOT_SHOWN), (0.2537, 0.2537)]:
        plan = suppression.Plan(rules, document({"total": 200, "recommend_rate": recommend_rate}, columns=()))
        assert plan.apply(plan.hidden(THRESHOLD), THRESHOLD).summary["recommend_rate"] == shown, recommend_rate


def test_the_threshold_sets_the_marker_and_what_is_small():
    rows = [["A", 40, 0.6154], ["B", 6, 0.0923], ["C", 19, 0.2923]]
    assert [row[1] for row in shown_rows(RULES, document({"total": 65}, rows), threshold=5)] == [40, 6, 19]
    assert [row[1] for row in shown_rows(RULES, document({"total": 65}, rows), threshold=6)] == [40, "<7", "<7"]


@pytest.mark.parametrize("report_type", REPORT_TYPES)
def test_a_report_type_without_a_declaration_is_never_suppressed_silently(report_type):
    declared = catalog.get(report_type)
    assert isinstance(declared.suppression, suppression.Rules)
    attributes = {name: getattr(declared, name) for name in ReportType.DECLARED if name != "suppression"}
    with pytest.raises(TypeError, match="declares no suppression"):
        type("Undeclared", (ReportType,), {**attributes, "key": "UNDECLARED"})
    assert "UNDECLARED" not in catalog.REPORT_TYPES


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda doc: doc.summary.update(new_figure=3), "undeclared \\['new_figure'\\]"),
        (lambda doc: doc.summary.pop("total"), "unknown \\['total'\\]"),
        (lambda doc: doc.section("groups").columns.append("visits"), "undeclared \\['visits'\\]"),
        (lambda doc: doc.sections.append(Section("extra", "Extra", [], [])), "undeclared \\['extra'\\]"),
    ],
)
def test_a_value_the_declaration_does_not_know_fails_loudly(change, message):
    original = document({"total": 50}, [["A", 50, 1.0]])
    change(original)
    with pytest.raises(ImproperlyConfigured, match=message):
        suppression.Plan(RULES, original)


# --- every format --------------------------------------------------------------------------------


def markers(document, mark=MARKER, export_format=None):
    """How many values of the document are ``mark`` (summary, sections and record count).

    In the PDF, a section charted by trends alone is drawn, not printed: a hidden value is a grey band.
    """
    sections = [section for section in document.sections if export_format != "PDF" or not document.trends_only(section)]
    values = [document.record_count, *document.summary.values()]
    values += [value for section in sections for row in section.rows for value in row]
    return sum(value == mark for value in values)


def withheld_cells(export_format, content, notes):
    """How many values of a rendered file are "not shown": cells, or in the PDF's words those outside the notes."""
    if export_format != "PDF":
        return file_cells(export_format, content).count(NOT_SHOWN)
    words = " ".join(file_cells(export_format, content))
    return words.count(NOT_SHOWN) - sum(" ".join(note.split()).count(NOT_SHOWN) for note in notes)


def file_cells(export_format, content):
    """Every cell or word of a rendered file, as text."""
    if export_format == "JSON":
        data = json.loads(content)
        values = [data["record_count"], *data["summary"].values()]
        return [value for section in data["sections"] for row in section["rows"] for value in row] + values
    if export_format == "CSV":
        return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    if export_format == "EXCEL":
        book = openpyxl.load_workbook(io.BytesIO(content))
        return [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return text.split()


@pytest.mark.parametrize("report_type", REPORT_TYPES)
def test_every_format_renders_the_same_markers_and_says_why(clinic, report_type):
    suppressed = catalog.get(report_type).suppress(build(report_type), THRESHOLD)
    assert markers(suppressed)
    for export_format in ExportFormat.values:
        content, _ = generating.render(suppressed, export_format)
        cells = file_cells(export_format, content)
        assert cells.count(MARKER) == markers(suppressed, MARKER, export_format), export_format
        withheld = markers(suppressed, NOT_SHOWN, export_format)
        assert withheld_cells(export_format, content, suppressed.notes) == withheld, export_format
        if export_format == "JSON":
            assert json.loads(content)["suppression"] == {"threshold": THRESHOLD}
            assert any(note.startswith("Small-cell suppression") for note in json.loads(content)["notes"])
        else:
            assert "Small-cell suppression" in " ".join(map(str, cells)), export_format


def chart_files(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [name for name in archive.namelist() if name.startswith("xl/charts/chart")]


def test_charts_leave_suppressed_values_out():
    rows = [["A", 40, 0.5], ["B", 3, 0.0375], ["C", 25, 0.3125], ["D", 12, 0.15]]
    original = document({"total": 80}, rows)
    kinds = {"pie": "pie", "bar": "bar", "line": "line"}
    original.charts = [Chart(kind, kind, kind, "groups", "group", ["patients"]) for kind in kinds]
    plan = suppression.Plan(RULES, original)
    suppressed = plan.apply(plan.hidden(THRESHOLD), THRESHOLD)
    drawings = {chart.kind: charts.document_chart(suppressed, chart, 400) for chart in suppressed.charts}
    assert drawings["pie"] is None  # its shares would be wrong without the hidden slices
    bars = drawings["bar"].contents[0]
    assert bars.data == [[40, None, 25, None]]
    assert drawings["line"].contents[0].data == [[40, None, 25, None]]
    # Excel draws text as zero: the bar chart stays (no bar), the line and the pie are left out.
    assert len(chart_files(excel.render(suppressed))) == 1
    assert len(chart_files(excel.render(original))) == 3
    assert pdf.render(suppressed).startswith(b"%PDF")


# --- generating, storing and serving -------------------------------------------------------------

GENERATE = "/api/reports/templates/{}/generate/"
VALID = {"date_range_start": "2025-01-01", "date_range_end": "2025-03-31", "export_format": "JSON"}


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }


def generated(report):
    generating.run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPLETED, report.error_message
    return report


def stored_file(report):
    with reports_storage().open(report.file.name) as handle:
        return handle.read()


@pytest.mark.parametrize("value", ["yes", 1, None, "true", 0, [True], {"on": True}])
def test_the_api_accepts_only_true_or_false(api, template, value):
    response = api.post(GENERATE.format(template.pk), {**VALID, "suppress_small_counts": value}, format="json")
    assert response.status_code == 400
    assert response.json()["suppress_small_counts"] == ["Must be true or false."] or value is None
    assert response.json()["suppress_small_counts"]
    assert GeneratedReport.objects.count() == 0


def test_the_template_default_applies_and_the_request_overrides_it(api, template):
    def requested(**option):
        body = api.post(GENERATE.format(template.pk), {**VALID, **option}, format="json").json()
        assert GeneratedReport.objects.get(pk=body["id"]).suppress_small_counts is body["suppress_small_counts"]
        assert (
            api.get(f"/api/reports/generated/{body['id']}/").json()["suppress_small_counts"]
            is body["suppress_small_counts"]
        )
        return body["suppress_small_counts"]

    assert api.get(f"/api/reports/templates/{template.pk}/").json()["suppress_small_counts"] is False
    assert [requested(), requested(suppress_small_counts=True), requested(suppress_small_counts=False)] == [
        False,
        True,
        False,
    ]
    ReportTemplate.objects.filter(pk=template.pk).update(suppress_small_counts=True)
    assert api.get(f"/api/reports/templates/{template.pk}/").json()["suppress_small_counts"] is True
    assert [requested(), requested(suppress_small_counts=False), requested(suppress_small_counts=True)] == [
        True,
        False,
        True,
    ]


def test_a_suppressed_report_stores_and_serves_the_suppressed_document(clinic, storage, make_report, doctor):
    report = generated(make_report(doctor, suppress_small_counts=True))
    original = build(report.report_type)
    stored = ReportDocument.from_dict(report.document)
    check_suppressed(original, stored)
    assert stored.suppression == {"threshold": THRESHOLD} and report.document["suppression"] == stored.suppression
    assert json.loads(stored_file(report)) == report.document
    assert report.record_count == 64

    tiers.delete_everywhere(report.file.name)  # a lost file is rebuilt from the stored document
    served = downloading.open_report_file(GeneratedReport.objects.get(pk=report.pk))
    assert served.tier == downloading.REBUILD and json.loads(served.file.read()) == report.document

    GeneratedReport.objects.filter(pk=report.pk).update(document=None)
    tiers.delete_everywhere(GeneratedReport.objects.get(pk=report.pk).file.name)
    served = downloading.open_report_file(GeneratedReport.objects.get(pk=report.pk))
    rebuilt = json.loads(served.file.read())  # rebuilt from the parameters: suppressed all the same
    assert served.tier == downloading.REBUILD
    assert (rebuilt["summary"], rebuilt["sections"]) == (report.document["summary"], report.document["sections"])


def file_contents(export_format, content):
    """What a reader finds in a file: JSON without kinds, the CSV, Excel's cells and their formats, the PDF's text."""
    if export_format == "JSON":
        return MIGRATION.without_kinds(json.loads(content))
    if export_format == "EXCEL":
        book = openpyxl.load_workbook(io.BytesIO(content))
        cells = [(cell.coordinate, cell.value, cell.number_format) for sheet in book for row in sheet for cell in row]
        return book.sheetnames, cells, chart_files(content)
    if export_format == "PDF":
        return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    return content


# The report types whose documents were stored before values had kinds.
BEFORE_KINDS = (
    "CAMPAIGN_PERFORMANCE",
    "COMPREHENSIVE_ANALYTICS",
    "DENTAL_STATISTICS",
    "FEEDBACK_ANALYSIS",
    "MEDICAL_STATISTICS",
    "PATIENT_SUMMARY",
    "TREATMENT_OUTCOMES",
    "VISIT_TRENDS",
)


def months_as_then(document):
    """A document whose series step by month as documents held them before steps: the section ``monthly``
    and its column ``month``. It shows the same: the step column's label is "Month" too."""
    document = copy.deepcopy(document)
    for section in document["sections"]:
        if section["kinds"].get("step") == "month":
            section["key"] = "monthly" if section["key"] == "over_time" else section["key"]
            section["columns"] = ["month" if column == "step" else column for column in section["columns"]]
            section["kinds"]["month"] = section["kinds"].pop("step")
    for chart in document["charts"]:
        if chart["category"] == "step":
            chart["category"] = "month"
        if chart["section"] == "over_time":
            chart.update(key="monthly", section="monthly")
    document.get("labels", {}).pop("step", None)
    return document


def stored_before_kinds(document):
    """A stored document as it was before kinds: every hidden value "<11", no kinds, series by month."""
    return MIGRATION.without_kinds(FIGURE_KINDS.without_figure_kinds(months_as_then(document)))


def migrated_since(document):
    """A stored document of before kinds after the migrations since."""
    return CALENDAR.with_calendar_kinds(FIGURE_KINDS.with_figure_kinds(MIGRATION.with_kinds(document)))


@pytest.mark.parametrize("report_type", BEFORE_KINDS)
def test_a_document_stored_before_kinds_shows_the_same_once_migrated(clinic, report_type):
    seven_months = ReportParams(period=Period(dt.date(2025, 1, 1), dt.date(2025, 7, 31)))  # a series by month
    built = catalog.get(report_type).suppress(catalog.get(report_type).build(seven_months), THRESHOLD)
    document = ReportDocument.from_dict(months_as_then(built.as_dict()))
    migrated = ReportDocument.from_dict(migrated_since(stored_before_kinds(document.as_dict())))
    for export_format in ExportFormat.values:
        rendered = [
            file_contents(export_format, generating.render(doc, export_format)[0]) for doc in (migrated, document)
        ]
        assert rendered[0] == rendered[1], export_format
    report = SimpleNamespace(pk=1, export_format="PDF")
    assert preview(report, migrated) == preview(report, document)


@pytest.mark.parametrize("export_format", ExportFormat.values)
def test_a_report_stored_before_kinds_is_migrated_and_rebuilt_identically(
    clinic, storage, make_report, doctor, export_format
):
    seven_months = {"date_range_end": dt.date(2025, 7, 31)}  # a series by month, as documents then held
    report = generated(make_report(doctor, suppress_small_counts=True, export_format=export_format, **seven_months))
    original = generating.render(ReportDocument.from_dict(months_as_then(report.document)), export_format)[0]
    before = stored_before_kinds(report.document)
    GeneratedReport.objects.filter(pk=report.pk).update(document=before)
    for forwards in (MIGRATION.add_kinds, FIGURE_KINDS.forwards, CALENDAR.add_calendar_kinds):
        forwards(django_apps, None)
    migrated = GeneratedReport.objects.get(pk=report.pk)
    assert migrated.document == migrated_since(before)
    tiers.delete_everywhere(migrated.file.name)
    served = downloading.open_report_file(migrated)
    assert served.tier == downloading.REBUILD
    assert file_contents(export_format, served.file.read()) == file_contents(export_format, original)
    CALENDAR.remove_calendar_kinds(django_apps, None)
    assert GeneratedReport.objects.get(pk=report.pk).document == CALENDAR.without_months(migrated.document)
    for backwards in (FIGURE_KINDS.backwards, MIGRATION.remove_kinds):
        backwards(django_apps, None)
    assert GeneratedReport.objects.get(pk=report.pk).document == before


def test_the_option_off_changes_nothing(clinic, storage, make_report, doctor):
    report = generated(make_report(doctor))
    expected = build(report.report_type).as_dict()
    assert report.suppress_small_counts is False
    assert {**report.document, "generated_at": None, "title": None} == {
        **expected,
        "generated_at": None,
        "title": None,
    }
    assert "suppression" not in report.document
    assert MARKER not in stored_file(report).decode()


def test_a_small_record_count_is_hidden_on_the_record_and_in_the_preview(
    storage, make_report, doctor, make_patient, make_medical_visit
):
    patient = make_patient()
    for day in (6, 7, 8):
        make_medical_visit(patient, local(2025, 1, day, 9))
    report = generated(make_report(doctor, suppress_small_counts=True))
    assert report.document["record_count"] == MARKER and report.record_count is None
    client = APIClient()
    client.force_authenticate(doctor)
    preview = client.get(f"/api/reports/generated/{report.pk}/preview/")
    assert preview.status_code == 200
    body = preview.json()
    assert body["record_count"] == MARKER
    assert {figure["key"]: figure["text"] for figure in body["summary"]}["total_visits"] == MARKER
    assert client.get(f"/api/reports/generated/{report.pk}/").json()["record_count"] is None


def test_the_threshold_setting_sets_the_marker(clinic, storage, make_report, doctor, settings):
    settings.SMALL_CELL_THRESHOLD = 5
    report = generated(make_report(doctor, suppress_small_counts=True))
    stored = ReportDocument.from_dict(report.document)
    check_suppressed(build(report.report_type), stored, threshold=5)
    assert dict(stored.section("by_hour").rows)[16] == 6  # hidden under the default threshold of 10
    weekly = {row[0]: row for row in stored.section("over_time").rows}
    assert weekly["2025-03-03"] == ["2025-03-03", "<6", "<6", 6]
    assert MARKER not in json.dumps(report.document)


def test_an_export_keeps_the_reports_suppression(clinic, storage, make_report, doctor):
    report = generated(make_report(doctor, suppress_small_counts=True))
    exported = requesting.export_report(report, user=doctor, export_format="CSV")
    assert exported.suppress_small_counts is True
    assert MARKER in stored_file(generated(exported)).decode("utf-8-sig")


def test_a_day_whose_medical_visits_are_all_hidden_still_makes_its_pdf(
    storage, make_report, doctor, make_patient, make_medical_visit, make_dental_visit
):
    """The line chart over time has one step: medical hidden (3 visits), dental hidden with it (else the
    total would give the medical count away), the total shown: lines with no point beside one with one."""
    patient = make_patient()
    for hour in range(3):
        make_medical_visit(patient, local(2025, 3, 3, 8 + hour))
    for visit in range(32):
        make_dental_visit(patient, local(2025, 3, 3, 8 + visit % 9))
    day = {"date_range_start": dt.date(2025, 3, 3), "date_range_end": dt.date(2025, 3, 3)}
    report = generated(make_report(doctor, export_format=ExportFormat.PDF, suppress_small_counts=True, **day))
    over_time = ReportDocument.from_dict(report.document).section("over_time").rows
    assert [row[1:] for row in over_time] == [[MARKER, MARKER, 35]]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(stored_file(report))).pages)
    assert "Visits by day" in text


# --- what a hidden rate, a hidden chart and few comments say -------------------------------------------


@pytest.fixture
def quiet_week(make_patient, make_feedback):
    """A week with 7 feedback responses, each with a comment."""
    patient = make_patient()
    for day in range(7):
        submitted = local(2025, 3, 3 + day, 10)
        make_feedback(
            patient,
            submitted,
            4 + day % 2,
            comments=f"Comment number {day}",
            responded_at=submitted + dt.timedelta(hours=3),
        )
    return Period(dt.date(2025, 3, 3), dt.date(2025, 3, 9))


def suppressed_feedback(period):
    report_type = catalog.get("FEEDBACK_ANALYSIS")
    return report_type.suppress(report_type.build(ReportParams(period=period)), THRESHOLD)


def test_a_rate_or_average_over_few_responses_is_not_shown_never_a_count_marker(quiet_week):
    document = suppressed_feedback(quiet_week)
    assert document.summary["total_feedback"] == MARKER
    for key in ("average_rating", "satisfaction_rate", "median_response_hours"):
        assert document.summary[key] == NOT_SHOWN and isinstance(document.summary[key], Withheld), key
    text = " ".join(file_cells("PDF", generating.render(document, ExportFormat.PDF)[0]))
    assert "Average rating not shown" in text and "Satisfaction rate not shown" in text
    assert "Average rating <11" not in text and "Satisfaction rate <11" not in text
    stored = json.loads(generating.render(document, ExportFormat.JSON)[0])
    assert stored["summary"]["average_rating"] == NOT_SHOWN
    assert ReportDocument.from_dict(stored).summary["average_rating"] == document.summary["average_rating"]


def test_comments_from_too_few_responses_are_left_out_of_every_format(quiet_week):
    document = suppressed_feedback(quiet_week)
    assert "recent_comments" not in [section.key for section in document.sections]
    assert any(note.startswith("Recent comments are left out") for note in document.notes)
    for export_format in ExportFormat.values:
        shown = " ".join(shown_text(export_format, generating.render(document, export_format)[0]).split())
        assert "Comment number" not in shown, export_format
        assert "Recent comments are left out" in shown, export_format


def test_comments_stay_when_the_responses_are_many(clinic):
    document = suppressed_feedback(QUARTER)
    assert document.section("recent_comments").rows


def test_a_chart_whose_values_are_all_hidden_says_why_in_every_format():
    rows = [["A", 4, 0.4], ["B", 6, 0.6]]
    original = document({"total": 10}, rows)
    original.charts = [Chart("groups", "Patients by group", "bar", "groups", "group", ["patients"])]
    plan = suppression.Plan(RULES, original)
    suppressed = plan.apply(plan.hidden(THRESHOLD), THRESHOLD)
    assert charts.document_chart(suppressed, suppressed.charts[0], 400) is None
    pdf_text = " ".join(file_cells("PDF", pdf.render(suppressed)))
    assert "Patients by group " + charts.ALL_HIDDEN in pdf_text
    assert f"Patients by group: {charts.ALL_HIDDEN}" in file_cells("EXCEL", excel.render(suppressed))
    assert chart_files(excel.render(suppressed)) == []
    (page_chart,) = preview(SimpleNamespace(pk=1, export_format="PDF"), suppressed)["charts"]
    assert (page_chart["svg"], page_chart["left_out"]) == ("", charts.ALL_HIDDEN)


def test_a_pie_with_a_hidden_share_says_why():
    rows = [["A", 40, 0.5], ["B", 3, 0.0375], ["C", 25, 0.3125], ["D", 12, 0.15]]
    original = document({"total": 80}, rows)
    original.charts = [Chart("groups", "Share by group", "pie", "groups", "group", ["patients"])]
    plan = suppression.Plan(RULES, original)
    suppressed = plan.apply(plan.hidden(THRESHOLD), THRESHOLD)
    assert charts.left_out(suppressed, suppressed.charts[0]) == charts.SHARES_HIDDEN
    assert charts.left_out(original, original.charts[0]) is None


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [(RATE, MARKER, "would read as its value"), (COUNT, NOT_SHOWN, "a hidden count is Suppressed")],
)
def test_a_count_marker_outside_a_count_and_not_shown_in_a_count_fail_loudly(kind, value, message):
    with pytest.raises(ValueError, match=message):
        Section("groups", "Groups", {"group": TEXT, "figure": kind}, [["A", value]])


def test_the_migration_turns_the_marker_of_a_stored_rate_into_not_shown_and_back():
    stored = {
        "summary": {"total": "<11", "success_rate": "<11", "average": 4.5},
        "summary_kinds": {"total": "count", "success_rate": "rate", "average": "number"},
        "sections": [
            {
                "key": "groups",
                "columns": ["group", "patients", "share"],
                "kinds": {"group": "text", "patients": "count", "share": "rate"},
                "rows": [["<11", "<11", "<11"], ["B", 30, 0.75]],
            }
        ],
        "suppression": {"threshold": 10},
    }
    migrated = FIGURE_KINDS.with_figure_kinds(stored)
    assert migrated["summary"] == {"total": "<11", "success_rate": NOT_SHOWN, "average": 4.5}
    assert migrated["sections"][0]["rows"] == [["<11", "<11", NOT_SHOWN], ["B", 30, 0.75]]
    assert FIGURE_KINDS.without_figure_kinds(migrated) == stored


def test_a_chart_whose_only_values_not_hidden_are_zeros_says_why():
    rows = [["A", 0, 0.0], ["B", 4, 0.4], ["C", 6, 0.6]]
    original = document({"total": 10}, rows)
    original.charts = [Chart("groups", "Patients by group", "bar", "groups", "group", ["patients"])]
    plan = suppression.Plan(RULES, original)
    suppressed = plan.apply(plan.hidden(THRESHOLD), THRESHOLD)
    assert [row[1] for row in suppressed.section("groups").rows] == [0, MARKER, MARKER]
    assert charts.left_out(suppressed, suppressed.charts[0]) == charts.ALL_HIDDEN
