"""The data-version triggers (see migration ``reports/0004_data_versions``), kept in place after every migrate.

SQLite applies some schema changes by building a new table and dropping the old one,
and its triggers go with it: a later migration of a tracked table would silently stop
its version from changing, and cached report data would go stale. So after each
``migrate`` the triggers are created again where missing (PostgreSQL keeps them; this
only re-declares them there).
"""

from django.db import connections
from django.db.models.signals import post_migrate
from django.dispatch import receiver

# (version name, table, the columns whose update changes it; None: any change).
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
    ("reports_userlogin", "reports_userlogin", None),
)


def _trigger(name):
    return "reports_dv_" + name.replace(".", "_")


def ensure_triggers(connection):
    """Create every tracked table's version row and triggers where missing (tables not yet made are skipped)."""
    tables = set(connection.introspection.table_names())
    if "reports_data_version" not in tables:
        return
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for name, table, columns in TRACKED:
            if table not in tables:
                continue
            update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
            if postgresql:
                cursor.execute(
                    "INSERT INTO reports_data_version (name, version) "
                    "VALUES (%s, nextval('reports_data_version_seq')) ON CONFLICT (name) DO NOTHING",
                    [name],
                )
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER {_trigger(name)} AFTER INSERT OR DELETE OR TRUNCATE OR {update} "
                    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION reports_bump_data_version('{name}')"
                )
                continue
            cursor.execute(
                "INSERT INTO reports_data_version (name, version) VALUES (%s, abs(random())) ON CONFLICT DO NOTHING",
                [name],
            )
            for number, event in enumerate(("INSERT", "DELETE", update)):
                bump = f"UPDATE reports_data_version SET version = abs(random()) WHERE name = '{name}'"  # noqa: S608
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {_trigger(name)}_{number} AFTER {event} ON {table} "
                    f"FOR EACH ROW BEGIN {bump}; END"
                )


@receiver(post_migrate, dispatch_uid="reports.ensure_data_version_triggers")
def triggers_after_migrate(sender, using, **kwargs):
    if sender.name == "reports":
        ensure_triggers(connections[using])
