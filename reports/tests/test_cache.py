"""The report-data and dashboard cache: warm hits, and no stale figure after any kind of write."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import local
from reports import catalog, selectors
from reports.cache import DASHBOARD_SOURCES, data_versions
from reports.models import GeneratedReport
from reports.services import generating
from reports.tests.readers import shown_text
from visits.models import DentalVisit, MedicalVisit


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def patient(make_patient):
    return make_patient()


def unsaved_report(user, report_type="VISIT_TRENDS", title="", **fields):
    values = {"date_range_start": dt.date(2025, 1, 1), "date_range_end": dt.date(2025, 3, 31), "filters": {}}
    values.update(fields)
    return GeneratedReport(report_type=report_type, title=title, generated_by=user, **values)


def build(report):
    with CaptureQueriesContext(connection) as queries:
        document = generating.build_document(report)
    return document, len(queries)


def test_a_repeated_report_is_served_from_the_cache_with_its_own_title(doctor, patient, make_medical_visit):
    make_medical_visit(patient, local(2025, 2, 3))
    cold, cold_queries = build(unsaved_report(doctor, title="First"))
    warm, warm_queries = build(unsaved_report(doctor, title="Second"))
    assert cold.summary["total_visits"] == 1
    assert warm.summary == cold.summary
    assert [section.as_dict() for section in warm.sections] == [section.as_dict() for section in cold.sections]
    assert cold_queries > 1
    assert warm_queries == 1  # only the data versions are read
    assert (cold.title, warm.title) == ("First", "Second")
    assert build(unsaved_report(doctor))[0].title == "Visit trends"


def test_a_cached_report_is_stamped_in_the_clinics_zone_like_a_fresh_one(doctor, patient, make_medical_visit):
    make_medical_visit(patient, local(2025, 2, 3))
    cold, _ = build(unsaved_report(doctor))
    warm, _ = build(unsaved_report(doctor))
    offset = timezone.localtime(timezone.now(), ZoneInfo(settings.TIME_ZONE)).utcoffset()
    stamps = [dt.datetime.fromisoformat(document.generated_at) for document in (cold, warm)]
    assert [stamp.utcoffset() for stamp in stamps] == [offset, offset]
    assert abs(stamps[1] - stamps[0]) < dt.timedelta(minutes=1)


@pytest.mark.parametrize("export_format", ["PDF", "EXCEL", "CSV", "JSON"])
def test_every_format_prints_the_generated_time_in_the_clinics_zone_cached_or_not(
    doctor, patient, make_medical_visit, export_format
):
    make_medical_visit(patient, local(2025, 2, 3))
    cold, _ = build(unsaved_report(doctor))
    warm, _ = build(unsaved_report(doctor))
    for document in (cold, warm):
        stamp = dt.datetime.fromisoformat(document.generated_at)
        printed = (
            stamp.isoformat() if export_format in ("JSON", "CSV") else stamp.isoformat(sep=" ", timespec="minutes")
        )
        content, _ = generating.render(document, export_format)
        assert printed in shown_text(export_format, content), export_format
        assert stamp.utcoffset() == timezone.localtime(stamp, ZoneInfo(settings.TIME_ZONE)).utcoffset()


def test_a_title_given_to_a_cached_report_loses_its_bidirectional_controls(doctor, patient, make_medical_visit):
    make_medical_visit(patient, local(2025, 2, 3))
    build(unsaved_report(doctor, title="First"))
    warm, queries = build(unsaved_report(doctor, title="Q1 \u202eexe.pdf"))
    assert queries == 1 and warm.title == "Q1 exe.pdf"


def test_parameters_are_part_of_the_key(doctor, patient, make_medical_visit, make_dental_visit):
    make_medical_visit(patient, local(2025, 2, 3))
    make_dental_visit(patient, local(2025, 5, 3))
    build(unsaved_report(doctor))
    longer, queries = build(unsaved_report(doctor, date_range_end=dt.date(2025, 6, 30)))
    assert queries > 1
    assert longer.summary["total_visits"] == 2
    medical, queries = build(
        unsaved_report(doctor, date_range_end=dt.date(2025, 6, 30), filters={"visit_type": "medical"})
    )
    assert queries > 1
    assert medical.summary["total_visits"] == 1


def test_a_new_visit_saved_by_the_orm_is_never_hidden(doctor, patient, make_medical_visit):
    build(unsaved_report(doctor))
    make_medical_visit(patient, local(2025, 2, 3))
    document, queries = build(unsaved_report(doctor))
    assert queries > 1
    assert document.summary["total_visits"] == 1


def test_bulk_create_update_and_delete_which_send_no_signals_invalidate(doctor, patient):
    MedicalVisit.objects.bulk_create(
        [MedicalVisit(patient=patient, visit_date=local(2025, 2, day), concern="Cough") for day in (3, 4)]
    )
    assert build(unsaved_report(doctor, "TREATMENT_OUTCOMES"))[0].summary["cases_with_outcome"] == 0
    MedicalVisit.objects.filter(visit_date__day=3).update(outcome="RESOLVED")
    document, queries = build(unsaved_report(doctor, "TREATMENT_OUTCOMES"))
    assert queries > 1
    assert (document.summary["cases_with_outcome"], document.summary["success_rate"]) == (1, 1.0)
    MedicalVisit.objects.filter(visit_date__day=4).delete()
    assert build(unsaved_report(doctor, "TREATMENT_OUTCOMES"))[0].summary["total_cases"] == 1


def test_a_write_by_raw_sql_invalidates(doctor, patient):
    build(unsaved_report(doctor))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO visits_dentalvisit (patient_id, visit_date, diagnosis, treatment, outcome, "
            "follow_up_required, created_at, procedure, tooth_numbers, oral_hygiene, gum_condition, priority) "
            "VALUES (%s, %s, '', '', 'PENDING', FALSE, %s, 'CLEANING', '', '', '', 'LOW')",
            [patient.pk, local(2025, 3, 1), local(2025, 3, 1)],
        )
    assert build(unsaved_report(doctor))[0].summary["dental_visits"] == 1


def test_writes_to_tables_a_report_does_not_read_keep_its_cache(doctor, patient, make_feedback):
    make_feedback(patient, local(2025, 2, 3), 5)
    build(unsaved_report(doctor, "FEEDBACK_ANALYSIS"))
    DentalVisit.objects.create(patient=patient, visit_date=local(2025, 2, 3), procedure="CLEANING")
    document, queries = build(unsaved_report(doctor, "FEEDBACK_ANALYSIS"))
    assert queries == 1
    assert document.summary["total_feedback"] == 1
    make_feedback(patient, local(2025, 2, 4), 1)
    assert build(unsaved_report(doctor, "FEEDBACK_ANALYSIS"))[0].summary["total_feedback"] == 2


def test_the_dashboard_is_cached_per_user_and_fresh_after_a_report_changes(doctor, admin, make_report):
    report = make_report(doctor)
    with CaptureQueriesContext(connection) as cold:
        first = selectors.dashboard(doctor)
    with CaptureQueriesContext(connection) as warm:
        again = selectors.dashboard(doctor)
    assert len(warm) == 1 < len(cold)
    assert again["totals"] == first["totals"]
    assert first["totals"]["pending"] == 1
    GeneratedReport.objects.filter(pk=report.pk).update(status="FAILED")
    assert selectors.dashboard(doctor)["totals"]["failed"] == 1
    make_report(admin)
    assert selectors.dashboard(doctor)["totals"]["reports"] == 1
    assert selectors.dashboard(admin)["totals"]["reports"] == 2


def test_every_table_a_report_reads_has_a_data_version(db):
    names = {*DASHBOARD_SOURCES, *(name for report_type in catalog.all_types() for name in report_type.tables())}
    assert {entry.split("=")[0] for entry in data_versions(sorted(names)).split(",")} == names
