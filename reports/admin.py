from django.contrib import admin, messages

from reports import services
from reports.models import GeneratedReport, ReportStatus, ReportTemplate


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "report_type", "is_active", "supported_formats", "allowed_roles"]
    list_filter = ["is_active", "report_type"]
    search_fields = ["name", "description"]


@admin.register(GeneratedReport)
class GeneratedReportAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "report_type",
        "export_format",
        "status",
        "progress_percentage",
        "generated_by",
        "created_at",
        "download_count",
    ]
    list_filter = ["status", "report_type", "export_format", "created_at"]
    search_fields = ["title", "generated_by__username"]
    list_select_related = ["generated_by", "template"]
    date_hierarchy = "created_at"
    exclude = ["document"]
    readonly_fields = [
        field.name for field in GeneratedReport._meta.fields if field.name not in {"title", "expires_at", "document"}
    ]
    actions = ["retry_failed", "expire_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry selected failed reports")
    def retry_failed(self, request, queryset):
        retried = sum(services.retry_report(report) for report in queryset.filter(status=ReportStatus.FAILED))
        self.message_user(request, f"{retried} report(s) queued again.", messages.SUCCESS)

    @admin.action(description="Expire selected reports now (delete their files)")
    def expire_now(self, request, queryset):
        count = services.expire_reports(queryset)
        self.message_user(request, f"{count} report(s) expired.", messages.SUCCESS)
