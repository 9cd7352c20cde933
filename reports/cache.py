"""Caching of report data and dashboards, keyed so that a change in the data is never hidden.

Report documents are cached under their report type, their normalised parameters
(period and filters) and the *data versions* of the tables the report type reads.
The database changes a table's version on every write to it (triggers, see migration
``reports/0004_data_versions``), so bulk_create, QuerySet.update, COPY and other
programs are all seen; a new visit gives a new key, and the next report is computed
afresh. Reading the versions is one query on a small table.

The dashboard is cached per user for ``DASHBOARD_CACHE_SECONDS`` under the versions
of the reports and of the users' roles, so it too is fresh after any change.
"""

import dataclasses
import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from reports.document import ReportDocument
from uscpis.roles import is_admin

CLINIC = ("patients_patient", "visits_medicalvisit", "visits_dentalvisit")
USERS = ("auth_user", "auth_group", "auth_user_groups")
# The tables each report type reads; a type missing here depends on every tracked table.
SOURCES = {
    "PATIENT_SUMMARY": CLINIC,
    "VISIT_TRENDS": CLINIC,
    "TREATMENT_OUTCOMES": CLINIC,
    "FEEDBACK_ANALYSIS": ("patients_patient", "feedback_feedback"),
    "MEDICAL_STATISTICS": ("patients_patient", "visits_medicalvisit"),
    "DENTAL_STATISTICS": ("patients_patient", "visits_dentalvisit"),
    "CAMPAIGN_PERFORMANCE": (
        *CLINIC,
        "campaigns_healthcampaign",
        "campaigns_campaignparticipant",
        "auth_user",
        "reports_userlogin",
    ),
}
ALL_SOURCES = (
    *CLINIC,
    "feedback_feedback",
    "campaigns_healthcampaign",
    "campaigns_campaignparticipant",
    *USERS,
    "reports_userlogin",
    "reports_generatedreport",
)
DASHBOARD_SOURCES = ("reports_generatedreport.any", "reports_reporttemplate", *USERS)


def data_versions(names):
    """``"name=version,..."`` of the named tables' data versions, read in one query."""
    placeholders = ", ".join(["%s"] * len(names))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, version FROM reports_data_version WHERE name IN ({placeholders}) ORDER BY name",  # noqa: S608
            list(names),
        )
        return ",".join(f"{name}={version}" for name, version in cursor.fetchall())


def _key(*parts):
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def report_key(report_type, params):
    """The cache key of a report's data: type, period, filters (sorted) and the data versions it reads."""
    versions = data_versions(SOURCES.get(report_type, ALL_SOURCES))
    period = params.period.as_dict()
    return "report-data:" + _key(report_type, period, params.filters, versions)


def cached_document(report_type, params, build):
    """``build(params)``, or the same figures computed earlier from the same data.

    A document served from the cache gets this request's title and generation time.
    """
    key = report_key(report_type, params)
    stored = cache.get(key)
    if stored is None:
        document = build(params)
        cache.set(key, document.as_dict(), settings.REPORT_CACHE_SECONDS)
        return document
    params.progress(1)
    # replace() makes a new document, so its own checks (bidi stripping) apply to the new title too.
    return dataclasses.replace(
        ReportDocument.from_dict(stored),
        title=params.title or build_title(report_type),
        generated_at=params.period.now_stamp(),
    )


def build_title(report_type):
    from reports import catalog

    return catalog.get(report_type).NAME


def cached_dashboard(user, compute):
    """``compute(user)``, cached per user and role for a short while, under the reports' data version."""
    key = "dashboard:" + _key(user.pk, is_admin(user), data_versions(DASHBOARD_SOURCES))
    figures = cache.get(key)
    if figures is None:
        figures = compute(user)
        cache.set(key, figures, settings.DASHBOARD_CACHE_SECONDS)
    return figures
