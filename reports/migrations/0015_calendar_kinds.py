"""Dates and months of stored report documents are of the kinds ``date`` and ``month`` (``reports.document.Kind``).

Documents stored before kinds were given their kinds by migration 0011, which made their date and
month columns text; and month columns were text until the ``month`` kind. Excel writes a date or a
month as a date only by its kind, so such columns are retyped here: a section column of the kind
text named ``month`` whose every value is an ISO month ("2025-01") or none becomes a ``month``;
one named ``date`` or ``*_date`` whose every value is an ISO date ("2025-01-31") or none becomes a
``date``. The values stay as they are: the JSON form keeps its text, only the column's kind changes.
Undone, months are text again (the code before knows no ``month``); dates stay dates, as it knows them.
"""

import re

from django.db import migrations

ISO_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
ISO_DATE = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")


def calendar_kind(column, kind, values):
    """The kind of a stored column: ``month`` or ``date`` for a text column of months or dates, else ``kind``."""
    if kind != "text":
        return kind
    if column == "month" and all(value is None or ISO_MONTH.fullmatch(str(value)) for value in values):
        return "month"
    if (column == "date" or column.endswith("_date")) and all(
        value is None or ISO_DATE.fullmatch(str(value)) for value in values
    ):
        return "date"
    return kind


def month_as_text(column, kind, values):
    return "text" if kind == "month" else kind


def retyped(document, change):
    """``document`` with ``change(column, kind, values)`` as the kind of each section column."""
    sections = [
        {
            **section,
            "kinds": {
                column: change(column, section["kinds"][column], [row[index] for row in section["rows"]])
                for index, column in enumerate(section["columns"])
            },
        }
        for section in document.get("sections", [])
    ]
    return {**document, "sections": sections}


def with_calendar_kinds(document):
    return retyped(document, calendar_kind)


def without_months(document):
    return retyped(document, month_as_text)


def rewrite(apps, change):
    GeneratedReport = apps.get_model("reports", "GeneratedReport")
    stored = GeneratedReport.objects.filter(document__isnull=False).only("pk", "document")
    for report in stored.iterator(chunk_size=500):
        document = report.document
        if not isinstance(document, dict) or not all("kinds" in section for section in document.get("sections", [])):
            continue
        changed = retyped(document, change)
        if changed != document:
            GeneratedReport.objects.filter(pk=report.pk).update(document=changed)


def add_calendar_kinds(apps, schema_editor):
    rewrite(apps, calendar_kind)


def remove_calendar_kinds(apps, schema_editor):
    rewrite(apps, month_as_text)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0014_figure_kinds'),
    ]

    operations = [
        migrations.RunPython(add_calendar_kinds, remove_calendar_kinds),
    ]
