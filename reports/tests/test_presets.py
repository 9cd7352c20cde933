"""Saved presets: saved and checked as a generate request, shared without granting data, run now."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import local
from reports.models import GeneratedReport, ReportAccessEvent, ReportPreset, ReportTemplate, Sharing
from uscpis.roles import Role

PRESETS = "/api/reports/presets/"
NOW = local(2026, 11, 2, 9, 0)  # a Monday


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def client(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def save(api, template, **fields):
    body = {"name": "Last month's visits", "template": template.pk, "period": "previous_month", "export_format": "PDF"}
    return api.post(PRESETS, {**body, **fields}, format="json")


def codes(response):
    """The error codes of a 400, from the Error-Codes header."""
    return json.loads(response["Error-Codes"])


def test_a_preset_is_saved_with_its_relative_period_and_shown_in_words(api, doctor, template):
    response = save(api, template, filters={"visit_type": "medical"}, sharing="CLINIC")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["period"] == "previous_month"
    assert body["period_label"] == "Previous month"
    assert (body["date_range_start"], body["date_range_end"]) == (None, None)
    assert body["filter_labels"] == {"visit_type": {"label": "Visit type", "text": "Medical"}}
    assert (body["runnable"], body["problems"], body["is_own"]) == (True, [], True)
    preset = ReportPreset.objects.get(pk=body["id"])
    assert (preset.owner, preset.relative_period, preset.sharing, preset.shared_role) == (
        doctor,
        "previous_month",
        Sharing.CLINIC,
        "",
    )
    assert preset.suppress_small_counts is None


def test_a_fixed_period_is_kept_as_its_two_dates(api, template):
    response = save(api, template, period=None, date_range_start="2026-03-01", date_range_end="2026-03-31")
    assert response.status_code == 400  # null is no period
    body = {"name": "March", "template": template.pk, "export_format": "CSV"}
    response = api.post(PRESETS, {**body, "date_range_start": "2026-03-01", "date_range_end": "2026-03-31"})
    assert response.status_code == 201, response.content
    assert (response.json()["period"], response.json()["period_label"]) == (None, "1 March 2026 to 31 March 2026")
    preset = ReportPreset.objects.get(pk=response.json()["id"])
    assert (preset.relative_period, preset.date_range_start, preset.date_range_end) == (
        "",
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"period": "last_fortnight"}, "period", "unknown_period"),
        ({"date_range_start": "2026-03-01", "date_range_end": "2026-03-31"}, "date_range_start", "period_and_dates"),
        ({"filters": {"ward": "3"}}, "filters", {"ward": ["unknown_filter"]}),
        ({"filters": {"sex": "X"}}, "filters", {"sex": ["invalid_filter"]}),
        ({"export_format": "DOCX"}, "export_format", "invalid_choice"),
        ({"name": ""}, "name", "blank"),
        ({"name": "<b>Mine</b>"}, "name", "markup"),
        ({"sharing": "ROLE"}, "shared_role", "required"),
        ({"sharing": "ROLE", "shared_role": "STUDENT"}, "shared_role", "invalid_choice"),
        ({"suppress_small_counts": "yes"}, "suppress_small_counts", "invalid"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_saves_nothing(api, template, fields, field, code):
    response = save(api, template, **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()
    found = codes(response)[field]
    assert found == code or found == [code], found
    assert not ReportPreset.objects.exists()


def test_a_format_the_template_does_not_offer_is_refused(api, template):
    ReportTemplate.objects.filter(pk=template.pk).update(supported_formats=["CSV"])
    response = save(api, template, export_format="PDF")
    assert response.status_code == 400
    assert codes(response) == {"export_format": ["unsupported_format"]}


def test_a_template_the_role_may_not_use_cannot_be_saved(make_user):
    nurse = make_user(Role.NURSE)
    withheld = ReportTemplate.objects.get(report_type="DENTAL_STATISTICS")
    response = save(client(nurse), withheld)
    assert response.status_code == 400
    assert codes(response) == {"template": ["does_not_exist"]}
    assert not ReportPreset.objects.exists()


def test_names_are_unique_per_owner(api, template, make_user):
    assert save(api, template).status_code == 201
    again = save(api, template, period="previous_week")
    assert again.status_code == 400
    assert codes(again) == {"name": ["unique"]}
    assert ReportPreset.objects.get().relative_period == "previous_month"
    assert save(client(make_user(Role.DOCTOR)), template).status_code == 201


def test_renaming_onto_another_preset_of_the_owner_is_a_400_and_changes_nothing(api, template):
    first = save(api, template).json()["id"]
    second = save(api, template, name="Weekly").json()["id"]
    response = api.patch(f"{PRESETS}{second}/", {"name": "Last month's visits"}, format="json")
    assert response.status_code == 400
    assert codes(response) == {"name": ["unique"]}
    assert ReportPreset.objects.get(pk=second).name == "Weekly"
    assert ReportPreset.objects.get(pk=first).name == "Last month's visits"


def test_a_partial_update_is_checked_with_the_saved_fields(api, template):
    preset = save(api, template, filters={"visit_type": "dental"}).json()["id"]
    url = f"{PRESETS}{preset}/"
    dates = api.patch(url, {"date_range_start": "2026-01-01", "date_range_end": "2026-01-31"}, format="json")
    assert dates.status_code == 200, dates.content
    assert (dates.json()["period"], dates.json()["date_range_start"]) == (None, "2026-01-01")
    assert dates.json()["filters"] == {"visit_type": "dental"}

    # Moving it to a template without that filter would run it unfiltered: refused, unchanged.
    feedback = ReportTemplate.objects.get(report_type="FEEDBACK_ANALYSIS")
    moved = api.patch(url, {"template": feedback.pk}, format="json")
    assert moved.status_code == 400
    assert codes(moved) == {"filters": {"visit_type": ["unknown_filter"]}}
    assert ReportPreset.objects.get(pk=preset).template == template

    relative = api.patch(url, {"period": "this_year", "suppress_small_counts": True}, format="json")
    assert relative.status_code == 200, relative.content
    saved = ReportPreset.objects.get(pk=preset)
    assert (saved.relative_period, saved.date_range_start, saved.suppress_small_counts) == ("this_year", None, True)
    assert api.patch(url, {"suppress_small_counts": None}, format="json").json()["suppress_small_counts"] is None


def test_run_now_resolves_the_period_now_and_reports_as_the_runner(api, doctor, template, make_user):
    preset = save(api, template, filters={"visit_type": "medical"}, sharing="ROLE", shared_role="NURSE").json()["id"]
    nurse = make_user(Role.NURSE)
    response = client(nurse).post(f"{PRESETS}{preset}/run/")
    assert response.status_code == 202, response.content
    report = GeneratedReport.objects.get(pk=response.json()["id"])
    assert (report.generated_by, report.template, report.export_format) == (nurse, template, "PDF")
    assert (report.relative_period, report.date_range_start, report.date_range_end) == (
        "previous_month",
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )
    assert report.filters == {"visit_type": "medical"}
    assert report.suppress_small_counts == template.suppress_small_counts
    event = ReportAccessEvent.objects.get()
    assert (event.user, event.action, event.outcome, event.report_id, event.template_id) == (
        nurse,
        "GENERATE",
        "ACCEPTED",
        report.pk,
        template.pk,
    )


def test_a_preset_whose_filter_is_gone_says_so_and_does_not_run(api, template):
    preset = save(api, template).json()["id"]
    ReportPreset.objects.filter(pk=preset).update(filters={"ward": "3"})
    shown = api.get(f"{PRESETS}{preset}/").json()
    assert shown["runnable"] is False
    assert shown["problems"] == ["Filter “ward”: Unknown filter. Allowed filters: patient_type, sex, visit_type."]
    response = api.post(f"{PRESETS}{preset}/run/")
    assert response.status_code == 409
    assert codes(response) == {"detail": "not_runnable"}
    assert "ward" in response.json()["detail"]
    assert not GeneratedReport.objects.exists()


def test_a_format_no_longer_offered_stops_the_preset(api, template):
    preset = save(api, template).json()["id"]
    ReportTemplate.objects.filter(pk=template.pk).update(supported_formats=["CSV", "JSON"])
    shown = api.get(f"{PRESETS}{preset}/").json()
    assert shown["problems"] == ["Format: This report can be exported as CSV, JSON, not PDF."]
    assert api.post(f"{PRESETS}{preset}/run/").status_code == 409


def test_sharing_shows_a_preset_without_granting_its_template(make_user):
    doctor, nurse, dentist, other_doctor = (make_user(role) for role in ("DOCTOR", "NURSE", "DENTIST", "DOCTOR"))
    comprehensive = ReportTemplate.objects.get(report_type="COMPREHENSIVE_ANALYTICS")  # DOCTOR only
    medical = ReportTemplate.objects.get(report_type="MEDICAL_STATISTICS")  # DOCTOR, NURSE
    owner = client(doctor)
    summary = save(owner, comprehensive, name="Board summary", sharing="CLINIC").json()["id"]
    for_nurses = save(owner, medical, name="Nurses' medical", sharing="ROLE", shared_role="NURSE").json()["id"]
    private = save(owner, medical, name="Mine").json()["id"]

    def seen(user):
        return {item["id"] for item in client(user).get(PRESETS).json()["results"]}

    assert seen(doctor) == {summary, for_nurses, private}
    assert seen(other_doctor) == {summary}
    assert seen(nurse) == {for_nurses}
    assert seen(dentist) == set()
    assert client(nurse).get(f"{PRESETS}{summary}/").status_code == 404
    assert client(nurse).post(f"{PRESETS}{summary}/run/").status_code == 404
    assert client(nurse).patch(f"{PRESETS}{for_nurses}/", {"name": "Ours"}, format="json").status_code == 403
    assert client(nurse).delete(f"{PRESETS}{for_nurses}/").status_code == 403
    assert ReportPreset.objects.filter(pk=for_nurses, name="Nurses' medical").exists()
    assert not GeneratedReport.objects.exists()


def test_the_owner_sees_a_preset_whose_template_their_role_lost_and_cannot_run_it(api, template):
    preset = save(api, template).json()["id"]
    ReportTemplate.objects.filter(pk=template.pk).update(allowed_roles=["NURSE"])
    shown = api.get(f"{PRESETS}{preset}/").json()
    assert (shown["runnable"], shown["problems"]) == (False, ["Your role may not use this report template."])
    assert api.post(f"{PRESETS}{preset}/run/").status_code == 403
    assert api.delete(f"{PRESETS}{preset}/").status_code == 204
    assert not ReportPreset.objects.exists()


def test_listing_costs_the_same_queries_for_few_and_many_presets(api, template):
    for number in range(2):
        save(api, template, name=f"Preset {number}")
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(PRESETS).json()["results"]) == 2
    for number in range(2, 25):
        save(api, template, name=f"Preset {number}", filters={"sex": "F"})
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(PRESETS).json()["results"]) == 20
    assert 0 < len(many) == len(few)


def test_admin_forms_check_a_preset_against_its_template(doctor, template):
    preset = ReportPreset(
        owner=doctor, name="Admin-edited", template=template, relative_period="last_fortnight", export_format="DOCX"
    )
    preset.filters = {"ward": "3"}
    preset.sharing = Sharing.ROLE
    with pytest.raises(ValidationError) as error:
        preset.full_clean()
    assert set(error.value.message_dict) == {"relative_period", "export_format", "filters", "shared_role"}


def test_a_preset_keeps_its_comparison_and_runs_with_it(api, template):
    body = save(api, template, compare_to="same_period_last_year").json()
    assert body["compare_to"] == "same_period_last_year"
    report = GeneratedReport.objects.get(pk=api.post(f"{PRESETS}{body['id']}/run/").json()["id"])
    assert report.compare_to == "same_period_last_year"
    changed = api.patch(f"{PRESETS}{body['id']}/", {"compare_to": "previous_period"}, format="json")
    assert changed.json()["compare_to"] == "previous_period"
    refused = api.patch(f"{PRESETS}{body['id']}/", {"compare_to": "last_decade"}, format="json")
    assert refused.status_code == 400 and "compare_to" in refused.json()
    assert ReportPreset.objects.get(pk=body["id"]).compare_to == "previous_period"
