"""Every role × every endpoint × own and another user's report, driven by docs/security.md's table."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from rest_framework.test import APIClient

from reports import selectors
from reports.api.urls import router
from reports.models import (
    Frequency,
    GeneratedReport,
    ReportPreset,
    ReportSchedule,
    ReportStatus,
    ReportTemplate,
    Sharing,
    reports_storage,
)
from reports.services import generating, requesting, scheduling
from uscpis.roles import Role

TABLE = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ROLES = [
    "anonymous",
    *[
        role.value
        for role in (Role.STUDENT, Role.FACULTY, Role.DOCTOR, Role.DENTIST, Role.NURSE, Role.STAFF, Role.ADMIN)
    ],
]
VALID = {"date_range_start": "2025-01-01", "date_range_end": "2025-01-31", "export_format": "JSON"}
VALID_START, VALID_END = dt.date(2025, 1, 1), dt.date(2025, 1, 31)
CLINIC_REPORT_TYPES = ("VISIT_TRENDS", "TREATMENT_OUTCOMES", "FEEDBACK_ANALYSIS")


def policy():
    """{(method, path): {role: cell}} read from the access matrix in docs/security.md."""
    text = TABLE.read_text()
    block = text.split("<!-- access-matrix:start -->")[1].split("<!-- access-matrix:end -->")[0]
    lines = [line for line in block.strip().splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[2:] == ROLES
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        method, path = re.fullmatch(r"`(\w+) (\S+)`", cells[1]).groups()
        table[(method, path)] = dict(zip(ROLES, cells[2:], strict=True))
    return table


POLICY = policy()
CASES = [(endpoint, role, cell) for endpoint, cells in POLICY.items() for role, cell in cells.items()]


def test_the_table_covers_every_report_route():
    documented = {path for _, path in POLICY}
    routed = {
        "/api/" + re.sub(r"\(\?P<pk>[^)]+\)", "{id}", pattern.pattern.regex.pattern).strip("^$")
        for pattern in router.urls
        if "format" not in pattern.pattern.regex.pattern
    }
    assert routed
    assert routed <= documented, routed - documented


@pytest.fixture
def world(make_user, settings, tmp_path):
    """A user per role, each with a completed report of their own, and another doctor's report.

    One report is generated for real; the others are completed copies of it with files of their own.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "reports": {**settings.STORAGES["reports"], "OPTIONS": {"location": tmp_path}},
    }
    template = ReportTemplate.objects.get(report_type="PATIENT_SUMMARY")
    generated = []

    def completed(user):
        report = requesting.request_report(
            user=user, template=template, date_range_start=VALID_START, date_range_end=VALID_END, export_format="JSON"
        )
        if not generated:
            generating.run_report(report.pk)
            generated.append(GeneratedReport.objects.get(pk=report.pk))
            return report.pk
        original = generated[0]
        name = reports_storage().save(
            f"{report.pk}-copy.json", ContentFile((tmp_path / original.file.name).read_bytes())
        )
        copied = ("status", "file_size", "checksum", "record_count", "document", "completed_at", "expires_at")
        GeneratedReport.objects.filter(pk=report.pk).update(file=name, **{f: getattr(original, f) for f in copied})
        return report.pk

    users = {role: make_user(role) for role in ROLES if role != "anonymous"}
    own = {role: completed(user) for role, user in users.items()}
    colleague = make_user(Role.DOCTOR)
    other = completed(colleague)
    return users, own, other, presets(users, colleague, template)


def presets(users, colleague, template):
    """A private preset of each role's own, and three of a colleague: shared with the clinic, with
    the clinic but of a template only DOCTOR may use, and private."""

    def preset(owner, name, sharing=Sharing.PRIVATE, template=template):
        return ReportPreset.objects.create(
            owner=owner,
            name=name,
            template=template,
            relative_period="previous_month",
            export_format="JSON",
            sharing=sharing,
        ).pk

    withheld = ReportTemplate.objects.get(report_type="COMPREHENSIVE_ANALYTICS")
    assert set(withheld.allowed_roles) == {Role.ADMIN, Role.DOCTOR}
    return {
        "own": {role: preset(user, "Mine") for role, user in users.items()},
        "shared": preset(colleague, "Shared", Sharing.CLINIC),
        "withheld": preset(colleague, "Doctors only", Sharing.CLINIC, template=withheld),
        "private": preset(colleague, "Private"),
    }


