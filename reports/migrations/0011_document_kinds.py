"""Stored report documents carry the kind of every value (``reports.document.Kind``).

Documents stored before had none: a value was shown by its key and its type. The kinds are
added here once, by that rule, so the documents are shown and rebuilt as before: a key ending
in ``_rate`` or named ``share`` is a rate; another is a count when its values are whole numbers
or markers of hidden values, a number when some are fractions, and text otherwise.
"""

import re

from django.db import migrations

MARKER = re.compile(r"<[1-9][0-9]*")


def kind(key, values):
    """The kind of a summary figure or a column named ``key`` holding ``values``, by the rule of the time."""
    if key.endswith("_rate") or key == "share":
        return "rate"
    values = [value for value in values if value is not None]
    numbers = [value for value in values if isinstance(value, int | float) and not isinstance(value, bool)]
    markers = [value for value in values if isinstance(value, str) and MARKER.fullmatch(value)]
    if not values or len(numbers) + len(markers) < len(values):
        return "text"
    return "count" if all(isinstance(value, int) for value in numbers) else "number"


def with_kinds(document):
    """``document`` (a stored dict) with the kinds of its summary figures and columns."""
    sections = [
        {
            **section,
            "kinds": {
                column: kind(column, [row[index] for row in section["rows"]])
                for index, column in enumerate(section["columns"])
            },
        }
        for section in document.get("sections", [])
    ]
    summary = document.get("summary", {})
    kinds = {key: kind(key, [value]) for key, value in summary.items()}
    return {**document, "summary_kinds": kinds, "sections": sections}


def without_kinds(document):
    sections = [
        {key: value for key, value in section.items() if key != "kinds"} for section in document.get("sections", [])
    ]
    return {**{key: value for key, value in document.items() if key != "summary_kinds"}, "sections": sections}


def rewrite(apps, change, needed):
    GeneratedReport = apps.get_model("reports", "GeneratedReport")
    stored = GeneratedReport.objects.filter(document__isnull=False).only("pk", "document")
    for report in stored.iterator(chunk_size=500):
        if isinstance(report.document, dict) and needed(report.document):
            GeneratedReport.objects.filter(pk=report.pk).update(document=change(report.document))


def add_kinds(apps, schema_editor):
    rewrite(apps, with_kinds, lambda document: "summary_kinds" not in document)


def remove_kinds(apps, schema_editor):
    rewrite(apps, without_kinds, lambda document: "summary_kinds" in document)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0010_anonymous_access_count'),
    ]

    operations = [
        migrations.RunPython(add_kinds, remove_kinds),
    ]
