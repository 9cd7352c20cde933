"""Data versions: one row per table the reports read, changed by the database on every write.

The report cache (reports/cache.py) keys cached report data by these versions, so a
new or changed visit is never hidden by a stale cache, whoever writes it: the ORM,
bulk_create, QuerySet.update, COPY or another program. Triggers do the bumping, so
nothing that bypasses Django's signals can be missed.

- The version is stored in a row, so it changes for readers exactly when the write
  commits, together with the data.
- Its new value is never one seen before: PostgreSQL takes it from a sequence with a
  random start (which a rollback does not rewind); SQLite draws a random 63-bit number.
- PostgreSQL bumps once per statement (a COPY of a million rows is one bump); SQLite
  has only row triggers. A writing transaction holds its table's version row until it
  commits, so writers of the same table queue there for that long: fine for a clinic's
  short transactions; long bulk loads should run when nobody else writes.
- The reports table is tracked twice: "reports_generatedreport" changes with what
  report figures read (created_at, generated_by), "reports_generatedreport.any" with
  any change (for the dashboard).
"""

import secrets

from django.db import migrations

# (version name, table, the events that change it).
TRACKED = (
    ("patients_patient", "patients_patient", None),
    ("visits_medicalvisit", "visits_medicalvisit", None),
    ("visits_dentalvisit", "visits_dentalvisit", None),
    ("feedback_feedback", "feedback_feedback", None),
    ("campaigns_healthcampaign", "campaigns_healthcampaign", None),
    ("campaigns_campaignparticipant", "campaigns_campaignparticipant", None),
    ("auth_user", "auth_user", None),
    ("auth_group", "auth_group", None),
    ("auth_user_groups", "auth_user_groups", None),
    ("reports_reporttemplate", "reports_reporttemplate", None),
    ("reports_generatedreport", "reports_generatedreport", ("created_at", "generated_by_id")),
    ("reports_generatedreport.any", "reports_generatedreport", None),
)


def _trigger(name):
    return "reports_dv_" + name.replace(".", "_")


POSTGRESQL_FUNCTION = """
CREATE FUNCTION reports_bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reports_data_version SET version = nextval('reports_data_version_seq') WHERE name = TG_ARGV[0];
    RETURN NULL;
END
$$
"""


def create(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        # A random start: a database created anew never repeats versions cached from an earlier one.
        execute(f"CREATE SEQUENCE reports_data_version_seq START WITH {secrets.randbelow(2**62) + 1}")
        execute("CREATE TABLE reports_data_version (name varchar(64) PRIMARY KEY, version bigint NOT NULL)")
        execute(POSTGRESQL_FUNCTION)
        for name, table, columns in TRACKED:
            execute(
                "INSERT INTO reports_data_version (name, version) VALUES (%s, nextval('reports_data_version_seq'))",
                [name],
            )
            update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
            execute(
                f"CREATE TRIGGER {_trigger(name)} AFTER INSERT OR DELETE OR TRUNCATE OR {update} ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION reports_bump_data_version('{name}')"
            )
        return
    execute("CREATE TABLE reports_data_version (name varchar(64) PRIMARY KEY, version bigint NOT NULL)")
    for name, table, columns in TRACKED:
        execute("INSERT INTO reports_data_version (name, version) VALUES (%s, abs(random()))", [name])
        events = ("INSERT", "DELETE", f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE")
        for number, event in enumerate(events):
            execute(
                f"CREATE TRIGGER {_trigger(name)}_{number} AFTER {event} ON {table} FOR EACH ROW BEGIN "
                f"UPDATE reports_data_version SET version = abs(random()) WHERE name = '{name}'; END"  # noqa: S608
            )


def drop(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for name, table, _ in TRACKED:
            execute(f"DROP TRIGGER {_trigger(name)} ON {table}")
        execute("DROP FUNCTION reports_bump_data_version()")
        execute("DROP TABLE reports_data_version")
        execute("DROP SEQUENCE reports_data_version_seq")
        return
    for name, _, _ in TRACKED:
        for number in range(3):
            execute(f"DROP TRIGGER {_trigger(name)}_{number}")
    execute("DROP TABLE reports_data_version")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_report_access_event"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("patients", "0001_initial"),
        ("visits", "0001_initial"),
        ("feedback", "0001_initial"),
        ("campaigns", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