def presets_seen(presets, role):
    """The presets ``role`` should see: its own, the colleague's shared one, and the withheld one if a doctor."""
    seen = {presets["shared"]} if role != "anonymous" else set()
    if role in (Role.DOCTOR, Role.ADMIN):
        seen.add(presets["withheld"])
    return seen | ({presets["own"][role]} if role in presets["own"] else set())


def client(users, role, page=False):
    if page:
        browser = Client()
        if role != "anonymous":
            browser.force_login(users[role])
        return browser
    api = APIClient()
    if role != "anonymous":
        api.force_authenticate(users[role])
    return api


def refused(response, role):
    return response.status_code == (401 if role == "anonymous" else 403)


def templates_split(user):
    usable = set(selectors.templates_for(user).values_list("pk", flat=True))
    others = set(ReportTemplate.objects.values_list("pk", flat=True)) - usable
    return usable, others


@pytest.mark.parametrize(("endpoint", "role", "cell"), CASES, ids=[f"{m} {p} {r}" for (m, p), r, _ in CASES])
def test_access_matrix(world, endpoint, role, cell):
    users, own, other, presets = world
    method, path = endpoint
    user = users.get(role)

    if path == "/reports":
        response = client(users, role, page=True).get(path)
        if cell == "no":
            assert response.status_code == (302 if role == "anonymous" else 403)
            if role == "anonymous":
                assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 200
        return

    api = client(users, role)
    call = getattr(api, method.lower())

    if path.startswith("/api/reports/presets/"):
        check_presets(api, call, method, path, role, cell, presets, users)
        return

    if path.startswith("/api/reports/schedules/"):
        check_schedules(call, method, path, role, cell, presets, users)
        return

    if "{id}" not in path:
        # The bulk status asks for every report there is; the caller gets those it may see.
        every_id = ",".join(str(pk) for pk in [*own.values(), other])
        response = call(path, {"ids": every_id}) if path.endswith("/generated/status/") else call(path)
        if cell == "no":
            assert refused(response, role)
            return
        assert response.status_code == 200
        if path.endswith("/templates/"):
            listed = {item["id"] for item in response.json()["results"]}
            expected = (
                set(ReportTemplate.objects.values_list("pk", flat=True)) if cell == "all" else templates_split(user)[0]
            )
            assert listed == expected
        elif path.endswith(("/generated/", "/generated/status/")):
            listed = {item["id"] for item in response.json()["results"]}
            assert listed == (set(own.values()) | {other} if cell == "all" else {own[role]})
        elif path.endswith("/generated/dashboard/"):
            expected = GeneratedReport.objects.count() if cell == "all" else 1
            assert response.json()["totals"]["reports"] == expected
        elif path.endswith("/dashboard/clinic/"):
            shown = {figure["report_type"] for figure in response.json()["figures"]}
            usable = set(selectors.templates_for(user).values_list("report_type", flat=True))
            assert shown == set(CLINIC_REPORT_TYPES) & (usable if cell == "allowed" else set(CLINIC_REPORT_TYPES))
        return

    if path.startswith("/api/reports/templates/"):
        usable, others = (
            templates_split(user) if user else (set(), set(ReportTemplate.objects.values_list("pk", flat=True)))
        )
        body = VALID if method == "POST" else None
        for template_id in sorted(usable | others):
            response = (
                call(path.replace("{id}", str(template_id)), body, format="json")
                if body
                else call(path.replace("{id}", str(template_id)))
            )
            if cell == "no":
                assert refused(response, role)
            elif cell == "all" or template_id in usable:
                assert response.status_code in (200, 202), response.content
            else:
                assert response.status_code == 403
        return

    for report_id, mine in ((own.get(role), True), (other, False)):
        if report_id is None:  # anonymous owns nothing: try another's report only
            continue
        if path.endswith("/retry/"):  # only a failed report can be retried
            GeneratedReport.objects.filter(pk=report_id).update(status=ReportStatus.FAILED)
        url = path.replace("{id}", str(report_id))
        response = call(url, {"export_format": "CSV"}, format="json") if path.endswith("/export/") else call(url)
        if cell == "no":
            assert refused(response, role)
        elif mine or cell == "all":
            assert response.status_code in (200, 202, 204), response.content
        else:
            assert response.status_code == 404
            assert GeneratedReport.objects.filter(pk=report_id).exists()


