"""Report types 5-8: medical, dental, campaign performance and comprehensive analytics.

Every dataset is built by hand so the expected figures are known by construction.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import local
from reports import catalog
from reports.catalog.report_type import ReportParams
from reports.catalog.types import campaign_performance as campaign_module
from reports.catalog.types.comprehensive_analytics import working_days
from reports.models import GeneratedReport, ReportTemplate, UserLogin
from reports.periods import Period

medical_statistics, dental_statistics, campaign_performance, comprehensive_analytics = (
    catalog.get(key)
    for key in ("MEDICAL_STATISTICS", "DENTAL_STATISTICS", "CAMPAIGN_PERFORMANCE", "COMPREHENSIVE_ANALYTICS")
)
JANUARY = Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
WINTER = Period(dt.date(2025, 1, 1), dt.date(2025, 2, 28))
EMPTY = Period(dt.date(2030, 1, 1), dt.date(2030, 1, 31))
NO_DATA = "No data in this period."


def build(module, period, **filters):
    return module.build(ReportParams(period=period, filters=filters))


def rows(document, key):
    return {row[0]: row[1:] for row in document.section(key).rows}


def query_count(module, period):
    with CaptureQueriesContext(connection) as queries:
        build(module, period)
    return len(queries)


# --- Medical statistics ----------------------------------------------------


@pytest.fixture
def medical_data(make_patient, make_medical_visit):
    """25 medical visits in January-February 2025 by three patients, plus two just outside."""
    ann = make_patient(sex="F", patient_type="STUDENT")
    ben = make_patient(sex="M", patient_type="FACULTY")
    cy = make_patient(sex="F", patient_type="STAFF")
    day = local(2025, 1, 10)
    # Ann, 4 visits: temperatures 37.5 and 39.0 are fevers, 37.4 is not; heart rates 60, 80, 100.
    make_medical_visit(ann, day, temperature_c=Decimal("37.5"), heart_rate=60)
    make_medical_visit(ann, day, temperature_c=Decimal("37.4"), heart_rate=80)
    make_medical_visit(ann, day, temperature_c=Decimal("39.0"), heart_rate=100)
    make_medical_visit(ann, local(2025, 1, 31, 23, 30))
    # Ben, 12 January visits: each blood-pressure boundary, and one reading alone; heart rate 70.
    readings = [
        (119, 79),  # normal
        (120, 79),  # elevated
        (129, 79),  # elevated
        (130, 79),  # stage 1
        (119, 80),  # stage 1
        (139, 89),  # stage 1
        (140, 70),  # stage 2
        (110, 90),  # stage 2
        (180, 120),  # stage 2
        (181, 70),  # crisis
        (110, 121),  # crisis
    ]
    for systolic, diastolic in readings:
        make_medical_visit(ben, day, systolic_bp=systolic, diastolic_bp=diastolic)
    make_medical_visit(ben, day, systolic_bp=150, heart_rate=70)
    make_medical_visit(ben, local(2025, 2, 10))
    # Cy, 8 visits: BMI band boundaries at 2 m, a 1.75 m visit, and a weight alone.
    for weight, height in [("73.9", 200), ("74.0", 200), ("99.6", 200), ("70.0", 175)]:
        make_medical_visit(cy, day, weight_kg=Decimal(weight), height_cm=Decimal(height))
    for weight in ("100.0", "119.6", "120.0"):
        make_medical_visit(cy, day, weight_kg=Decimal(weight), height_cm=Decimal(200))
    make_medical_visit(cy, day, weight_kg=Decimal(80))
    # Outside the period by a minute either side.
    make_medical_visit(ann, local(2024, 12, 31, 23, 59), temperature_c=Decimal("40.0"))
    make_medical_visit(ben, local(2025, 3, 1, 0, 0), temperature_c=Decimal("40.0"))


def test_medical_summary(medical_data):
    document = build(medical_statistics, WINTER)
    assert document.summary == {
        "medical_visits": 25,
        "unique_patients": 3,
        "visits_with_temperature": 3,
        "fever_visits": 2,
        "fever_rate": 0.6667,
        "average_heart_rate_bpm": 77.5,
    }
    assert document.record_count == 25
    assert document.notes == []


def test_medical_blood_pressure_categories_follow_aha_boundaries(medical_data):
    document = build(medical_statistics, WINTER)
    assert document.section("blood_pressure").rows == [
        ["Normal", 1, 0.0909],
        ["Elevated", 2, 0.1818],
        ["Hypertension stage 1", 3, 0.2727],
        ["Hypertension stage 2", 3, 0.2727],
        ["Hypertensive crisis", 2, 0.1818],
    ]


def test_medical_bmi_bands(medical_data):
    document = build(medical_statistics, WINTER)
    assert document.section("bmi_bands").rows == [
        ["Underweight (< 18.5)", 1, 0.1429],
        ["Normal (18.5-24.9)", 3, 0.4286],
        ["Overweight (25-29.9)", 2, 0.2857],
        ["Obese (>= 30)", 1, 0.1429],
    ]


def test_medical_by_patient_type_and_over_time(medical_data):
    document = build(medical_statistics, WINTER)
    assert rows(document, "by_patient_type") == {
        "Student": [4, 1, 0.16],
        "Faculty": [13, 1, 0.52],
        "Staff": [8, 1, 0.32],
        "Dependent": [0, 0, 0.0],
        "Other": [0, 0, 0.0],
    }
    over_time = document.section("over_time")  # 59 days: by day
    assert (over_time.kinds["step"], len(over_time.rows)) == ("date", 59)
    assert sum(row[1] for row in over_time.rows) == 25
    assert over_time.rows[9] == ["2025-01-10", 23, 3]  # all but the visits of 31 January and 10 February


def test_medical_filters_narrow_counts(medical_data):
    men = build(medical_statistics, WINTER, sex="M")
    assert men.summary["medical_visits"] == 13
    assert men.summary["visits_with_temperature"] == 0
    assert men.summary["fever_rate"] is None
    assert men.summary["average_heart_rate_bpm"] == 70.0
    staff = build(medical_statistics, WINTER, patient_type="STAFF")
    assert staff.summary["medical_visits"] == 8
    assert [row[1] for row in staff.section("bmi_bands").rows] == [1, 3, 2, 1]
    assert [row[1] for row in staff.section("blood_pressure").rows] == [0, 0, 0, 0, 0]


def test_medical_top_diagnoses_use_code_else_folded_text(make_patient, make_medical_visit):
    ann, ben = make_patient(), make_patient()
    day = local(2025, 1, 10)
    for patient, code, text in [
        (ann, "J06.9", "URTI"),
        (ann, " j06.9 ", "Common cold"),
        (ben, "J06.9", ""),
        (ann, "", "Headache"),
        (ann, "", "  headache "),
        (ben, "", "HEADACHE"),
        (ben, "", "headache"),
        (ben, "J11", "Headache"),
        (ann, "", "Gastritis"),
        (ann, "", "gastritis"),
        (ben, "", "GASTRITIS "),
        (ann, "", ""),
        (ann, " ", "  "),
    ]:
        make_medical_visit(patient, day, diagnosis_code=code, diagnosis=text)
    for number in range(10):
        make_medical_visit(ann, day, diagnosis_code=f"Z{number:02d}")
    document = build(medical_statistics, JANUARY)
    top = document.section("top_diagnoses").rows
    # Ties are listed in code-point order whatever the database's collation.
    assert top[:3] == [
        ["headache", 4, 2, 0.1739],
        ["Acute upper respiratory infection (J06.9)", 3, 2, 0.1304],
        ["gastritis", 3, 2, 0.1304],
    ]
    assert top[3] == ["Headache (J11)", 1, 1, 0.0435]  # not a listed code: named by its recorded text
    assert top[4] == ["Z00", 1, 1, 0.0435]  # neither listed nor described: the code alone
    assert len(top) == 10
    assert document.summary["medical_visits"] == 23


@pytest.mark.parametrize("zone", ["Asia/Manila", "America/Los_Angeles"])
def test_medical_steps_are_local_and_start_at_the_first_visit(settings, zone, make_patient, make_medical_visit):
    settings.TIME_ZONE = zone
    patient = make_patient()
    make_medical_visit(patient, local(2025, 1, 31, 23, 30))
    make_medical_visit(patient, local(2025, 2, 1, 0, 30))
    make_medical_visit(patient, local(2025, 2, 28, 23, 30))
    document = build(medical_statistics, Period(dt.date(2024, 1, 1), dt.date(2025, 12, 31)))
    # The series starts at the first visit: eleven months, by month.
    assert document.section("over_time").rows[:3] == [["2025-01", 1, 1], ["2025-02", 2, 1], ["2025-03", 0, 0]]
    assert len(document.section("over_time").rows) == 12
    assert "No records before 31 January 2025, so the figures over time start there." in document.notes


def test_medical_empty_period(medical_data):
    document = build(medical_statistics, EMPTY)
    assert document.record_count == 0
    assert document.summary["medical_visits"] == 0
    assert document.summary["fever_rate"] is None
    assert document.summary["average_heart_rate_bpm"] is None
    assert document.notes == [NO_DATA]
    assert document.section("top_diagnoses").rows == []
    assert document.section("blood_pressure").rows[0] == ["Normal", 0, None]
    assert document.section("over_time").rows == [[f"2030-01-{day:02}", 0, 0] for day in range(1, 32)]


# --- Dental statistics -----------------------------------------------------


@pytest.fixture
def dental_data(make_patient, make_dental_visit):
    """Eight January dental visits by two patients, plus one in February and one outside."""
    dee = make_patient(sex="F", patient_type="STUDENT")
    eli = make_patient(sex="M", patient_type="STAFF")
    day = local(2025, 1, 15)
    make_dental_visit(dee, day, procedure="CLEANING", gum_condition="HEALTHY", oral_hygiene="GOOD", pain_level=0)
    make_dental_visit(dee, day, procedure="PROPHYLAXIS", gum_condition="HEALTHY", oral_hygiene="GOOD")
    make_dental_visit(dee, day, procedure="FLUORIDE", gum_condition="GINGIVITIS", oral_hygiene="GOOD")
    make_dental_visit(dee, day, procedure="SEALANT", pain_level=2)
    make_dental_visit(eli, day, procedure="FILLING", priority="HIGH", pain_level=4)
    make_dental_visit(eli, day, procedure="FILLING", priority="HIGH")
    make_dental_visit(eli, day, procedure="FILLING", pain_level=9)
    make_dental_visit(eli, local(2025, 1, 31, 23, 30), procedure="EXTRACTION", priority="URGENT")
    make_dental_visit(dee, local(2025, 2, 3), procedure="CONSULTATION")
    make_dental_visit(eli, local(2024, 12, 31, 23, 59), procedure="CLEANING")


def test_dental_summary(dental_data):
    document = build(dental_statistics, JANUARY)
    assert document.summary == {
        "dental_visits": 8,
        "unique_patients": 2,
        "preventive_visits": 4,
        "visits_with_pain_level": 4,
        "average_pain_level": 3.75,
        "preventive_care_rate": 0.5,
    }
    assert document.record_count == 8


def test_dental_distributions(dental_data):
    document = build(dental_statistics, JANUARY)
    procedures = rows(document, "procedures")
    assert procedures["Cleaning"] == [1, 0.125]
    assert procedures["Filling"] == [3, 0.375]
    assert procedures["Extraction"] == [1, 0.125]
    assert procedures["Crown"] == [0, 0.0]
    assert sum(count for count, _ in procedures.values()) == 8
    assert rows(document, "gum_condition") == {
        "Healthy": [2, 0.25],
        "Gingivitis": [1, 0.125],
        "Periodontitis": [0, 0.0],
        "Inflammation": [0, 0.0],
        "Not recorded": [5, 0.625],
    }
    assert rows(document, "oral_hygiene")["Good"] == [3, 0.375]
    assert rows(document, "oral_hygiene")["Not recorded"] == [5, 0.625]
    assert rows(document, "priority") == {
        "Low": [5, 0.625],
        "Medium": [0, 0.0],
        "High": [2, 0.25],
        "Urgent": [1, 0.125],
    }


def test_dental_over_time(dental_data):
    document = build(dental_statistics, WINTER)
    steps = {step: values for step, *values in document.section("over_time").rows if any(values)}
    assert steps == {"2025-01-15": [7, 2, 4], "2025-01-31": [1, 1, 0], "2025-02-03": [1, 1, 0]}


def test_dental_filters_narrow_counts(dental_data):
    fillings = build(dental_statistics, JANUARY, procedure="FILLING")
    assert fillings.summary["dental_visits"] == 3
    assert fillings.summary["preventive_care_rate"] == 0.0
    assert fillings.summary["average_pain_level"] == 6.5
    women = build(dental_statistics, JANUARY, sex="F")
    assert women.summary["dental_visits"] == 4
    assert women.summary["preventive_care_rate"] == 1.0
    assert build(dental_statistics, JANUARY, patient_type="STAFF").summary["unique_patients"] == 1


def test_dental_empty_period(dental_data):
    document = build(dental_statistics, EMPTY)
    assert document.record_count == 0
    assert document.summary["preventive_care_rate"] is None
    assert document.summary["average_pain_level"] is None
    assert document.notes == [NO_DATA]
    assert rows(document, "gum_condition")["Not recorded"] == [0, None]


# --- Campaign performance --------------------------------------------------


@pytest.fixture
def campaign_data(make_patient, make_campaign, make_participant, make_medical_visit, make_dental_visit, make_user):
    """Campaigns around January 2025, seven patients, four of them active in January."""
    patients = [make_patient() for _ in range(7)]
    p1, p2, p3, p4, p5, p6, p7 = patients
    make_medical_visit(p1, local(2025, 1, 5))
    make_medical_visit(p2, local(2025, 1, 31, 23, 30))
    make_dental_visit(p3, local(2025, 1, 1, 0, 0))
    make_medical_visit(p6, local(2025, 1, 7))
    make_dental_visit(p6, local(2025, 1, 8))
    make_medical_visit(p4, local(2025, 2, 1, 0, 0))
    make_dental_visit(p5, local(2024, 12, 31, 23, 59))

    span = make_campaign(
        title="Flu shots", start_date=dt.date(2024, 12, 1), end_date=dt.date(2025, 3, 1), view_count=100
    )
    inside = make_campaign(
        title="Eye check",
        campaign_type="SCREENING",
        start_date=dt.date(2025, 1, 10),
        end_date=dt.date(2025, 1, 20),
        view_count=50,
    )
    ends_first_day = make_campaign(start_date=dt.date(2024, 12, 1), end_date=dt.date(2025, 1, 1), view_count=7)
    starts_last_day = make_campaign(start_date=dt.date(2025, 1, 31), end_date=dt.date(2025, 2, 15), view_count=3)
    ended_before = make_campaign(start_date=dt.date(2024, 12, 1), end_date=dt.date(2024, 12, 31), view_count=1000)
    starts_after = make_campaign(start_date=dt.date(2025, 2, 1), end_date=dt.date(2025, 2, 28), view_count=1000)
    for patient, attended in [(p1, True), (p2, True), (p3, True), (p4, False)]:
        make_participant(span, patient, attended=attended)
    make_participant(inside, p1, attended=True)
    make_participant(inside, p2, attended=False)
    make_participant(ends_first_day, p5, attended=False)
    for patient in patients:
        make_participant(ended_before, patient, attended=True)
    make_participant(starts_after, p7, attended=True)

    # p1 logged in during January and again after it: still counted (every login is kept, not only the last).
    logins = [
        [local(2025, 1, 15), local(2025, 2, 10)],
        [local(2024, 12, 31, 23, 59)],
        [],
        [local(2025, 1, 31, 23, 30)],
    ]
    for patient, times in zip([p1, p2, p3, p4], logins, strict=True):
        user = make_user()
        UserLogin.objects.bulk_create(UserLogin(user=user, logged_in_at=moment) for moment in times)
        patient.user = user
        patient.save()
    return {"span": span, "inside": inside, "ends_first_day": ends_first_day, "starts_last_day": starts_last_day}


def test_campaign_summary(campaign_data):
    document = build(campaign_performance, JANUARY)
    assert document.summary == {
        "campaigns": 4,
        "total_views": 160,
        "total_participants": 7,
        "unique_participants": 5,
        "total_attended": 4,
        "attendance_rate": 0.5714,
        "active_patients": 4,
        "patients_with_login": 4,
        "patients_logged_in": 2,
        "adoption_rate": 0.5,
    }
    assert document.record_count == 4
    assert document.notes == []


def test_campaign_rows_overlap_edges_and_reach(campaign_data):
    document = build(campaign_performance, JANUARY)
    table = document.section("campaigns").rows
    assert table[0] == ["Flu shots", "Vaccination", "2024-12-01", "2025-03-01", 100, 4, 3, 0.75, 1.0]
    assert table[1] == ["Eye check", "Screening", "2025-01-10", "2025-01-20", 50, 2, 1, 0.5, 0.5]
    assert {row[0] for row in table[2:]} == {
        campaign_data["ends_first_day"].title,
        campaign_data["starts_last_day"].title,
    }
    by_title = {row[0]: row for row in table}
    assert by_title[campaign_data["ends_first_day"].title][5:] == [1, 0, 0.0, 0.25]
    assert by_title[campaign_data["starts_last_day"].title][5:] == [0, 0, None, 0.0]


def test_campaign_by_type(campaign_data):
    document = build(campaign_performance, JANUARY)
    by_type = rows(document, "by_campaign_type")
    assert by_type["Vaccination"] == [3, 5, 3, 0.6]
    assert by_type["Screening"] == [1, 2, 1, 0.5]
    assert by_type["Nutrition"] == [0, 0, 0, None]


def test_campaign_type_filter(campaign_data):
    document = build(campaign_performance, JANUARY, campaign_type="SCREENING")
    assert document.summary["campaigns"] == 1
    assert document.summary["total_participants"] == 2
    assert document.summary["attendance_rate"] == 0.5
    assert [row[0] for row in document.section("campaigns").rows] == ["Eye check"]


def test_campaign_table_cap_is_noted(campaign_data, monkeypatch):
    monkeypatch.setattr(campaign_module, "MAX_CAMPAIGN_ROWS", 2)
    document = build(campaign_performance, JANUARY)
    assert [row[0] for row in document.section("campaigns").rows] == ["Flu shots", "Eye check"]
    assert document.summary["total_participants"] == 7
    assert any("2 campaigns with the most participants of 4" in note for note in document.notes)
    by_type = rows(document, "by_campaign_type")
    assert by_type["Vaccination"] == [3, 5, 3, 0.6], "the by-type table counts the campaigns left out of the table"


def test_campaign_empty_period(campaign_data):
    document = build(campaign_performance, EMPTY)
    assert document.record_count == 0
    assert document.summary["campaigns"] == 0
    assert document.summary["total_views"] == 0
    assert document.summary["attendance_rate"] is None
    assert document.summary["adoption_rate"] == 0.0
    assert document.section("campaigns").rows == []
    assert document.notes == [NO_DATA]


# --- Comprehensive analytics -----------------------------------------------


@pytest.fixture
def activity_data(make_user, make_patient, make_medical_visit, make_dental_visit):
    """Users of every kind, reports they generated and visits they attended in the week of 6 January 2025."""
    in_week, before = local(2025, 1, 8), local(2025, 1, 5, 23, 59)
    doctor = make_user("DOCTOR")
    dentist = make_user("DENTIST")
    both = make_user("DOCTOR", "DENTIST")
    nurse = make_user("NURSE")
    root = make_user(superuser=True)
    admin_root = make_user("ADMIN", superuser=True)
    patient_user = make_user()
    after = local(2025, 1, 20)
    UserLogin.objects.bulk_create(
        UserLogin(user=user, logged_in_at=moment)
        for user, moment in [
            (doctor, in_week),
            (doctor, local(2025, 1, 9)),
            (dentist, before),
            (both, in_week),
            (nurse, before),
            (nurse, after),
            (root, in_week),
            (admin_root, in_week),
            (patient_user, local(2025, 1, 12, 23, 30)),
        ]
    )

    template = ReportTemplate.objects.get(report_type="VISIT_TRENDS")
    for user, created_at in [(doctor, in_week), (doctor, in_week), (root, in_week), (nurse, before)]:
        report = GeneratedReport.objects.create(
            template=template,
            report_type=template.report_type,
            title="Visit trends",
            generated_by=user,
            date_range_start=dt.date(2025, 1, 1),
            date_range_end=dt.date(2025, 1, 31),
            export_format="JSON",
        )
        GeneratedReport.objects.filter(pk=report.pk).update(created_at=created_at)

    patient = make_patient()
    for _ in range(7):
        make_medical_visit(patient, in_week, attended_by=doctor)
    for _ in range(5):
        make_dental_visit(patient, in_week, attended_by=dentist)
    for _ in range(3):
        make_dental_visit(patient, in_week, attended_by=doctor)
    make_medical_visit(patient, in_week)
    make_medical_visit(patient, before, attended_by=nurse)


WEEK = Period(dt.date(2025, 1, 6), dt.date(2025, 1, 12))


def test_comprehensive_leaves_system_figures_to_the_system_dashboard(activity_data):
    document = build(comprehensive_analytics, WEEK)
    words = " ".join([*document.summary, *(document.label(key) for key in document.summary)]).lower()
    assert not any(word in words for word in ("login", "logged", "report", "user"))
    assert [section.key for section in document.sections] == ["visits_trend", "satisfaction_trend", "top_diagnoses"]
    assert UserLogin in comprehensive_analytics.reads, "campaigns' reach reads logins: their changes still count"


def test_comprehensive_efficiency(activity_data):
    summary = build(comprehensive_analytics, WEEK).summary
    assert summary["attended_visits"] == 15
    assert summary["attending_clinicians"] == 2
    assert summary["working_days"] == 5
    assert summary["visits_per_clinician_per_day"] == 1.5


def test_working_days():
    assert working_days(JANUARY) == 23
    assert working_days(WEEK) == 5
    assert working_days(Period(dt.date(2025, 1, 11), dt.date(2025, 1, 12))) == 0
    assert working_days(Period(dt.date(2025, 1, 10), dt.date(2025, 1, 13))) == 2


def test_comprehensive_weekend_has_no_efficiency(activity_data):
    document = build(comprehensive_analytics, Period(dt.date(2025, 1, 11), dt.date(2025, 1, 12)))
    assert document.summary["working_days"] == 0
    assert document.summary["visits_per_clinician_per_day"] is None


def test_comprehensive_shows_each_figure_once_and_adds_up_nothing_of_different_kinds(activity_data):
    document = build(comprehensive_analytics, WEEK)
    summary = document.summary
    assert (summary["medical_visits"], summary["dental_visits"], summary["total_visits"]) == (8, 8, 16)
    assert summary["patients_seen"] == 1
    assert summary["campaigns"] == 0
    assert document.record_count == 16, "the record count is the visits, not visits + feedback + campaigns"
    grouped = [key for keys in document.summary_groups.values() for key in keys]
    assert list(document.summary_groups) == ["Patients", "Visits", "Outcomes", "Satisfaction", "Campaigns"]
    assert sorted(grouped) == sorted(summary) and len(set(grouped)) == len(grouped)
    labels = [document.label(key) for key in summary]
    assert len(set(labels)) == len(labels)
    visits = catalog.get("VISIT_TRENDS").headline(ReportParams(period=WEEK))
    assert summary["total_visits"] == visits["total_visits"] and summary["patients_seen"] == visits["unique_patients"]


def test_comprehensive_trends_and_top_diagnoses(make_patient, make_medical_visit, make_dental_visit, make_feedback):
    patient = make_patient()
    for day, code in enumerate(["J06.9", "J06.9", "J06.9", "I10", "I10", "K30"], start=1):
        make_medical_visit(patient, local(2025, 1, day), diagnosis="recorded", diagnosis_code=code)
    make_dental_visit(patient, local(2025, 2, 3))
    make_feedback(patient, local(2025, 1, 5), 5)
    make_feedback(patient, local(2025, 2, 5), 2)
    document = build(comprehensive_analytics, WINTER)
    visits = document.section("visits_trend").rows  # 59 days in at most 14 steps: by week
    assert len(visits) == 9
    assert {week: n for week, n in visits if n} == {"2024-12-30": 5, "2025-01-06": 1, "2025-02-03": 1}
    satisfaction = document.section("satisfaction_trend").rows
    assert [row for row in satisfaction if row[1]] == [["2024-12-30", 1, 1, 1.0], ["2025-02-03", 1, 0, 0.0]]
    top = document.section("top_diagnoses").rows
    assert top[0] == ["Acute upper respiratory infection (J06.9)", 3, 1, 0.5]
    assert [row[0].split(" (")[-1] for row in top] == ["J06.9)", "I10)", "K30)"]
    assert {chart.kind for chart in document.charts} == {"trend"}


def test_comprehensive_empty_period(db):
    document = build(comprehensive_analytics, EMPTY)
    assert document.record_count == 0 and document.is_empty
    assert document.notes[0] == NO_DATA
    assert document.summary["visits_per_clinician_per_day"] is None
    assert document.section("top_diagnoses").rows == []


# --- Every report ----------------------------------------------------------


MODULES = [medical_statistics, dental_statistics, campaign_performance, comprehensive_analytics]


def more_data(make_patient, make_medical_visit, make_dental_visit, make_campaign, make_participant, make_user):
    """A larger dataset spread over several months, campaigns and clinicians."""
    clinicians = [make_user("DOCTOR"), make_user("DENTIST")]
    for number in range(6):
        patient = make_patient(sex="M" if number % 2 else "F")
        campaign = make_campaign(start_date=dt.date(2025, 1 + number % 2, 1), end_date=dt.date(2025, 2, 28))
        make_participant(campaign, patient, attended=bool(number % 3))
        for month in (1, 2):
            make_medical_visit(
                patient,
                local(2025, month, 3 + number),
                diagnosis_code=f"A{number:02d}",
                temperature_c=Decimal("38.0"),
                systolic_bp=120 + number * 10,
                diastolic_bp=70 + number * 5,
                weight_kg=Decimal(60 + number * 10),
                height_cm=Decimal(170),
                heart_rate=70,
                attended_by=clinicians[0],
            )
            make_dental_visit(patient, local(2025, month, 4 + number), procedure="CLEANING", attended_by=clinicians[1])


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.key)
def test_query_count_does_not_depend_on_data_size(
    module, make_patient, make_medical_visit, make_dental_visit, make_campaign, make_participant, make_user
):
    factories = (make_patient, make_medical_visit, make_dental_visit, make_campaign, make_participant, make_user)
    more_data(*factories)
    small = query_count(module, WINTER)
    for _ in range(3):
        more_data(*factories)
    assert query_count(module, WINTER) == small
    assert query_count(module, EMPTY) == small


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.key)
def test_documents_are_complete(module, medical_data, dental_data):
    fractions = []
    document = module.build(ReportParams(period=WINTER, progress=fractions.append))
    assert document.report_type == module.key
    assert document.title == module.name
    assert fractions == sorted(fractions) and 0 < fractions[0] and fractions[-1] <= 1
    for chart in document.charts:
        categories, series = document.chart_data(chart)
        assert len(categories) == len(document.section(chart.section).rows)
        assert all(len(values) == len(categories) for _, values in series)
    assert module.description
