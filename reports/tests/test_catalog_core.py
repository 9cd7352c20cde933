"""Report types 1-4 (patient summary, visit trends, treatment outcomes, feedback analysis).

Every expectation below is known by construction from the ``clinic`` dataset
(TIME_ZONE Asia/Manila, UTC+8): see the comments next to each row.
"""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import local
from reports import catalog
from reports.catalog import queries
from reports.catalog.report_type import ReportParams
from reports.catalog.types.feedback_analysis import COMMENT_CHARS
from reports.periods import Period
from visits.models import DentalVisit, MedicalVisit

Q1 = Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))  # 90 days; February stays empty
patient_summary, visit_trends, treatment_outcomes, feedback_analysis = CORE_MODULES = tuple(
    catalog.get(key) for key in ("PATIENT_SUMMARY", "VISIT_TRENDS", "TREATMENT_OUTCOMES", "FEEDBACK_ANALYSIS")
)


def params(period=Q1, **filters):
    return ReportParams(period=period, filters=filters)


def rows(document, key):
    return document.section(key).rows


def counted_steps(document, key="over_time"):
    """``{step: [values]}`` of the steps of a section over time that counted something."""
    return {step: values for step, *values in rows(document, key) if any(values)}


@pytest.fixture(autouse=True)
def manila(settings):
    settings.TIME_ZONE = "Asia/Manila"


@pytest.fixture
def clinic(make_patient, make_medical_visit, make_dental_visit, make_feedback):
    """Patients A, B, C, E, F registered by 31 March 2025 and D after; visits and feedback around Q1 2025."""
    a = make_patient(
        first_name="Zelda",
        last_name="Quixotic",
        patient_number="UNIQ-4242",
        sex="F",
        patient_type="STUDENT",
        department="Engineering",
        date_of_birth=dt.date(2000, 3, 31),  # 25 exactly on 31 March 2025
        registered_at=local(2024, 1, 1),
    )
    b = make_patient(
        sex="M",
        patient_type="FACULTY",
        department="Nursing",
        date_of_birth=dt.date(2007, 3, 31),  # 18 exactly
        registered_at=local(2025, 1, 15),  # new
    )
    c = make_patient(
        sex="F",
        patient_type="STAFF",
        department="Nursing",
        date_of_birth=dt.date(2007, 4, 1),  # 17, one day short of 18
        registered_at=local(2025, 3, 31, 23, 30),  # new, on the last evening
    )
    d = make_patient(sex="M", registered_at=local(2025, 4, 1, 0, 0))  # after the period: nowhere
    e = make_patient(
        sex="O",
        patient_type="DEPENDENT",
        department="",
        date_of_birth=dt.date(1965, 3, 31),  # 60 exactly
        registered_at=local(2023, 6, 1),
    )
    f = make_patient(
        sex="F",
        patient_type="STAFF",
        department="Engineering",
        date_of_birth=dt.date(1965, 4, 1),  # 59
        registered_at=local(2024, 12, 31, 23, 30),  # before the period: registered, not new
    )
    # Visits in Q1 (local time; weekday; hour):
    make_medical_visit(a, local(2025, 1, 10, 9, 15), diagnosis="  Flu ", outcome="RESOLVED", follow_up_required=True)
    make_dental_visit(a, local(2025, 1, 20, 14, 0), diagnosis="FLU", outcome="IMPROVED")  # Mon 14
    make_medical_visit(b, local(2025, 1, 31, 23, 30), diagnosis="flu", outcome="WORSENED")  # Fri 23, January
    make_medical_visit(
        b, local(2025, 3, 1, 0, 30), diagnosis="Hypertension", diagnosis_code="I10", outcome="UNCHANGED"
    )  # Sat 00, March (still February in UTC)
    make_medical_visit(
        e,
        local(2025, 3, 4, 9, 10),
        diagnosis="High blood pressure",
        diagnosis_code=" i10",
        outcome="RESOLVED",
        follow_up_required=True,
    )  # Tue 09
    make_dental_visit(
        e, local(2025, 3, 5, 9, 50), diagnosis="Caries", outcome="PENDING", follow_up_required=True
    )  # Wed 09
    make_medical_visit(a, local(2025, 3, 31, 23, 30), diagnosis="", outcome="REFERRED")  # Mon 23, last evening
    # Outside Q1:
    make_medical_visit(a, local(2024, 12, 31, 23, 30), diagnosis="flu", outcome="RESOLVED")
    make_dental_visit(d, local(2025, 4, 1, 0, 0), diagnosis="flu", outcome="RESOLVED")

    make_feedback(
        a,
        local(2025, 1, 5, 10, 0),
        5,
        recommend=True,
        courteous=True,
        comments="Great care",
        responded_at=local(2025, 1, 5, 12, 0),  # 2 h
    )
    make_feedback(
        b,
        local(2025, 1, 31, 23, 30),
        4,
        recommend=False,
        comments="   ",
        responded_at=local(2025, 2, 1, 3, 30),  # 4 h
    )
    make_feedback(e, local(2025, 3, 2, 8, 0), 2, courteous=False, comments="Long wait")
    make_feedback(
        a,
        local(2025, 3, 10, 12, 0),
        3,
        recommend=True,
        courteous=True,
        comments=" Okay ",
        responded_at=local(2025, 3, 10, 22, 0),  # 10 h
    )
    make_feedback(a, local(2024, 12, 31, 23, 0), 1, comments="Outside the period")
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


