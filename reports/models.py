"""Report templates, and the reports generated from them."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q

from reports.renderers import ExportFormat


def reports_storage():
    return storages["reports"]


def report_type_choices():
    """The catalog's report types (imported late: report modules read these models)."""
    from reports.catalog import ReportType

    return ReportType.choices


class ReportTemplate(models.Model):
    """A report type as offered to clinic staff: who may use it and in which formats."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    report_type = models.CharField(max_length=32, choices=report_type_choices, unique=True)
    supported_formats = models.JSONField(default=list)
    requires_date_range = models.BooleanField(default=True)
    default_filters = models.JSONField(default=dict, blank=True)
    allowed_roles = models.JSONField(default=list, help_text="Role names (auth groups) that may use this template")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReportStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    GENERATING = "GENERATING", "Generating"
    COMPLETED = "COMPLETED", "Completed"
    FAILED = "FAILED", "Failed"
    EXPIRED = "EXPIRED", "Expired"


class GeneratedReport(models.Model):
    """One requested report: its parameters, its run and its file."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="reports")
    report_type = models.CharField(max_length=32, choices=report_type_choices)
    title = models.CharField(max_length=200)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    date_range_start = models.DateField()
    date_range_end = models.DateField()
    filters = models.JSONField(default=dict, blank=True)
    export_format = models.CharField(max_length=8, choices=ExportFormat.choices)

    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    progress_percentage = models.PositiveSmallIntegerField(default=0)
    error_message = models.CharField(max_length=500, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    file = models.FileField(storage=reports_storage, max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the stored file")
    record_count = models.PositiveIntegerField(null=True, blank=True)
    document = models.JSONField(null=True, blank=True, help_text="The report document the file was rendered from")

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    generation_time = models.DurationField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["generated_by", "-created_at"], name="report_owner_created_idx"),
            models.Index(fields=["created_at"], name="report_created_idx"),
            models.Index(fields=["status", "heartbeat_at"], name="report_status_heartbeat_idx"),
            models.Index(fields=["expires_at"], name="report_expires_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_range_end__gte=models.F("date_range_start")), name="report_range_ordered"
            ),
            models.CheckConstraint(condition=Q(progress_percentage__lte=100), name="report_progress_max_100"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="report_status_valid"),
            models.CheckConstraint(
                condition=Q(export_format__in=ExportFormat.values), name="report_export_format_valid"
            ),
        ]

    def __str__(self):
        return f"Report #{self.pk}"

    @property
    def generation_seconds(self):
        return None if self.generation_time is None else round(self.generation_time.total_seconds(), 3)