def check_presets(api, call, method, path, role, cell, presets, users):
    """Own presets answer; a colleague's visible preset reads and runs but is not theirs to change; others 404."""
    template = ReportTemplate.objects.get(report_type="PATIENT_SUMMARY")
    body = {"name": "Renamed", "template": template.pk, "period": "previous_week", "export_format": "CSV"}
    if "{id}" not in path:
        response = call(path, body, format="json") if method == "POST" else call(path)
        if cell == "no":
            assert refused(response, role)
        elif method == "POST":
            assert response.status_code == 201, response.content
            assert ReportPreset.objects.get(pk=response.json()["id"]).owner == users[role]
        else:
            assert {item["id"] for item in response.json()["results"]} == presets_seen(presets, role)
        return
    seen = presets_seen(presets, role)
    for preset_id in [presets["own"].get(role), presets["shared"], presets["withheld"], presets["private"]]:
        if preset_id is None:
            continue
        url = path.replace("{id}", str(preset_id))
        response = call(url, body, format="json") if method in ("PUT", "PATCH") else call(url)
        if cell == "no":
            assert refused(response, role)
        elif preset_id not in seen:
            assert response.status_code == 404
        elif cell == "owner" and preset_id != presets["own"].get(role):
            assert response.status_code == 403
            assert ReportPreset.objects.get(pk=preset_id).name != "Renamed"
        else:
            assert response.status_code in (200, 202, 204), response.content


def check_schedules(call, method, path, role, cell, presets, users):
    """A schedule answers its owner only (another's is 404); anyone on staff may make one and list whom to mail."""
    user = users.get(role)

    def daily(owner, preset_id):
        schedule = ReportSchedule(
            owner=owner, preset_id=preset_id, frequency=Frequency.DAILY, local_time=dt.time(7), time_zone="UTC"
        )
        return scheduling.save_schedule(schedule, by=owner).pk

    colleague_preset = ReportPreset.objects.get(pk=presets["private"])
    others = daily(colleague_preset.owner, colleague_preset.pk)
    mine = daily(user, presets["own"][role]) if user else None
    body = {"preset": presets["own"].get(role), "frequency": "WEEKLY", "weekdays": [0], "local_time": "07:30"}
    if "{id}" not in path:
        response = call(path, {**body, "recipients": []}, format="json") if method == "POST" else call(path)
        if cell == "no":
            assert refused(response, role)
        elif method == "POST":
            assert response.status_code == 201, response.content
            assert ReportSchedule.objects.get(pk=response.json()["id"]).owner == user
        elif path.endswith("/people/"):
            assert user.pk in {person["id"] for person in response.json()}
        else:
            assert {item["id"] for item in response.json()["results"]} == {mine}
        return
    for schedule_id in (mine, others):
        if schedule_id is None:
            continue
        url = path.replace("{id}", str(schedule_id))
        response = call(url, body, format="json") if method in ("PUT", "PATCH") else call(url)
        if cell == "no":
            assert refused(response, role)
        elif schedule_id == others:
            assert response.status_code == 404
            assert ReportSchedule.objects.filter(pk=others, frequency=Frequency.DAILY).exists()
        else:
            assert response.status_code in (200, 202, 204), response.content
