"""Formerly installed the first eight templates.

Every report type's template is now installed from its declaration after each
``migrate`` (``reports.template_installation``); this step stays so that the
migration history is unchanged.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = []
