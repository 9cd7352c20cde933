from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path

from reports import audit
from reports.models import (
    AnonymousAccessCount,
    GeneratedReport,
    PendingFileDeletion,
    ReportAccessEvent,
    ReportPreset,
    ReportSchedule,
    ReportStatus,
    ReportTemplate,
    ScheduleDelivery,
    ScheduleEvent,
    ScheduleRun,
)
from reports.services import maintenance, requesting, scheduling
from uscpis.roles import is_admin


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
        retried = sum(requesting.retry_report(report) for report in queryset.filter(status=ReportStatus.FAILED))
        self.message_user(request, f"{retried} report(s) queued again.", messages.SUCCESS)

    @admin.action(description="Expire selected reports now (delete their files)")
    def expire_now(self, request, queryset):
        count = maintenance.expire_reports(queryset)
        self.message_user(request, f"{count} report(s) expired.", messages.SUCCESS)


@admin.register(ReportPreset)
class ReportPresetAdmin(admin.ModelAdmin):
    """Saved presets; a change is checked against its template as the API checks it (``ReportPreset.clean``)."""

    list_display = ["name", "owner", "template", "relative_period", "export_format", "sharing", "updated_at"]
    list_filter = ["sharing", "template", "export_format"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner", "template"]
    raw_id_fields = ["owner"]


class ScheduleRunInline(admin.TabularInline):
    model = ScheduleRun
    fields = ["occurrence_at", "trigger", "late", "outcome", "attempts", "message", "report", "settled_at"]
    readonly_fields = fields
    raw_id_fields = ["report"]
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    """Schedules with their last runs; saving one computes its next run (``scheduling.save_schedule``)."""

    list_display = ["__str__", "owner", "preset", "frequency", "local_time", "time_zone", "is_active", "next_run_at"]
    list_filter = ["frequency", "is_active"]
    search_fields = ["owner__username", "preset__name"]
    list_select_related = ["owner", "preset"]
    raw_id_fields = ["owner", "preset"]
    filter_horizontal = ["recipients"]
    readonly_fields = ["next_run_at", "consecutive_failures", "paused_reason", "created_at", "updated_at"]
    inlines = [ScheduleRunInline]

    def save_model(self, request, obj, form, change):
        scheduling.save_schedule(obj, by=request.user)

    def delete_model(self, request, obj):
        scheduling.delete_schedule(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for schedule in queryset:
            scheduling.delete_schedule(schedule, by=request.user)


class ScheduleDeliveryInline(admin.TabularInline):
    model = ScheduleDelivery
    fields = ["recipient", "kind", "status", "attempts", "detail", "next_attempt_at", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    """Runs of schedules and their mails, read-only: dispatch writes them."""

    list_display = ["__str__", "schedule", "occurrence_at", "trigger", "late", "outcome", "attempts", "settled_at"]
    list_filter = ["outcome", "trigger", "late"]
    list_select_related = ["schedule"]
    date_hierarchy = "occurrence_at"
    inlines = [ScheduleDeliveryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduleDelivery)
class ScheduleDeliveryAdmin(admin.ModelAdmin):
    """Every mail of every run, read-only: who, what kind, sent or why not."""

    list_display = ["__str__", "run", "recipient", "kind", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__username"]
    list_select_related = ["run", "recipient"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyForAdmin:
    """Shown to ADMIN (superusers included) read-only: no add, change or delete."""

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_module_permission(self, request):
        return is_admin(request.user) or super().has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportAccessEvent)
class ReportAccessEventAdmin(ReadOnlyForAdmin, admin.ModelAdmin):
    """The audit trail: read-only for everyone, superusers included; ADMIN may download it as CSV."""

    list_display = ["occurred_at", "username", "action", "outcome", "report_id", "tier", "client_ip"]
    list_filter = ["action", "outcome", "tier", "occurred_at"]
    search_fields = ["username", "=report_id", "=client_ip"]
    date_hierarchy = "occurred_at"
    actions = None
    change_list_template = "admin/reports/reportaccessevent/change_list.html"

    def get_urls(self):
        download = path(
            "download/", self.admin_site.admin_view(self.download_csv), name="reports_reportaccessevent_download"
        )
        return [download, *super().get_urls()]

    def download_csv(self, request):
        """The events the change list currently shows (same filters and search), as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        events = self.get_changelist_instance(request).get_queryset(request)
        response = StreamingHttpResponse(audit.csv_lines(events), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{audit.csv_filename()}"'
        return response


@admin.register(AnonymousAccessCount)
class AnonymousAccessCountAdmin(ReadOnlyForAdmin, admin.ModelAdmin):
    """Anonymous attempts, counted per hour and client network: read-only to ADMIN, like the audit trail."""

    list_display = ["hour", "client_network", "action", "outcome", "attempts", "first_at", "last_at"]
    list_filter = ["action", "outcome", "hour"]
    search_fields = ["=client_network"]
    date_hierarchy = "hour"
    actions = None


@admin.register(PendingFileDeletion)
class PendingFileDeletionAdmin(ReadOnlyForAdmin, admin.ModelAdmin):
    """Files of deleted or replaced reports the storage has not confirmed deleting yet: read-only to ADMIN.

    ``reports_cleanup`` tries them again and removes each once every tier confirmed.
    """

    list_display = ["name", "created_at", "attempts", "last_attempt_at", "failed_tiers"]
    list_filter = ["failed_tiers"]
    search_fields = ["name"]
    actions = None


@admin.register(ScheduleEvent)
class ScheduleEventAdmin(ReadOnlyForAdmin, admin.ModelAdmin):
    """The schedules' audit trail (changes, runs, deliveries), read-only to ADMIN like the access trail."""

    list_display = ["occurred_at", "schedule_id", "action", "username", "run_id", "outcome"]
    list_filter = ["action", "occurred_at"]
    search_fields = ["username", "=schedule_id", "=run_id"]
    date_hierarchy = "occurred_at"
    actions = None
