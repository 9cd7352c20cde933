"""Fixtures for the reports app's tests."""

import datetime as dt

import pytest

from reports.models import GeneratedReport, ReportTemplate
from reports.services import generating


@pytest.fixture
def template(db):
    return ReportTemplate.objects.get(report_type="VISIT_TRENDS")


@pytest.fixture
def make_report(db, template):
    def make(user, **fields):
        values = {
            "template": template,
            "report_type": template.report_type,
            "title": "Visit trends",
            "generated_by": user,
            "date_range_start": dt.date(2025, 1, 1),
            "date_range_end": dt.date(2025, 3, 31),
            "export_format": "JSON",
        }
        values.update(fields)
        return GeneratedReport.objects.create(**values)

    return make


@pytest.fixture
def completed_report(make_report, doctor, settings, tmp_path):
    """A report generated for real (JSON) into a temporary storage folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }
    report = make_report(doctor)
    generating.run_report(report.pk)
    report.refresh_from_db()
    return report
