"""Drop DRF's token table, left behind when rest_framework.authtoken was uninstalled.

It held every user's API token in plain text; django-rest-knox (hashed, expiring) replaced it,
so every old token ends here and its users log in again. Its migration records go too, as if the
app had never been installed. Nothing can bring the tokens back.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []

    operations = [
        migrations.RunSQL(
            [
                "DROP TABLE IF EXISTS authtoken_token",
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
