"""Small-cell suppression: a default per template and an option per report.

SQLite adds a NOT NULL column by rebuilding the table, which drops the table's triggers:
the data-version triggers of both tables (see 0004_data_versions) are created again,
after adding the columns and, when migrating back, after removing them.
"""

from importlib import import_module

from django.db import migrations, models

TABLES = ("reports_generatedreport", "reports_reporttemplate")


def restore_data_version_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    versions = import_module("reports.migrations.0004_data_versions")
    for name, table, columns in versions.TRACKED:
        if table not in TABLES:
            continue
        events = ("INSERT", "DELETE", f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE")
        for number, event in enumerate(events):
            schema_editor.execute(
                f"CREATE TRIGGER IF NOT EXISTS {versions._trigger(name)}_{number} AFTER {event} ON {table} "  # noqa: S608
                f"FOR EACH ROW BEGIN UPDATE reports_data_version SET version = abs(random()) WHERE name = '{name}'; END"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_data_version_user_logins"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_data_version_triggers),
        migrations.AddField(
            model_name="generatedreport",
            name="suppress_small_counts",
            field=models.BooleanField(default=False, help_text="Small counts are hidden in the file"),
        ),
        migrations.AddField(
            model_name="reporttemplate",
            name="suppress_small_counts",
            field=models.BooleanField(
                default=False, help_text="Hide small counts by default (see docs/reports.md, Small-cell suppression)"
            ),
        ),
        migrations.RunPython(restore_data_version_triggers, migrations.RunPython.noop),
    ]