# --- Patient summary ---------------------------------------------------------


def test_patient_summary_counts(clinic):
    document = patient_summary.build(params())
    assert document.summary == {"total_patients": 5, "new_registrations": 2, "active_patients": 3}
    assert document.record_count == 5
    assert rows(document, "by_sex") == [["Male", 1, 0.2], ["Female", 3, 0.6], ["Other", 1, 0.2]]
    assert rows(document, "by_patient_type") == [
        ["Student", 1, 0.2],
        ["Faculty", 1, 0.2],
        ["Staff", 2, 0.4],
        ["Dependent", 1, 0.2],
        ["Other", 0, 0.0],
    ]
    assert document.notes == [
        "Sections describe the patients registered by the end of the period; ages are on the period's last day."
    ]


def test_patient_summary_age_bands_at_exact_birthdays(clinic):
    document = patient_summary.build(params())
    assert rows(document, "by_age_band") == [
        ["0-17", 1, 0.2],  # C, 18 tomorrow
        ["18-24", 1, 0.2],  # B, 18 today
        ["25-34", 1, 0.2],  # A, 25 today
        ["35-44", 0, 0.0],
        ["45-59", 1, 0.2],  # F, 60 tomorrow
        ["60+", 1, 0.2],  # E, 60 today
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"sex": "F"}, {"total_patients": 3, "new_registrations": 1, "active_patients": 1}),
        ({"patient_type": "STAFF"}, {"total_patients": 2, "new_registrations": 1, "active_patients": 0}),
        ({"department": "engineering"}, {"total_patients": 2, "new_registrations": 0, "active_patients": 1}),
        ({"sex": "M", "patient_type": "FACULTY"}, {"total_patients": 1, "new_registrations": 1, "active_patients": 1}),
    ],
)
def test_patient_summary_filters_narrow_every_count(clinic, filters, expected):
    document = patient_summary.build(params(**filters))
    assert document.summary == expected
    for key in ("by_sex", "by_age_band", "by_patient_type"):
        assert sum(row[1] for row in rows(document, key)) == expected["total_patients"]


def test_age_bands_on_leap_days(make_patient):
    make_patient(date_of_birth=dt.date(2006, 2, 28), registered_at=local(2020, 1, 1))  # 18 on 29 Feb 2024
    make_patient(date_of_birth=dt.date(2006, 3, 1), registered_at=local(2020, 1, 1))  # 17
    make_patient(date_of_birth=dt.date(2000, 2, 29), registered_at=local(2020, 1, 1))  # 24 on 29 Feb 2024
    leap = patient_summary.build(params(Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))))
    assert [row[1] for row in rows(leap, "by_age_band")] == [1, 2, 0, 0, 0, 0]
    # Born 29 February 2000: still 24 on 28 February 2025, 25 on 1 March 2025.
    before = queries.age_band_counts(queries.patients({}), dt.date(2025, 2, 28))
    after = queries.age_band_counts(queries.patients({}), dt.date(2025, 3, 1))
    assert (before["18-24"], before["25-34"]) == (3, 0)
    assert (after["18-24"], after["25-34"]) == (2, 1)


# --- Visit trends ------------------------------------------------------------


