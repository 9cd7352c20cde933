from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from reports.api import audit_views, schedule_views, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("reports/templates", views.ReportTemplateViewSet, basename="report-template")
router.register("reports/generated", views.GeneratedReportViewSet, basename="generated-report")
router.register("reports/presets", views.PresetViewSet, basename="report-preset")
router.register("reports/schedules", schedule_views.ScheduleViewSet, basename="report-schedule")
router.register("reports/dashboard", views.DashboardViewSet, basename="dashboard")
router.register("reports/audit-events", audit_views.AccessEventViewSet, basename="access-event")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
]
