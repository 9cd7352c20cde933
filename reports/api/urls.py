from django.urls import include, path
from rest_framework.routers import DefaultRouter

from reports.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("reports/templates", views.ReportTemplateViewSet, basename="report-template")
router.register("reports/generated", views.GeneratedReportViewSet, basename="generated-report")

urlpatterns = [
    path("auth/login/", views.LoginView.as_view(), name="api-login"),
    path("auth/logout/", views.LogoutView.as_view(), name="api-logout"),
    path("", include(router.urls)),
]
