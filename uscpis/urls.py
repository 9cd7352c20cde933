from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import urls as accounts_urls
from reports.health import healthz
from reports.views import reports_page, unsubscribe

urlpatterns = [
    path("", RedirectView.as_view(url="/reports", permanent=False)),
    path("reports", reports_page, name="reports"),
    path("reports/unsubscribe/<str:token>", unsubscribe, name="schedule-unsubscribe"),
    path("healthz", healthz, name="healthz"),
    path("api/auth/", include(accounts_urls.api)),
    path("api/", include("reports.api.urls")),
    path("accounts/", include(accounts_urls.pages)),
    path("admin/", admin.site.urls),
]