def test_visit_trends_summary_and_sections(clinic):
    document = visit_trends.build(params())
    assert document.summary == {
        "total_visits": 7,
        "medical_visits": 5,
        "dental_visits": 2,
        "unique_patients": 3,  # A (medical and dental) once, B, E
        "average_daily_visits": 0.08,  # 7 / 90
        "peak_hour": 9,
        "peak_weekday": "Monday",  # Monday and Friday tie at 2 in local time; the week's first wins
    }
    assert document.record_count == 7
    # Thirteen weeks step by week, from the Monday of the period's first week; February stays empty.
    assert document.section("over_time").kinds["step"] == "week"
    assert [row[0] for row in rows(document, "over_time")][:2] == ["2024-12-30", "2025-01-06"]
    assert len(rows(document, "over_time")) == 14
    assert counted_steps(document) == {
        "2025-01-06": [1, 0, 1],
        "2025-01-20": [0, 1, 1],
        "2025-01-27": [1, 0, 1],  # Friday 31 January, 23:30 local
        "2025-02-24": [1, 0, 1],  # Saturday 1 March, 00:30 local
        "2025-03-03": [1, 1, 2],
        "2025-03-31": [1, 0, 1],
    }
    hours = dict(rows(document, "by_hour"))
    assert list(hours) == list(range(24))
    assert {hour: count for hour, count in hours.items() if count} == {0: 1, 9: 3, 14: 1, 23: 2}
    assert rows(document, "by_weekday") == [
        ["Monday", 2],
        ["Tuesday", 1],
        ["Wednesday", 1],
        ["Thursday", 0],
        ["Friday", 2],
        ["Saturday", 1],
        ["Sunday", 0],
    ]
    assert document.notes == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"visit_type": "dental"}, (2, 0, 2, 2)),
        ({"visit_type": "medical"}, (5, 5, 0, 3)),
        ({"sex": "M"}, (2, 2, 0, 1)),
        ({"patient_type": "DEPENDENT"}, (2, 1, 1, 1)),
        ({"patient_type": "STUDENT", "visit_type": "dental"}, (1, 0, 1, 1)),
    ],
)
def test_visit_trends_filters_narrow_every_count(clinic, filters, expected):
    document = visit_trends.build(params(**filters))
    summary = document.summary
    assert (
        summary["total_visits"],
        summary["medical_visits"],
        summary["dental_visits"],
        summary["unique_patients"],
    ) == (expected)
    assert sum(row[3] for row in rows(document, "over_time")) == expected[0]
    assert sum(row[1] for row in rows(document, "by_hour")) == expected[0]
    assert sum(row[1] for row in rows(document, "by_weekday")) == expected[0]


def test_visit_trends_summary_function_matches_build(clinic):
    assert visit_trends.headline(params()) == visit_trends.build(params()).summary


# --- Treatment outcomes ------------------------------------------------------


def test_treatment_outcomes_summary_and_sections(clinic):
    document = treatment_outcomes.build(params())
    assert document.summary == {
        "total_cases": 7,
        "cases_with_outcome": 6,  # all but the pending caries
        "success_rate": 0.5,  # 2 resolved + 1 improved of 6
        "follow_up_required": 3,
        "follow_up_rate": 0.4286,  # 3 / 7
    }
    assert document.record_count == 7
    assert rows(document, "outcomes") == [
        ["Resolved", 2, 0.2857],
        ["Improved", 1, 0.1429],
        ["Unchanged", 1, 0.1429],
        ["Worsened", 1, 0.1429],
        ["Referred", 1, 0.1429],
        ["Pending", 1, 0.1429],
    ]
    assert rows(document, "top_diagnoses") == [
        ["flu", 3, 0.6667],  # "  Flu " (medical), "FLU" (dental), "flu" (medical): the greatest as recorded
        ["Essential (primary) hypertension (I10)", 2, 0.5],  # "I10" and " i10", named by the code
        ["Caries", 1, None],  # pending only; the blank diagnosis is left out
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"visit_type": "medical"}, (5, 5, 0.4, 2, 0.4)),
        ({"visit_type": "dental"}, (2, 1, 1.0, 1, 0.5)),
        ({"outcome": "RESOLVED"}, (2, 2, 1.0, 2, 1.0)),
        ({"sex": "M"}, (2, 2, 0.0, 0, 0.0)),
        ({"patient_type": "DEPENDENT"}, (2, 1, 1.0, 2, 1.0)),
    ],
)
def test_treatment_outcomes_filters_narrow_every_count(clinic, filters, expected):
    document = treatment_outcomes.build(params(**filters))
    assert tuple(document.summary.values()) == expected
    assert sum(row[1] for row in rows(document, "outcomes")) == expected[0]


