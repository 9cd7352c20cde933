"""Stored report documents carry their filters in words (``filter_labels``) beside their values.

Documents stored before held the values alone, and every format printed them as they were
("Sex: F; Patient type: STUDENT"). Their labels are added here from the filter declarations of
their report types (``reports.catalog.filters.report_filter_labels``), as a document made now holds
them, so that a preview or a rebuilt file shows "Sex: Female; Patient type: Student".
"""

from django.db import migrations

from reports.catalog.filters import report_filter_labels


def with_labels(document):
    """``document`` (a stored dict) with its filters in words, placed after its filters."""
    labels = report_filter_labels(document.get("report_type"), document.get("filters") or {})
    upgraded = {}
    for key, value in document.items():
        upgraded[key] = value
        if key == "filters":
            upgraded["filter_labels"] = labels
    upgraded.setdefault("filter_labels", labels)
    return upgraded


def without_labels(document):
    return {key: value for key, value in document.items() if key != "filter_labels"}


def rewrite(apps, change, needed):
    GeneratedReport = apps.get_model("reports", "GeneratedReport")
    stored = GeneratedReport.objects.filter(document__isnull=False).only("pk", "document")
    for report in stored.iterator(chunk_size=500):
        if isinstance(report.document, dict) and needed(report.document):
            GeneratedReport.objects.filter(pk=report.pk).update(document=change(report.document))


def add_labels(apps, schema_editor):
    rewrite(apps, with_labels, lambda document: "filter_labels" not in document)


def remove_labels(apps, schema_editor):
    rewrite(apps, without_labels, lambda document: "filter_labels" in document)


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0011_document_kinds"),
    ]

    operations = [
        migrations.RunPython(add_labels, remove_labels),
    ]
