"""Deployment checks (``manage.py check --deploy``): what scheduled reports' mail needs in production."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def mail_is_configured(app_configs, **kwargs):
    """Scheduled reports are mailed through ``EMAIL_HOST`` and link to ``SITE_URL`` over HTTPS."""
    problems = []
    if not settings.EMAIL_HOST:
        problems.append(
            Warning(
                "EMAIL_HOST is not set: scheduled reports cannot be mailed (each mail fails and is marked so).",
                hint="Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER, ...) to the clinic's SMTP server.",
                id="reports.W001",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        problems.append(
            Warning(
                f"SITE_URL is {settings.SITE_URL}: the links in scheduled reports' mails would not reach this site"
                " over HTTPS.",
                hint="Set SITE_URL to this site's public address, e.g. https://reports.clinic.example.",
                id="reports.W002",
            )
        )
    return problems
