"""A report type is declared once: the templates, the cards, the cache and the docs follow its declaration."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings

from patients.models import Patient
from reports import catalog, suppression
from reports.catalog.report_type import ReportParams, ReportType
from reports.document import COUNT, Content
from reports.models import ReportAccessEvent, ReportTemplate
from reports.periods import Period
from reports.template_installation import install_templates
from uscpis.roles import Role

DOCS = (Path(settings.BASE_DIR) / "docs" / "reports.md").read_text()
EMPTY = Period(dt.date(2030, 1, 1), dt.date(2030, 1, 31))
REPORT_TYPES = sorted(catalog.REPORT_TYPES)


def documented(report_type):
    """The text of the type's section of docs/reports.md, up to the next second-level heading."""
    heading = f"## {report_type.name} (`{report_type.key}`)\n"
    assert heading in DOCS, f"docs/reports.md has no section {heading.strip()!r}"
    return DOCS.split(heading, 1)[1].split("\n## ", 1)[0]


def names(report_type):
    return set(re.findall(r"`([a-z0-9_]+)`", documented(report_type)))


def defined_by_a_source(key):
    """A figure another report type defines, under its own key or prefixed with that type's key."""
    for source in catalog.all_types():
        prefix = source.key.lower() + "_"
        if key.removeprefix(prefix) in names(source):
            return True
    return False


@pytest.mark.parametrize("key", REPORT_TYPES)
def test_docs_define_every_figure_section_and_filter_of_each_report_type(db, key):
    report_type = catalog.get(key)
    document = report_type.build(ReportParams(period=EMPTY))
    sections = {section.key for section in document.sections}
    missing = {*sections, *report_type.filters} - names(report_type)
    missing |= {key for key in document.summary if key not in names(report_type) and not defined_by_a_source(key)}
    assert not missing, f"docs/reports.md does not name {sorted(missing)} under {report_type.name}"


def test_docs_describe_no_report_type_that_is_not_declared():
    keys = set(re.findall(r"^## .+ \(`([A-Z_]+)`\)$", DOCS, flags=re.MULTILINE))
    assert keys == set(catalog.REPORT_TYPES)


@pytest.mark.parametrize("key", REPORT_TYPES)
def test_installed_templates_carry_their_declaration(db, key):
    report_type = catalog.get(key)
    template = ReportTemplate.objects.get(report_type=key)
    assert (template.name, template.description) == (report_type.name, report_type.description)
    assert set(template.allowed_roles) == set(report_type.roles)
    assert template.supported_formats == list(report_type.formats)


def test_installing_again_keeps_admins_choices_and_restores_the_declared_name(db):
    ReportTemplate.objects.filter(report_type="VISIT_TRENDS").update(
        name="Renamed", allowed_roles=["ADMIN"], supported_formats=["PDF"]
    )
    ReportTemplate.objects.filter(report_type="DENTAL_STATISTICS").delete()
    count = ReportTemplate.objects.count()
    install_templates(ReportTemplate.objects)
    install_templates(ReportTemplate.objects)
    assert ReportTemplate.objects.count() == count + 1
    visit_trends = ReportTemplate.objects.get(report_type="VISIT_TRENDS")
    assert (visit_trends.name, visit_trends.allowed_roles, visit_trends.supported_formats) == (
        "Visit trends",
        ["ADMIN"],
        ["PDF"],
    )
    assert ReportTemplate.objects.get(report_type="DENTAL_STATISTICS").allowed_roles == ["ADMIN", "DENTIST"]


@pytest.fixture
def scratch_catalog(monkeypatch):
    """Report types declared in a test are forgotten after it."""
    monkeypatch.setattr(catalog, "REPORT_TYPES", dict(catalog.REPORT_TYPES))


def declaration(**overrides):
    """The attributes of a small valid report type, with ``overrides``."""

    def compute(self, params, *, headline_only=False):
        count = Patient.objects.count()
        return Content(record_count=count, summary={"patients": count})

    return {
        "key": "HEADCOUNT",
        "name": "Headcount",
        "description": "How many patients the clinic has.",
        "contents": "Patients",
        "reads": (Patient,),
        "summary_kinds": {"patients": COUNT},
        "suppression": suppression.Rules(counts=("patients",), record_count="patients"),
        "roles": (Role.ADMIN,),
        "compute": compute,
        **overrides,
    }


def test_a_new_declaration_is_offered_with_its_template_card_and_cache_tables(db, scratch_catalog):
    headcount = type("Headcount", (ReportType,), declaration())
    assert catalog.get("HEADCOUNT").tables() == ("patients_patient",) == headcount.tables()
    install_templates(ReportTemplate.objects)
    template = ReportTemplate.objects.get(report_type="HEADCOUNT")
    assert (template.name, template.allowed_roles) == ("Headcount", ["ADMIN"])
    assert template.supported_formats == ["PDF", "EXCEL", "CSV", "JSON"]
    document = catalog.get("HEADCOUNT").build(ReportParams(period=EMPTY, title=""))
    assert (document.title, document.report_type, document.summary) == ("Headcount", "HEADCOUNT", {"patients": 0})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contents": ""}, "declares no contents"),
        ({"reads": (), "roles": ()}, "declares no reads, roles"),
        ({"suppression": {"counts": ("patients",)}}, "is not a reports.suppression.Rules"),
        ({"reads": (Patient, ReportAccessEvent)}, "not tracked: reports_reportaccessevent"),
    ],
)
def test_an_incomplete_declaration_fails_when_it_is_defined(scratch_catalog, overrides, message):
    with pytest.raises(TypeError, match=message):
        type("Broken", (ReportType,), declaration(**overrides))
    assert "HEADCOUNT" not in catalog.REPORT_TYPES


def test_a_key_declared_twice_is_an_error(scratch_catalog):
    with pytest.raises(ValueError, match="VISIT_TRENDS is declared twice"):
        type("Again", (ReportType,), declaration(key="VISIT_TRENDS"))


def test_a_report_type_declares_the_kind_of_its_summary(scratch_catalog):
    with pytest.raises(TypeError, match="declares no summary_kinds"):
        type("Broken", (ReportType,), declaration(summary_kinds={}))
    with pytest.raises(TypeError, match="summary_kinds holds a kind"):
        type("Broken", (ReportType,), declaration(summary_kinds={"patients": "count"}))


def test_a_figure_a_report_type_did_not_declare_fails_when_it_is_built(db, scratch_catalog):
    def compute(self, params, *, headline_only=False):
        return Content(record_count=0, summary={"patients": 0, "visits": 0})

    headcount = type("Headcount", (ReportType,), declaration(compute=compute))
    with pytest.raises(ValueError, match="no kind declared for 'visits'"):
        headcount().build(ReportParams(period=EMPTY))


@pytest.mark.parametrize("key", REPORT_TYPES)
def test_every_chart_of_several_series_names_its_value_axis(db, key):
    document = catalog.get(key).build(ReportParams(period=EMPTY))
    several = [chart for chart in document.charts if chart.kind in ("bar", "line") and len(chart.values) > 1]
    assert all(chart.value_title for chart in several), [chart.key for chart in several if not chart.value_title]
