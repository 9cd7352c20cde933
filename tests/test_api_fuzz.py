"""Schemathesis against the live server: no 5xx, and every response matches the published schema.

Semantic 400s for schema-valid requests (wrong password, start after end) are correct here, so the
"positive data accepted" check is not run; status codes, content types and bodies must all be documented.
The hostile parameters of the in-process property tests (``reports/tests/strategies.py``: ids,
dates with any offset, pages, filters, titles) are sent to the same gunicorn too.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from reports.tests import strategies as hostile
from tests.system import running_system

pytestmark = pytest.mark.e2e

USERS_AND_REPORTS = """
import datetime as dt
from django.contrib.auth.models import Group, User
from reports.services import generating, requesting
from reports.models import GeneratedReport, ReportTemplate
for name, role in (("doctor", "DOCTOR"), ("chief", "ADMIN")):
    user = User.objects.create_user(name, password="fuzz-" + name + "-password")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
doctor = User.objects.get(username="doctor")
for template in ReportTemplate.objects.filter(report_type__in=["PATIENT_SUMMARY", "VISIT_TRENDS"]):
    for export_format in ("PDF", "JSON"):
        report = requesting.request_report(
            user=doctor, template=template, date_range_start=dt.date(2025, 1, 1),
            date_range_end=dt.date(2025, 1, 31), export_format=export_format,
        )
        generating.run_report(report.pk)
GeneratedReport.objects.filter(pk=2).update(status="FAILED", error_message="Storage was unavailable.")
GeneratedReport.objects.filter(pk=3).update(status="PENDING")
GeneratedReport.objects.filter(pk=4).update(status="EXPIRED")
"""
# Ids that exist (reports 1-4 in every state, templates 1-8), so operations on one object are reached.
KNOWN_IDS = list(range(1, 9))
EXAMPLES_PER_OPERATION = 15


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    with running_system(tmp_path_factory.mktemp("fuzz"), THROTTLE_REPORT_GENERATION="1000/hour") as live:
        live.manage("shell", "--verbosity=0", "-c", USERS_AND_REPORTS)
        live.tokens = {}
        for name in ("doctor", "chief"):
            _, login = live.json("POST", "/api/auth/login/", {"username": name, "password": f"fuzz-{name}-password"})
            live.tokens[name] = login["token"]
        yield live


def operations(system, user):
    """Every operation of the published schema, read from the live server as ``user``."""
    schema = schemathesis.openapi.from_url(
        system.base + "/api/schema/?format=json", headers={"Authorization": f"Token {system.tokens[user]}"}
    )
    found = [result.ok() for result in schema.get_all_operations()]
    # Deletions, then what ends the caller's tokens (revoking, logging out), last: the rest still find what they need.
    return sorted(
        found,
        key=lambda op: (
            op.path == "/api/auth/logout/" or op.path.startswith("/api/auth/tokens/"),
            op.method.upper() == "DELETE",
        ),
    )


@pytest.mark.parametrize("user", ["chief", "doctor"])
def test_every_operation_conforms_to_the_schema(system, user):
    headers = {"Authorization": f"Token {system.tokens[user]}"}
    checked = []
    for operation in operations(system, user):

        @given(case=operation.as_strategy(), known=st.sampled_from([None, *KNOWN_IDS]))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def conforms(case, known):
            if known is not None and "id" in (case.path_parameters or {}):
                case.path_parameters["id"] = known
            case.call_and_validate(
                base_url=system.base,
                headers=headers,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
            )

        conforms()
        checked.append(operation.label)
    assert len(checked) >= 12, checked


HOSTILE = settings(
    max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
)
ON_ONE_REPORT = settings(HOSTILE, max_examples=40)
USERS = ("doctor", "chief")
NEW_TOKEN = """
from django.contrib.auth.models import User
from knox.models import AuthToken
print(AuthToken.objects.create(User.objects.get(username="{name}"))[1])
"""
GENERATED = "/api/reports/generated/"
# (method, path after a report's id, body strategy) of every action on one report; deleting last.
REPORT_ACTIONS = [
    ("GET", "", st.none()),
    ("GET", "status/", st.none()),
    ("GET", "preview/", st.none()),
    ("GET", "download/", st.none()),
    ("POST", "retry/", st.none()),
    ("POST", "export/", st.fixed_dictionaries({"export_format": hostile.EXPORT_FORMATS}) | hostile.ANY_JSON),
    ("DELETE", "", st.none()),
]


def new_token(system, username):
    """A new API token of ``username``, made in the database rather than by logging in."""
    return system.manage("shell", "--verbosity=0", "-c", NEW_TOKEN.format(name=username)).stdout.strip()


def test_hostile_parameters_get_no_5xx_from_gunicorn(system):
    """Every generate attempt adds one audit event, and only an accepted one adds a report."""
    # New tokens: the schema's operations may have ended the first ones, and the fuzzed logins
    # may have locked logging in from this address.
    tokens = {name: new_token(system, name) for name in USERS}

    def send(method, path, body=None, user="doctor"):
        status, _, _ = system.request(method, path, body, tokens[user])
        assert status < 500, (method, path, body, status)
        return status

    def count(path, user):
        return system.json("GET", path, token=tokens[user])[1]["count"]

    @HOSTILE
    @given(ids=hostile.IDS)
    def status_of_several_reports(ids):
        send("GET", f"{GENERATED}status/" + hostile.query(ids=ids))

    @HOSTILE
    @given(template=st.sampled_from(KNOWN_IDS), body=hostile.GENERATE_BODIES)
    def generate(template, body):
        reports, events = count(GENERATED, "doctor"), count("/api/reports/audit-events/?action=GENERATE", "chief")
        status = send("POST", f"/api/reports/templates/{template}/generate/", body)
        assert count(GENERATED, "doctor") == reports + (status == 202)
        assert count("/api/reports/audit-events/?action=GENERATE", "chief") == events + 1

    @HOSTILE
    @given(
        path=st.sampled_from([GENERATED, "/api/reports/templates/", "/api/reports/templates/cards/"]),
        page=hostile.PAGES,
        page_size=hostile.PAGES,
        status=st.none() | hostile.URL_TEXT,
        report_type=st.none() | hostile.URL_TEXT,
    )
    def lists(path, **params):
        send("GET", path + hostile.query(**params))

    @HOSTILE
    @given(
        action=st.none() | hostile.URL_TEXT,
        report_id=st.none() | hostile.ID_TEXT,
        occurred_after=st.none() | hostile.DATE_TEXT,
        occurred_before=st.none() | hostile.DATE_TEXT,
        page=hostile.PAGES,
    )
    def audit_trail(**params):
        send("GET", "/api/reports/audit-events/" + hostile.query(**params), user="chief")

    @ON_ONE_REPORT
    @given(report=st.sampled_from(KNOWN_IDS) | hostile.ID_TEXT, data=st.data())
    def on_one_report(method, suffix, body, report, data):
        send(method, f"{GENERATED}{hostile.path_segment(report)}/{suffix}", data.draw(body))

    for check in (status_of_several_reports, generate, lists, audit_trail):
        check()
    for method, suffix, body in REPORT_ACTIONS:
        on_one_report(method, suffix, body)
