"""Signal receivers of the reports app."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_delete
from django.dispatch import receiver

from reports import file_deletions
from reports.models import GeneratedReport, ReportSchedule, ScheduleAction, UserLogin
from reports.services import scheduling


@receiver(user_logged_in, dispatch_uid="reports.record_login")
def record_login(sender, request, user, **kwargs):
    """Keep every login, for the activity and adoption figures."""
    UserLogin.objects.create(user=user)


@receiver(post_delete, sender=GeneratedReport, dispatch_uid="reports.discard_report_file")
def discard_report_file(sender, instance, **kwargs):
    """However a report is deleted (API, admin, its user's deletion), its file goes once that commits.

    The file is recorded for deletion in the same transaction; cleanup retries what the storage refused.
    """
    file_deletions.discard(instance.file.name)


@receiver(post_delete, sender=ReportSchedule, dispatch_uid="reports.record_schedule_deletion")
def record_schedule_deletion(sender, instance, **kwargs):
    """However a schedule goes (its owner, the admin, or with its preset or its owner's account), the trail says so."""
    by = getattr(instance, "deleted_by", None)
    outcome = "" if by is not None else "Deleted with its preset or its owner's account"
    scheduling.record(instance.pk, ScheduleAction.DELETED, user=by, outcome=outcome)
