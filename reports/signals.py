"""Signal receivers of the reports app."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from reports.models import UserLogin


@receiver(user_logged_in, dispatch_uid="reports.record_login")
def record_login(sender, request, user, **kwargs):
    """Keep every login, for the activity and adoption figures."""
    UserLogin.objects.create(user=user)
