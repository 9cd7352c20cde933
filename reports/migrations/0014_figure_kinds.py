"""Stored documents give their figures' units as kinds, and show a hidden rate or average as "not shown".

Before, a figure per day, hours, an hour of the day, an average rating or pain level and a heart
rate were stored as plain numbers (or, in documents from before kinds, as counts), and every
value hidden by small-cell suppression as the count marker ``<{threshold + 1}``. Here those
figures get the kind of their unit ("2.85 a day", "78.3 bpm"), and a hidden value whose kind
is not a count holds "not shown" (``reports.document.WITHHELD_TEXT``) instead of the marker.
Going back, they are plain numbers holding the marker of their document's threshold again.
"""

import re

from django.db import migrations

MARKER = re.compile(r"<[1-9][0-9]*")
WITHHELD_TEXT = "not shown"
# Summary keys (under comprehensive analytics too) and section columns, by the kind now declared.
SUMMARY = {
    "average_daily_visits": "per_day",
    "visits_per_clinician_per_day": "per_day",
    "peak_hour": "hour",
    "average_rating": "rating",
    "median_response_hours": "hours",
    "average_pain_level": "pain",
    "average_heart_rate_bpm": "bpm",
}
COLUMNS = {
    ("by_hour", "hour"): "hour",
    ("monthly", "average_rating"): "rating",
    ("efficiency", "visits_per_clinician_per_day"): "per_day",
    ("recent_comments", "rating"): "number",  # a comment's rating: hidden, it is not a count
}
PLAIN = ("number", "count")


def unit(kind, declared):
    """The kind a stored figure gets: its unit's when it was stored as a plain number."""
    return declared if declared and kind in PLAIN else kind


def plain(kind, declared):
    return "number" if declared and kind == declared else kind


def retyped(document, change):
    """``document`` with ``change(kind, unit kind or None)`` applied to every summary figure's and column's kind."""
    sections = [
        {
            **section,
            "kinds": {
                column: change(kind, COLUMNS.get((section["key"], column)))
                for column, kind in section.get("kinds", {}).items()
            },
        }
        for section in document.get("sections", [])
    ]
    kinds = {key: change(kind, SUMMARY.get(key)) for key, kind in document.get("summary_kinds", {}).items()}
    return {**document, "summary_kinds": kinds, "sections": sections}


def revalued(document, change):
    """``document`` with ``change(value)`` applied to every summary figure and cell whose kind is not a count."""

    def values(items, kinds):
        return [change(value) if kinds.get(key) not in ("count", "text") else value for key, value in items]

    summary = document.get("summary", {})
    sections = [
        {
            **section,
            "rows": [
                values(zip(section["columns"], row, strict=True), section.get("kinds", {})) for row in section["rows"]
            ],
        }
        for section in document.get("sections", [])
    ]
    figures = values(summary.items(), document.get("summary_kinds", {}))
    return {**document, "summary": dict(zip(summary, figures, strict=True)), "sections": sections}


def with_figure_kinds(document):
    document = retyped(document, unit)
    if not document.get("suppression"):
        return document
    return revalued(document, lambda value: WITHHELD_TEXT if isinstance(value, str) and MARKER.fullmatch(value) else value)


def without_figure_kinds(document):
    if document.get("suppression"):
        marker = f"<{document['suppression']['threshold'] + 1}"
        document = revalued(document, lambda value: marker if value == WITHHELD_TEXT else value)
    return retyped(document, plain)


def rewrite(apps, change):
    GeneratedReport = apps.get_model("reports", "GeneratedReport")
    for report in GeneratedReport.objects.filter(document__isnull=False).only("pk", "document").iterator(chunk_size=500):
        if isinstance(report.document, dict) and "summary_kinds" in report.document:
            GeneratedReport.objects.filter(pk=report.pk).update(document=change(report.document))


def forwards(apps, schema_editor):
    rewrite(apps, with_figure_kinds)


def backwards(apps, schema_editor):
    rewrite(apps, without_figure_kinds)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0013_report_error_class_reference'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