def test_diagnoses_of_one_visit_type(clinic):
    document = treatment_outcomes.build(params(visit_type="dental"))
    assert rows(document, "top_diagnoses") == [["Caries", 1, None], ["FLU", 1, 1.0]]


def test_icd10_code_groups_apart_from_text(make_patient, make_medical_visit, make_dental_visit):
    patient = make_patient()
    at = local(2025, 2, 10)
    make_medical_visit(patient, at, diagnosis="Influenza", diagnosis_code="J11", outcome="RESOLVED")
    make_medical_visit(patient, at, diagnosis="flu", diagnosis_code="j11 ", outcome="WORSENED")
    make_medical_visit(patient, at, diagnosis=" Flu", outcome="RESOLVED")
    make_dental_visit(patient, at, diagnosis="FLU ", outcome="PENDING")
    make_dental_visit(patient, at, diagnosis="   ", outcome="RESOLVED")
    make_medical_visit(patient, at, diagnosis=" ", outcome="RESOLVED")
    document = treatment_outcomes.build(params())
    # Ties are listed by key in code-point order: "J11" before "flu". J11 is not listed: its recorded text names it.
    assert rows(document, "top_diagnoses") == [["flu (J11)", 2, 0.5], ["Flu", 2, 1.0]]


def test_top_diagnoses_combine_both_tables_before_ranking(make_patient):
    """A diagnosis 11th in each table but first overall must be found: ranking happens after the union."""
    patient = make_patient()
    at = local(2025, 2, 10)

    def medical(diagnosis, times):
        MedicalVisit.objects.bulk_create(
            [MedicalVisit(patient=patient, visit_date=at, concern="x", diagnosis=diagnosis) for _ in range(times)]
        )

    def dental(diagnosis, times):
        DentalVisit.objects.bulk_create(
            [DentalVisit(patient=patient, visit_date=at, procedure="OTHER", diagnosis=diagnosis) for _ in range(times)]
        )

    for index in range(10):  # 3 cases each, in one table only
        medical(f"m{index:02d}", 3)
        dental(f"d{index:02d}", 3)
    medical("both", 2)  # 11th in each table, 4 cases in all
    dental("both", 2)
    top = rows(treatment_outcomes.build(params()), "top_diagnoses")
    assert len(top) == 10
    assert top[0] == ["both", 4, None]
    assert [row[0] for row in top[1:]] == [f"d{index:02d}" for index in range(9)]
    assert all(row[1] == 3 for row in top[1:])


def test_stacked_counts_over_both_visit_tables(make_patient, make_medical_visit, make_dental_visit, make_user):
    """Rows and distinct values across tables; empty parts left out; NULLs are rows but not values."""
    first, second = make_patient(), make_patient()
    clinician = make_user("DOCTOR")
    make_medical_visit(first, local(2025, 1, 6), attended_by=clinician)
    make_medical_visit(first, local(2025, 1, 7))
    make_dental_visit(first, local(2025, 1, 7), attended_by=clinician)
    make_dental_visit(second, local(2025, 1, 8))
    january = Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31))
    medical, dental = queries.medical_visits(january, {}), queries.dental_visits(january, {})
    assert queries.stacked_counts([medical, dental], "patient") == (4, 2)
    assert queries.stacked_counts([medical, dental], "attended_by") == (4, 1)
    assert queries.stacked_counts([medical, dental.none()], "patient") == (2, 1)
    assert queries.stacked_counts([medical.none(), dental.none()], "patient") == (0, 0)
    assert queries.unique_patients(medical.filter(pk__in=[]), dental) == 2


def test_a_run_counts_the_patients_seen_once_and_each_run_its_own(make_patient, make_medical_visit, make_dental_visit):
    first, second = make_patient(), make_patient()
    make_medical_visit(first, local(2025, 1, 6))
    make_dental_visit(second, local(2025, 1, 8))
    make_dental_visit(second, local(2025, 2, 3))

    january, february = (
        ReportParams(period=Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31))),
        ReportParams(period=Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28))),
    )
    with CaptureQueriesContext(connection) as captured:
        counts = [queries.patients_seen(january), queries.patients_seen(january), queries.patients_seen(february)]
    assert counts == [2, 2, 1]
    assert len(captured) == 2  # another run (another period) is another count


