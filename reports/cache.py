"""Caching of report data and dashboards, keyed so that a change in the data is never hidden.

Report contents (figures and sections, without a title or a time) are cached under
their report type, their normalised parameters (period and filters) and the *data
versions* of the tables the report type declares it reads.
The database changes a table's version on every write to it (triggers, see migration
``reports/0004_data_versions``), so bulk_create, QuerySet.update, COPY and other
programs are all seen; a new visit gives a new key, and the next report is computed
afresh. Reading the versions is one query on a small table.

The clinic's dashboard figures are cached like report contents: under their report types,
their period and the data versions of the tables those types read.

The dashboard is cached per user for ``DASHBOARD_CACHE_SECONDS`` under the versions
of the reports and of the users' roles, so it too is fresh after any change.
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from reports.document import Content
from uscpis.roles import is_admin

USERS = ("auth_user", "auth_group", "auth_user_groups")
DASHBOARD_SOURCES = ("reports_generatedreport.any", "reports_reporttemplate", *USERS)
# In the key of cached contents: contents cached in an earlier form (without kinds, months as text, listings
# not marked as such) are not read.
CONTENT_FORMAT = 4


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
    """The cache key of a report's data: type, period, filters (sorted) and the data versions of what it reads."""
    versions = data_versions(report_type.tables())
    period = params.period.as_dict()
    return "report-content:" + _key(CONTENT_FORMAT, report_type.key, period, params.filters, versions)


def cached_content(report_type, params, compute):
    """``compute(params)``, or the same figures computed earlier from the same data."""
    key = report_key(report_type, params)
    stored = cache.get(key)
    if stored is None:
        content = compute(params)
        cache.set(key, content.as_dict(), settings.REPORT_CACHE_SECONDS)
        return content
    params.progress(1)
    return Content.from_dict(stored)


def cached_dashboard(user, compute):
    """``compute(user)``, cached per user and role for a short while, under the reports' data version."""
    key = "dashboard:" + _key(user.pk, is_admin(user), data_versions(DASHBOARD_SOURCES))
    figures = cache.get(key)
    if figures is None:
        figures = compute(user)
        cache.set(key, figures, settings.DASHBOARD_CACHE_SECONDS)
    return figures


def cached_clinic_figures(report_types, period, threshold, compute):
    """``compute()``: the dashboard's clinic figures of ``report_types`` over ``period``, cached under their data."""
    tables = sorted({table for report_type in report_types for table in report_type.tables()})
    keys = sorted(report_type.key for report_type in report_types)
    key = "clinic-figures:" + _key(CONTENT_FORMAT, keys, period.as_dict(), threshold, data_versions(tables))
    figures = cache.get(key)
    if figures is None:
        figures = compute()
        cache.set(key, figures, settings.REPORT_CACHE_SECONDS)
    return figures
