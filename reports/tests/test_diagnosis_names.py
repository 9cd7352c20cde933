"""Every report names a diagnosis by its ICD-10 name and code, in every format and the preview."""

import datetime as dt
from types import SimpleNamespace

import pytest

from conftest import local
from demo.conditions import CONDITIONS
from reports import catalog, renderers
from reports.api.previews import preview
from reports.catalog.report_type import ReportParams
from reports.periods import Period
from reports.tests.readers import shown_text
from visits import icd10

pytestmark = pytest.mark.django_db

URTI = "Acute upper respiratory infection (J06.9)"


@pytest.mark.parametrize(
    ("code", "recorded", "described"),
    [
        ("J06.9", "URTI", URTI),  # a listed code: its name, whatever was written
        ("J06.8", "Acute URTI", "Acute URTI (J06.8)"),  # not listed: the recorded text names it
        ("J06.8", "", "J06.8"),  # neither: the code alone
        ("", "Toothache", "Toothache"),  # no code: the text as recorded
    ],
)
def test_describe(code, recorded, described):
    assert icd10.describe(code, recorded) == described


def test_every_code_the_demo_clinic_records_has_a_name():
    assert [condition.code for condition in CONDITIONS if condition.code not in icd10.NAMES] == []


@pytest.fixture
def coded_visits(make_patient, make_medical_visit):
    patient = make_patient()
    for text in ("URTI", "Cough and colds"):
        make_medical_visit(patient, local(2025, 1, 10), diagnosis=text, diagnosis_code="j06.9 ", outcome="RESOLVED")
    return Period(dt.date(2025, 1, 1), dt.date(2025, 1, 31))


@pytest.mark.parametrize("key", ["MEDICAL_STATISTICS", "TREATMENT_OUTCOMES"])
@pytest.mark.parametrize("export_format", ["PDF", "EXCEL", "CSV", "JSON"])
def test_a_coded_diagnosis_is_named_in_every_format(coded_visits, key, export_format):
    document = catalog.get(key).build(ReportParams(period=coded_visits, filters={}))
    assert document.section("top_diagnoses").rows[0][0] == URTI
    shown = shown_text(export_format, renderers.get(export_format).render(document))
    assert URTI in shown.replace("\n", " ")


@pytest.mark.parametrize("key", ["MEDICAL_STATISTICS", "TREATMENT_OUTCOMES"])
def test_a_coded_diagnosis_is_named_in_the_preview(coded_visits, key):
    document = catalog.get(key).build(ReportParams(period=coded_visits, filters={}))
    sections = preview(SimpleNamespace(pk=1, export_format="PDF"), document)["sections"]
    table = next(section for section in sections if section["key"] == "top_diagnoses")
    assert table["rows"][0][0] == URTI