# --- Feedback analysis -------------------------------------------------------


def test_feedback_analysis_summary_and_sections(clinic):
    document = feedback_analysis.build(params())
    assert document.summary == {
        "total_feedback": 4,
        "average_rating": 3.5,  # (5 + 4 + 2 + 3) / 4
        "satisfaction_rate": 0.5,  # 5 and 4
        "recommend_rate": 0.6667,  # 2 yes of 3 answers
        "courteous_rate": 0.6667,  # 2 yes of 3 answers
        "responded": 3,
        "median_response_hours": 4.0,  # of 2, 4 and 10 hours
    }
    assert document.record_count == 4
    assert rows(document, "rating_distribution") == [
        [1, 0, 0.0],
        [2, 1, 0.25],
        [3, 1, 0.25],
        [4, 1, 0.25],
        [5, 1, 0.25],
    ]
    assert counted_steps(document) == {
        "2024-12-30": [1, 5.0],
        "2025-01-27": [1, 4.0],
        "2025-02-24": [1, 2.0],  # Sunday 2 March
        "2025-03-10": [1, 3.0],
    }
    assert rows(document, "over_time")[2] == ["2025-01-13", 0, None]  # an empty week has no average
    assert rows(document, "recent_comments") == [
        ["2025-03-10", 3, "Okay"],
        ["2025-03-02", 2, "Long wait"],
        ["2025-01-05", 5, "Great care"],
    ]


def test_feedback_median_of_an_even_count_and_filters(clinic):
    students = feedback_analysis.build(params(patient_type="STUDENT"))  # A: 2 h and 10 h
    assert students.summary == {
        "total_feedback": 2,
        "average_rating": 4.0,
        "satisfaction_rate": 0.5,
        "recommend_rate": 1.0,
        "courteous_rate": 1.0,
        "responded": 2,
        "median_response_hours": 6.0,
    }
    faculty = feedback_analysis.build(params(patient_type="FACULTY"))  # B: 4 h, never asked about courtesy
    assert faculty.summary["median_response_hours"] == 4.0
    assert faculty.summary["courteous_rate"] is None
    assert faculty.summary["recommend_rate"] == 0.0
    assert rows(faculty, "recent_comments") == []  # a blank comment is not a comment
    low = feedback_analysis.build(params(rating="2"))
    assert (low.summary["total_feedback"], low.summary["responded"], low.summary["median_response_hours"]) == (
        1,
        0,
        None,
    )


def test_recent_comments_carry_no_patient_identity(clinic):
    serialized = json.dumps(feedback_analysis.build(params()).as_dict())
    patient = clinic["a"]
    for identity in (patient.first_name, patient.last_name, patient.patient_number):
        assert identity not in serialized
    assert feedback_analysis.build(params()).section("recent_comments").columns == ["date", "rating", "comment"]


def test_recent_comments_keep_only_the_latest_ten(make_patient, make_feedback):
    patient = make_patient()
    for day in range(1, 13):
        make_feedback(patient, local(2025, 1, day), 4, comments=f"Comment {day}")
    comments = rows(feedback_analysis.build(params()), "recent_comments")
    assert [row[2] for row in comments] == [f"Comment {day}" for day in range(12, 2, -1)]


# --- All four ----------------------------------------------------------------


@pytest.mark.parametrize("module", CORE_MODULES)
def test_empty_period_is_a_valid_document(clinic, module):
    empty = Period(dt.date(2030, 1, 1), dt.date(2030, 2, 28))
    document = module.build(params(empty))
    assert document.notes[0] == "No data in this period."
    assert document.report_type == module.key
    json.dumps(document.as_dict())
    if module is not patient_summary:  # patients registered earlier are still on the books
        assert document.record_count == 0


