from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Logging in: the lockout, API tokens and password reset."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        from accounts import signals  # noqa: F401 (connects the receivers)
