"""Templates for the declared report types, installed after every ``migrate``.

A report type's declaration (``reports.catalog``) owns its template's name and
description; the roles and formats it declares are only the defaults of a new
template, which admins may change afterwards.
"""

from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from reports import catalog


def install_templates(templates):
    """Create every report type's missing template through ``templates``; update names and descriptions."""
    for report_type in catalog.all_types():
        template, created = templates.get_or_create(
            report_type=report_type.key,
            defaults={
                "name": report_type.name,
                "description": report_type.description,
                "supported_formats": list(report_type.formats),
                "allowed_roles": [str(role) for role in report_type.roles],
                "requires_date_range": True,
            },
        )
        if not created and (template.name, template.description) != (report_type.name, report_type.description):
            template.name, template.description = report_type.name, report_type.description
            template.save(update_fields=["name", "description"])


@receiver(post_migrate, dispatch_uid="reports.install_templates")
def templates_after_migrate(sender, using, apps=global_apps, **kwargs):
    """After ``migrate``, and after a flush (which sends no ``apps``), as Django's own receivers do."""
    if sender.name == "reports":
        install_templates(apps.get_model("reports", "ReportTemplate")._default_manager.db_manager(using))