def test_empty_period_values(db):
    empty = Period(dt.date(2030, 1, 1), dt.date(2030, 2, 28), today=dt.date(2030, 3, 1))  # an ended period
    assert patient_summary.build(params(empty)).summary == {
        "total_patients": 0,
        "new_registrations": 0,
        "active_patients": 0,
    }
    trends = visit_trends.build(params(empty))
    assert trends.summary == {
        "total_visits": 0,
        "medical_visits": 0,
        "dental_visits": 0,
        "unique_patients": 0,
        "average_daily_visits": 0.0,
        "peak_hour": None,
        "peak_weekday": None,
    }
    days = rows(trends, "over_time")  # 59 days step by day
    assert (len(days), days[0], days[-1]) == (59, ["2030-01-01", 0, 0, 0], ["2030-02-28", 0, 0, 0])
    assert treatment_outcomes.headline(params(empty)) == {
        "total_cases": 0,
        "cases_with_outcome": 0,
        "success_rate": None,
        "follow_up_required": 0,
        "follow_up_rate": None,
    }
    assert feedback_analysis.headline(params(empty)) == {
        "total_feedback": 0,
        "average_rating": None,
        "satisfaction_rate": None,
        "recommend_rate": None,
        "courteous_rate": None,
        "responded": 0,
        "median_response_hours": None,
    }


@pytest.mark.parametrize("module", CORE_MODULES)
def test_summary_function_matches_build(clinic, module):
    assert module.headline(params()) == module.build(params()).summary


@pytest.mark.parametrize("module", CORE_MODULES)
def test_progress_reported_up_to_one(clinic, module):
    seen = []
    module.build(ReportParams(period=Q1, progress=seen.append))
    assert seen == sorted(seen)
    assert len(seen) >= 2
    assert seen[-1] == 1


@pytest.mark.parametrize("module", CORE_MODULES)
def test_charts_reference_section_columns(clinic, module):
    document = module.build(params())
    for chart in document.charts:
        section = document.section(chart.section)
        assert {chart.category, *chart.values} <= set(section.columns)
        document.chart_data(chart)


def _query_counts():
    counts = {}
    for module in CORE_MODULES:
        with CaptureQueriesContext(connection) as queries:
            module.build(params())
        counts[module.key] = len(queries)
    return counts


def test_query_count_does_not_depend_on_data_size(
    clinic, make_patient, make_medical_visit, make_dental_visit, make_feedback
):
    small = _query_counts()
    for index in range(30):
        patient = make_patient(sex="MFO"[index % 3], date_of_birth=dt.date(1960 + index, 1 + index % 12, 1))
        at = local(2025, 1 + index % 3, 1 + index % 28, index % 24)
        make_medical_visit(
            patient,
            at,
            diagnosis=f"Diagnosis {index % 13}",
            diagnosis_code=f"X{index % 4}" if index % 2 else "",
            outcome="RESOLVED",
        )
        make_dental_visit(patient, at, diagnosis=f"Tooth {index % 11}", outcome="IMPROVED")
        make_feedback(patient, at, 1 + index % 5, comments=f"Note {index}", responded_at=at + dt.timedelta(hours=index))
    large = _query_counts()
    assert large == small
    postgresql = connection.vendor == "postgresql"
    feedback = 4 if postgresql else 5  # PostgreSQL computes the median in the aggregate
    # PostgreSQL plans treatment outcomes' top diagnoses without a Parallel Append: a SET LOCAL in a
    # savepoint (queries.top_groups), three statements more inside the test's transaction.
    outcomes = 6 if postgresql else 3
    # Visit trends and feedback analysis also read the clinic's first record (one query a table).
    assert small == {
        "PATIENT_SUMMARY": 2,
        "VISIT_TRENDS": 5,
        "TREATMENT_OUTCOMES": outcomes,
        "FEEDBACK_ANALYSIS": feedback,
    }
    assert visit_trends.build(params()).summary["total_visits"] == 67


def test_long_comments_are_cut_so_every_format_holds_them(make_patient, make_feedback, doctor, settings, tmp_path):
    from reports.models import GeneratedReport, ReportTemplate
    from reports.services import generating, requesting

    make_feedback(make_patient(), local(2025, 1, 10), 4, comments="Very long remark. " * 500)
    template = ReportTemplate.objects.get(report_type="FEEDBACK_ANALYSIS")
    report = requesting.request_report(
        user=doctor,
        template=template,
        date_range_start=dt.date(2025, 1, 1),
        date_range_end=dt.date(2025, 1, 31),
        export_format="PDF",
    )
    generating.run_report(report.pk)
    report = GeneratedReport.objects.get(pk=report.pk)
    assert report.status == "COMPLETED", report.error_message
    comment = report.document["sections"][-1]["rows"][0][2]
    assert len(comment) == COMMENT_CHARS + 1
    assert comment.endswith("…")
