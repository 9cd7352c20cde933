from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    def ready(self):
        from reports import catalog, checks, data_versions, signals, template_installation  # noqa: F401 (connects the receivers)

        catalog.discover()
