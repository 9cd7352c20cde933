from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from reports.health import healthz
from reports.views import reports_page

urlpatterns = [
    path("", RedirectView.as_view(url="/reports", permanent=False)),
    path("reports", reports_page, name="reports"),
    path("healthz", healthz, name="healthz"),
    path("api/", include("reports.api.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
