"""A report requested for a relative period: resolved when requested, stored with its name, shown in every format."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from conftest import local
from reports.models import GeneratedReport, ReportStatus, reports_storage
from reports.services import generating, requesting

GENERATE = "/api/reports/templates/{}/generate/"
NOW = local(2026, 11, 2, 9, 0)  # a Monday


@pytest.fixture
def api(doctor, monkeypatch, settings, tmp_path):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }
    client = APIClient()
    client.force_authenticate(doctor)
    return client


def generate(api, template, **body):
    return api.post(GENERATE.format(template.pk), {"export_format": "CSV", **body}, format="json")


def contents(report):
    with reports_storage().open(report.file.name) as handle:
        return handle.read()


def test_a_relative_period_is_resolved_when_requested_and_kept_with_its_name(api, template):
    response = generate(api, template, period="previous_month")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["date_range_start"], body["date_range_end"], body["relative_period"]) == (
        "2026-10-01",
        "2026-10-31",
        "previous_month",
    )
    report = GeneratedReport.objects.get(pk=body["id"])
    again = requesting.export_report(report, user=report.generated_by, export_format="PDF")
    assert (again.relative_period, again.date_range_start) == ("previous_month", dt.date(2026, 10, 1))


@pytest.mark.parametrize("export_format", ["CSV", "EXCEL", "JSON", "PDF"])
def test_every_format_shows_the_relative_period_with_its_dates(api, template, export_format):
    response = generate(api, template, period="last_7_days", export_format=export_format)
    generating.run_report(response.json()["id"])
    report = GeneratedReport.objects.get(pk=response.json()["id"])
    assert report.status == ReportStatus.COMPLETED, report.error_message
    label = "Last 7 days (today and the 6 before)"
    content = contents(report)
    if export_format == "PDF":
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
        assert f"{label}: 2026-10-27 – 2026-11-02" in " ".join(text.split())
    elif export_format == "CSV":
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        assert {"Relative period": label}.items() <= {row["Label"]: row["Value"] for row in rows}.items()
    elif export_format == "EXCEL":
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Summary"]
        assert ["Relative period", label] in [[cell.value for cell in row[:2]] for row in sheet.iter_rows()]
    else:
        assert json.loads(content)["period"]["label"] == label
    assert report.document["period"]["label"] == label  # a rebuilt file shows it too


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"period": "last_month"}, "period", "unknown_period"),
        ({"period": "last_4000_days"}, "period", "unknown_period"),
        ({"period": "previous_month", "date_range_start": "2026-10-01"}, "date_range_start", "period_and_dates"),
        ({"date_range_start": "2026-10-01"}, "date_range_end", "required"),
        ({}, "date_range_start", "required"),
    ],
)
def test_a_period_given_wrongly_is_refused_with_its_field_and_changes_nothing(api, template, body, field, code):
    response = generate(api, template, **body)
    assert response.status_code == 400
    assert field in response.json()
    assert json.loads(response["Error-Codes"])[field] == [code]
    assert GeneratedReport.objects.count() == 0
