"""Data versions (see 0004_data_versions): track the logins table too, which activity figures now read."""

from django.db import migrations

NAME = TABLE = "reports_userlogin"


def create(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(
            "INSERT INTO reports_data_version (name, version) VALUES (%s, nextval('reports_data_version_seq'))", [NAME]
        )
        execute(
            f"CREATE TRIGGER reports_dv_{NAME} AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION reports_bump_data_version('{NAME}')"
        )
        return
    execute("INSERT INTO reports_data_version (name, version) VALUES (%s, abs(random()))", [NAME])
    for number, event in enumerate(("INSERT", "DELETE", "UPDATE")):
        execute(
            f"CREATE TRIGGER reports_dv_{NAME}_{number} AFTER {event} ON {TABLE} FOR EACH ROW BEGIN "
            f"UPDATE reports_data_version SET version = abs(random()) WHERE name = '{NAME}'; END"
        )


def drop(apps, schema_editor):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(f"DROP TRIGGER reports_dv_{NAME} ON {TABLE}")
    else:
        for number in range(3):
            execute(f"DROP TRIGGER reports_dv_{NAME}_{number}")
    execute("DELETE FROM reports_data_version WHERE name = %s", [NAME])


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_user_login")]

    operations = [migrations.RunPython(create, drop)]
