"""A user's API tokens end when their password changes or the account is deactivated."""

from django.conf import settings
from django.db.models.signals import pre_save
from django.dispatch import receiver

from accounts import tokens

CREDENTIAL_FIELDS = {"password", "is_active"}


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.end_tokens_with_old_credentials")
def end_tokens_with_old_credentials(sender, instance, update_fields=None, **kwargs):
    """However the user is saved (password change or reset, admin, shell), compared with the stored row."""
    if instance.pk is None or (update_fields is not None and not CREDENTIAL_FIELDS & set(update_fields)):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if stored is not None and (stored["password"] != instance.password or not instance.is_active):
        tokens.revoke_all(instance)
