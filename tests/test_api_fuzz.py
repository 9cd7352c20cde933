"""Schemathesis against the live server: no 5xx, and every response matches the published schema.

Semantic 400s for schema-valid requests (wrong password, start after end) are correct here, so the
"positive data accepted" check is not run; status codes, content types and bodies must all be documented.
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

from tests.system import running_system

pytestmark = pytest.mark.e2e

USERS_AND_REPORTS = """
import datetime as dt
from django.contrib.auth.models import Group, User
from reports import services
from reports.models import GeneratedReport, ReportTemplate
for name, role in (("doctor", "DOCTOR"), ("chief", "ADMIN")):
    user = User.objects.create_user(name, password="fuzz-" + name + "-password")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
doctor = User.objects.get(username="doctor")
for template in ReportTemplate.objects.filter(report_type__in=["PATIENT_SUMMARY", "VISIT_TRENDS"]):
    for export_format in ("PDF", "JSON"):
        report = services.request_report(
            user=doctor, template=template, date_range_start=dt.date(2025, 1, 1),
            date_range_end=dt.date(2025, 1, 31), export_format=export_format,
        )
        services.run_report(report.pk)
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
