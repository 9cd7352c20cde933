"""The reports API answers with a fixed number of queries however many reports the table holds."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from reports.models import GeneratedReport, ReportTemplate
from uscpis.roles import is_admin

STATUSES = ("PENDING", "GENERATING", "COMPLETED", "FAILED", "EXPIRED")
FORMATS = ("PDF", "EXCEL", "CSV", "JSON")
# The most queries each endpoint may make, at any size (authentication and roles included).
# For staff, one of each is the reports their schedules' recipients were mailed (selectors.mailed_reports).
MAX_QUERIES = {"list": 5, "detail": 4, "status": 4, "dashboard": 7}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def add_reports(count, owners):
    """``count`` reports spread over owners, templates, statuses and formats (bulk, like years of use)."""
    templates = list(ReportTemplate.objects.all())
    now = timezone.now()
    reports = []
    for number in range(count):
        owner, template = owners[number % len(owners)], templates[number % len(templates)]
        status, export_format = STATUSES[number % len(STATUSES)], FORMATS[number // len(STATUSES) % len(FORMATS)]
        completed = status in ("COMPLETED", "EXPIRED")
        reports.append(
            GeneratedReport(
                template=template,
                report_type=template.report_type,
                title=f"Report {number}",
                generated_by=owner,
                date_range_start=dt.date(2025, 1, 1),
                date_range_end=dt.date(2025, 3, 31),
                export_format=export_format,
                status=status,
                progress_percentage=100 if completed else 0,
                file_size=1000 + number if completed else None,
                generation_time=dt.timedelta(seconds=1 + number % 7) if completed else None,
                completed_at=now if completed else None,
                download_count=number % 3,
            )
        )
    GeneratedReport.objects.bulk_create(reports, batch_size=500)


def queries_per_endpoint(user):
    client = APIClient()
    report = GeneratedReport.objects.filter(generated_by=user).latest("id")
    paths = {
        "list": "/api/reports/generated/?page_size=100",
        "detail": f"/api/reports/generated/{report.pk}/",
        "status": f"/api/reports/generated/{report.pk}/status/",
    }
    if is_admin(user):  # the report system's dashboard is ADMIN's only
        paths["dashboard"] = "/api/reports/generated/dashboard/"
    counts = {}
    for name, path in paths.items():
        cache.clear()  # a cold dashboard: the figures are computed, not read back
        client.force_authenticate(User.objects.get(pk=user.pk))  # as each request would: roles not yet read
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.content[:200])
        counts[name] = len(queries)
    return counts


def test_query_counts_do_not_grow_with_the_reports_table(doctor, admin, make_user):
    nurse = make_user("NURSE")
    counts = {}
    for total in (20, 200, 2000):
        add_reports(total - GeneratedReport.objects.count(), [doctor, admin, nurse])
        counts[total] = {"doctor": queries_per_endpoint(doctor), "admin": queries_per_endpoint(admin)}
    assert counts[20] == counts[200] == counts[2000]
    for role_counts in counts[2000].values():
        for endpoint, count in role_counts.items():
            assert count <= MAX_QUERIES[endpoint], (endpoint, count)


@pytest.mark.parametrize(
    ("endpoint", "path"),
    [
        ("list", "/api/reports/generated/?page_size=100"),
        ("detail", "/api/reports/generated/{id}/"),
        ("status", "/api/reports/generated/{id}/status/"),
        ("dashboard", "/api/reports/generated/dashboard/"),
    ],
)
def test_each_endpoint_stays_within_its_query_budget_at_scale(
    endpoint, path, admin, doctor, django_assert_max_num_queries
):
    add_reports(3000, [doctor, admin])
    report = GeneratedReport.objects.filter(generated_by=admin).latest("id")
    client = APIClient()
    client.force_authenticate(admin)
    with django_assert_max_num_queries(MAX_QUERIES[endpoint]):
        response = client.get(path.format(id=report.pk))
    assert response.status_code == 200
    if endpoint == "list":
        assert len(response.json()["results"]) == 100
    if endpoint == "dashboard":
        assert response.json()["totals"]["reports"] == 3000
