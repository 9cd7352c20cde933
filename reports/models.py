"""Report templates, and the reports generated from them."""

import json
from email.utils import parseaddr
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from psycopg.types.json import Json

from reports import catalog, relative_periods
from reports.catalog.filters import clean_filters
from uscpis.roles import Role


class OrderedJSONField(models.JSONField):
    """JSON kept as written: PostgreSQL's ``json`` type, since ``jsonb`` reorders keys.

    A report document's summary and sections are in presentation order, and a file
    rebuilt from the stored document must be identical to the original.
    """

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor == "postgresql" and isinstance(value, dict | list):
            # Sent as json, not Django's default jsonb parameter, which would sort the keys.
            return Json(value, dumps=lambda data: json.dumps(data, cls=self.encoder))
        return super().get_db_prep_value(value, connection, prepared)

    def from_db_value(self, value, expression, connection):
        if isinstance(value, dict | list):  # psycopg decodes ``json`` itself
            return value
        return super().from_db_value(value, expression, connection)


class ExportFormat(models.TextChoices):
    PDF = "PDF", "PDF"
    EXCEL = "EXCEL", "Excel"
    CSV = "CSV", "CSV"
    JSON = "JSON", "JSON"


class CompareTo(models.TextChoices):
    """The earlier period a report is compared with (``reports.comparison``)."""

    NONE = "none", "Nothing"
    PREVIOUS_PERIOD = "previous_period", "Previous period"
    SAME_PERIOD_LAST_YEAR = "same_period_last_year", "Same period last year"


def reports_storage():
    return storages["reports"]


class ReportTemplate(models.Model):
    """A report type as offered to clinic staff: who may use it and in which formats."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    report_type = models.CharField(max_length=32, choices=catalog.choices, unique=True)
    supported_formats = models.JSONField(default=list)
    requires_date_range = models.BooleanField(default=True)
    default_filters = models.JSONField(default=dict, blank=True)
    allowed_roles = models.JSONField(default=list, help_text="Role names (auth groups) that may use this template")
    suppress_small_counts = models.BooleanField(
        default=False, help_text="Hide small counts by default (see docs/reports.md, Small-cell suppression)"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        """Formats, roles and default filters must be ones the system knows (checked in admin forms)."""
        errors = {}
        if not isinstance(self.supported_formats, list) or not self.supported_formats:
            errors["supported_formats"] = "List at least one format."
        elif unknown := set(self.supported_formats) - set(ExportFormat.values):
            errors["supported_formats"] = f"Unknown formats: {', '.join(sorted(map(str, unknown)))}."
        if not isinstance(self.allowed_roles, list):
            errors["allowed_roles"] = "Must be a list of role names."
        elif unknown := set(self.allowed_roles) - set(Role.values):
            errors["allowed_roles"] = f"Unknown roles: {', '.join(sorted(map(str, unknown)))}."
        if self.report_type in catalog.REPORT_TYPES:
            try:
                clean_filters(catalog.get(self.report_type).filters, self.default_filters)
            except ValidationError as error:
                errors["default_filters"] = error.messages
        if errors:
            raise ValidationError(errors)


class ReportStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    GENERATING = "GENERATING", "Generating"
    COMPLETED = "COMPLETED", "Completed"
    FAILED = "FAILED", "Failed"
    EXPIRED = "EXPIRED", "Expired"


class GeneratedReport(models.Model):
    """One requested report: its parameters, its run and its file."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="reports")
    report_type = models.CharField(max_length=32, choices=catalog.choices)
    title = models.CharField(max_length=200)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports")
    date_range_start = models.DateField()
    date_range_end = models.DateField()
    relative_period = models.CharField(
        max_length=40, blank=True, help_text="The relative period the dates were resolved from, e.g. previous_month"
    )
    filters = models.JSONField(default=dict, blank=True)
    export_format = models.CharField(max_length=8, choices=ExportFormat.choices)
    suppress_small_counts = models.BooleanField(default=False, help_text="Small counts are hidden in the file")
    compare_to = models.CharField(
        max_length=24, choices=CompareTo.choices, default=CompareTo.NONE, help_text="The earlier period shown beside it"
    )

    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.PENDING)
    progress_percentage = models.PositiveSmallIntegerField(default=0)
    error_message = models.CharField(max_length=500, blank=True, help_text="What failed, in words its user can act on")
    error_class = models.CharField(max_length=200, blank=True, help_text="The error that failed it (shown to ADMIN)")
    error_reference = models.CharField(
        max_length=16, blank=True, help_text="The reference of its failure's server log record (shown to ADMIN)"
    )
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    file = models.FileField(storage=reports_storage, max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(null=True, blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the stored file")
    record_count = models.PositiveIntegerField(null=True, blank=True)
    document = OrderedJSONField(null=True, blank=True, help_text="The report document the file was rendered from")

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
            models.CheckConstraint(condition=Q(compare_to__in=CompareTo.values), name="report_compare_to_valid"),
        ]

    def __str__(self):
        return f"Report #{self.pk}"

    @property
    def period_label(self):
        """The name of the relative period its dates were resolved from ("Previous month"); "" for two dates."""
        return relative_periods.label(self.relative_period) if self.relative_period else ""

    @property
    def is_expired(self):
        """Its retention has ended: marked EXPIRED, or past ``expires_at`` (before cleanup marks it)."""
        return self.status == ReportStatus.EXPIRED or bool(self.expires_at and self.expires_at <= timezone.now())

    @property
    def generation_seconds(self):
        return None if self.generation_time is None else round(self.generation_time.total_seconds(), 3)


class Sharing(models.TextChoices):
    PRIVATE = "PRIVATE", "Only me"
    ROLE = "ROLE", "My role group"
    CLINIC = "CLINIC", "The whole clinic"


class ReportPreset(models.Model):
    """A saved report request: template, period (relative or fixed), filters and format, run again by name.

    Sharing shows a preset to others; it never grants data: whoever runs it gets what their
    own roles allow (``reports.selectors.presets_for``).
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_presets")
    name = models.CharField(max_length=100)
    template = models.ForeignKey(ReportTemplate, on_delete=models.PROTECT, related_name="presets")
    relative_period = models.CharField(
        max_length=40, blank=True, help_text="A relative period (previous_month, ...), resolved at each run"
    )
    date_range_start = models.DateField(null=True, blank=True, help_text="With date_range_end: a fixed period")
    date_range_end = models.DateField(null=True, blank=True)
    filters = models.JSONField(default=dict, blank=True)
    export_format = models.CharField(max_length=8, choices=ExportFormat.choices)
    suppress_small_counts = models.BooleanField(
        null=True, blank=True, help_text="Hide small counts; empty: the template's default at each run"
    )
    compare_to = models.CharField(
        max_length=24, choices=CompareTo.choices, default=CompareTo.NONE, help_text="The earlier period shown beside it"
    )
    sharing = models.CharField(max_length=8, choices=Sharing.choices, default=Sharing.PRIVATE)
    shared_role = models.CharField(
        max_length=16, choices=Role.choices, blank=True, help_text="With sharing ROLE: the role group shown it"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="preset_name_unique_per_owner"),
            models.CheckConstraint(
                condition=(
                    Q(relative_period="", date_range_start__isnull=False, date_range_end__isnull=False)
                    & Q(date_range_end__gte=models.F("date_range_start"))
                )
                | (~Q(relative_period="") & Q(date_range_start__isnull=True, date_range_end__isnull=True)),
                name="preset_period_relative_or_dates",
            ),
            models.CheckConstraint(
                condition=(Q(sharing=Sharing.ROLE) & ~Q(shared_role=""))
                | (~Q(sharing=Sharing.ROLE) & Q(shared_role="")),
                name="preset_role_iff_shared_with_role",
            ),
            models.CheckConstraint(condition=Q(sharing__in=Sharing.values), name="preset_sharing_valid"),
            models.CheckConstraint(
                condition=Q(export_format__in=ExportFormat.values), name="preset_export_format_valid"
            ),
            models.CheckConstraint(condition=Q(compare_to__in=CompareTo.values), name="preset_compare_to_valid"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """The period, format, filters and sharing must make a request its template accepts (admin forms)."""
        errors = {}
        if self.relative_period:
            try:
                relative_periods.check(self.relative_period)
            except ValueError as error:
                errors["relative_period"] = str(error)
            if self.date_range_start or self.date_range_end:
                errors["date_range_start"] = "Leave the dates empty with a relative period."
        elif not (self.date_range_start and self.date_range_end):
            errors["date_range_start"] = "Give both dates, or a relative period."
        elif self.date_range_start > self.date_range_end:
            errors["date_range_end"] = "Must be on or after the start date."
        if self.template_id:
            if self.export_format not in self.template.supported_formats:
                errors["export_format"] = f"{self.template} is offered as {', '.join(self.template.supported_formats)}."
            if self.template.report_type in catalog.REPORT_TYPES:
                try:
                    clean_filters(catalog.get(self.template.report_type).filters, self.filters)
                except ValidationError as error:
                    errors["filters"] = error.messages
        if (self.sharing == Sharing.ROLE) != bool(self.shared_role):
            errors["shared_role"] = "Name a role exactly when the preset is shared with a role."
        if errors:
            raise ValidationError(errors)

    def request_body(self):
        """What the preset asks for, as the body of a generate request (``GenerateReportSerializer``)."""
        if self.relative_period:
            body = {"period": self.relative_period}
        else:
            body = {
                "date_range_start": self.date_range_start.isoformat(),
                "date_range_end": self.date_range_end.isoformat(),
            }
        body.update(export_format=self.export_format, filters=self.filters, compare_to=self.compare_to)
        if self.suppress_small_counts is not None:
            body["suppress_small_counts"] = self.suppress_small_counts
        return body


class Frequency(models.TextChoices):
    DAILY = "DAILY", "Every day"
    WEEKLY = "WEEKLY", "Every week"
    MONTHLY = "MONTHLY", "Every month"


def valid_time_zone(name):
    """An IANA zone name the server knows ("America/New_York"); ValidationError otherwise."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"{name!r} is not a time zone this server knows.") from error


class ReportSchedule(models.Model):
    """A preset run at a local time on a recurring day, for its owner (``reports.schedules``).

    Weekly schedules name their weekdays (0 is Monday); monthly ones their day of the month, where
    a day a month does not have falls on its last day (31: every month's last day).
    ``next_run_at`` is the next occurrence in UTC; None while the schedule is paused.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_schedules")
    preset = models.ForeignKey(ReportPreset, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(max_length=8, choices=Frequency.choices)
    weekdays = models.JSONField(default=list, blank=True, help_text="Weekly: the weekdays, 0 (Monday) to 6")
    month_day = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Monthly: the day, 1 to 31; a shorter month's last day stands for 29-31"
    )
    local_time = models.TimeField(help_text="The time of day in time_zone")
    time_zone = models.CharField(max_length=64, default=settings.TIME_ZONE, validators=[valid_time_zone])
    starts_on = models.DateField(help_text="The first day it may run, in time_zone")
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="scheduled_reports")
    is_active = models.BooleanField(default=True)
    skip_empty = models.BooleanField(default=True, help_text="Send nothing when the report counted no record")
    attach_file = models.BooleanField(
        default=False,
        help_text="Attach the file to the mail when small counts are hidden in it and it is under the size limit",
    )
    next_run_at = models.DateTimeField(null=True, blank=True, help_text="The next occurrence (UTC); empty: paused")
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    paused_reason = models.CharField(max_length=200, blank=True, help_text="Why it paused itself, in words")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["next_run_at", "id"]
        indexes = [models.Index(fields=["is_active", "next_run_at"], name="schedule_due_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(frequency__in=Frequency.values), name="schedule_frequency_valid"),
            models.CheckConstraint(
                condition=(Q(frequency=Frequency.MONTHLY) & Q(month_day__gte=1, month_day__lte=31))
                | (~Q(frequency=Frequency.MONTHLY) & Q(month_day__isnull=True)),
                name="schedule_month_day_iff_monthly",
            ),
        ]

    def __str__(self):
        return f"Schedule #{self.pk}"

    @property
    def zone(self):
        return ZoneInfo(self.time_zone)

    def clean(self):
        errors = {}
        if self.frequency == Frequency.WEEKLY:
            if not self.weekdays or not all(isinstance(day, int) and 0 <= day <= 6 for day in self.weekdays):
                errors["weekdays"] = "Choose one or more weekdays, 0 (Monday) to 6 (Sunday)."
        elif self.weekdays:
            errors["weekdays"] = "Only a weekly schedule has weekdays."
        if (self.frequency == Frequency.MONTHLY) != (self.month_day is not None):
            errors["month_day"] = "A monthly schedule has a day of the month, 1 to 31; others have none."
        if errors:
            raise ValidationError(errors)


class RunOutcome(models.TextChoices):
    REQUESTED = "REQUESTED", "Report requested"
    NOT_RUNNABLE = "NOT_RUNNABLE", "Preset could not run"
    SENT = "SENT", "Report sent"
    EMPTY = "EMPTY", "No data: nothing sent"
    FAILED = "FAILED", "Report failed"


class RunTrigger(models.TextChoices):
    SCHEDULED = "SCHEDULED", "Scheduled"
    SEND_NOW = "SEND_NOW", "Sent now"
    TEST = "TEST", "Test to its requester"


class ScheduleRun(models.Model):
    """One occurrence of a schedule: unique, so that any number of dispatchers fire it once.

    A run requests its report up to ``REPORT_SCHEDULE_ATTEMPTS`` times (``retry_at`` is when the
    next attempt is due) and is settled once its report completed (deliveries made) or failed
    for good (the owner told). A test run mails only ``requested_by``.
    """

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="runs")
    occurrence_at = models.DateTimeField(help_text="The scheduled moment (UTC) its period was resolved at")
    trigger = models.CharField(max_length=10, choices=RunTrigger.choices, default=RunTrigger.SCHEDULED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    late = models.BooleanField(default=False, help_text="Run after a downtime that skipped earlier occurrences")
    outcome = models.CharField(max_length=16, choices=RunOutcome.choices)
    message = models.CharField(max_length=500, blank=True, help_text="Why it could not run, in words")
    report = models.ForeignKey(GeneratedReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Reports requested for this occurrence")
    retry_at = models.DateTimeField(null=True, blank=True, help_text="When its report is requested again")
    settled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurrence_at", "-id"]
        indexes = [models.Index(fields=["settled_at", "retry_at"], name="schedule_run_open_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "occurrence_at"],
                condition=Q(trigger=RunTrigger.SCHEDULED),
                name="schedule_run_once",
            ),
            models.CheckConstraint(condition=Q(outcome__in=RunOutcome.values), name="schedule_run_outcome_valid"),
            models.CheckConstraint(condition=Q(trigger__in=RunTrigger.values), name="schedule_run_trigger_valid"),
        ]

    def __str__(self):
        return f"Run #{self.pk} of schedule #{self.schedule_id}"


class DeliveryKind(models.TextChoices):
    REPORT = "REPORT", "Report"
    NOTICE = "NOTICE", "Notice to the owner"


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", "Waiting to send"
    SENDING = "SENDING", "Sending"
    SENT = "SENT", "Sent"
    SKIPPED = "SKIPPED", "Skipped"
    FAILED = "FAILED", "Failed"


class ScheduleDelivery(models.Model):
    """One mail of a run to one person: a recipient's report mail, or the owner's notice.

    Unique per (run, recipient, kind), so a mail is made once. Sending claims the row with a
    conditional update (status SENDING, ``next_attempt_at`` the end of the claim): a worker that
    dies mid-send leaves the claim to lapse and the next sender sends it again with the same
    ``message_id``, the one duplicate a recipient can get.
    """

    run = models.ForeignKey(ScheduleRun, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=DeliveryKind.choices, default=DeliveryKind.REPORT)
    report = models.ForeignKey(
        GeneratedReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
        help_text="The report a recipient's mail links to; once sent, they may open it",
    )
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    detail = models.CharField(max_length=300, blank=True, help_text="Why it was skipped or failed, in words")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Pending: when to try; sending: when the claim lapses"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "kind", "id"]
        verbose_name_plural = "schedule deliveries"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx"),
            models.Index(fields=["recipient", "status"], name="delivery_recipient_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "recipient", "kind"], name="delivery_once"),
            models.CheckConstraint(condition=Q(kind__in=DeliveryKind.values), name="delivery_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]

    def __str__(self):
        return f"Delivery #{self.pk} of run #{self.run_id}"

    @property
    def message_id(self):
        """The mail's Message-ID: the same for every attempt, so a client drops a duplicate, and this site's own
        (keyed by ``SECRET_KEY``), so another installation's mail is never taken for one of ours."""
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
        site = salted_hmac("reports.schedule.message-id", str(self.pk)).hexdigest()[:12]
        return f"<schedule-delivery-{self.pk}.{site}@{domain}>"


class AccessAction(models.TextChoices):
    GENERATE = "GENERATE", "Generate"
    DOWNLOAD = "DOWNLOAD", "Download"
    DELETE = "DELETE", "Delete"


class AccessOutcome(models.TextChoices):
    ACCEPTED = "ACCEPTED", "Accepted"
    SERVED = "SERVED", "Served"
    DELETED = "DELETED", "Deleted"
    REJECTED = "REJECTED", "Rejected (bad input)"
    DENIED = "DENIED", "Denied"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED", "Not authenticated"
    NOT_FOUND = "NOT_FOUND", "Not found"
    NOT_READY = "NOT_READY", "Not ready"
    EXPIRED = "EXPIRED", "Expired"
    THROTTLED = "THROTTLED", "Throttled"
    UNAVAILABLE = "UNAVAILABLE", "Unavailable"


class AppendOnlyQuerySet(models.QuerySet):
    """Audit rows are written once: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise PermissionError("Audit events are append-only.")

    def delete(self):
        raise PermissionError("Audit events are append-only.")


class ReportAccessEvent(models.Model):
    """One attempt to generate, download or delete a report, whatever its outcome. Append-only."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True, help_text="As it was at the time")
    action = models.CharField(max_length=16, choices=AccessAction.choices)
    outcome = models.CharField(max_length=20, choices=AccessOutcome.choices)
    report_id = models.BigIntegerField(
        null=True, blank=True, db_index=True, help_text="Kept after the report is deleted"
    )
    template_id = models.BigIntegerField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField()
    tier = models.CharField(max_length=16, blank=True, help_text="Which storage tier served a download")
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["user", "-occurred_at"], name="access_user_occurred_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=AccessAction.values), name="access_action_valid"),
            models.CheckConstraint(condition=Q(outcome__in=AccessOutcome.values), name="access_outcome_valid"),
        ]

    def __str__(self):
        return f"{self.action} {self.outcome} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class AnonymousAccessCount(models.Model):
    """Anonymous attempts to generate, download or delete, counted per hour, client network, action and outcome.

    Such an attempt names no user and is refused before it reaches a report: a count per network
    and hour keeps who tried what, how often and when (not the report id or user agent of each
    try), and a flood of them cannot grow the audit trail (see ``reports.anonymous_access``).
    """

    hour = models.DateTimeField(help_text="The start of the hour counted")
    client_network = models.CharField(
        max_length=64,
        blank=True,
        help_text="The client's IPv4 address or IPv6 /64; empty: networks past the hour's limit",
    )
    action = models.CharField(max_length=16, choices=AccessAction.choices)
    outcome = models.CharField(max_length=20, choices=AccessOutcome.choices)
    attempts = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        ordering = ["-hour", "-attempts", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "client_network", "action", "outcome"], name="anonymous_count_unique"
            ),
        ]

    def __str__(self):
        return f"{self.attempts} anonymous {self.action} {self.outcome}"


class UserLogin(models.Model):
    """One successful login (Django keeps only the last one on the user): for activity and adoption figures."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="logins")
    logged_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-logged_in_at"]
        indexes = [
            models.Index(fields=["logged_in_at"], name="login_at_idx"),
            models.Index(fields=["user", "logged_in_at"], name="login_user_at_idx"),
        ]

    def __str__(self):
        return f"Login #{self.pk}"


class PendingFileDeletion(models.Model):
    """A report file to delete from every tier, recorded in the transaction that forgets it.

    The record goes once every tier confirmed the deletion (a file already gone counts); until
    then ``reports_cleanup`` tries again, so a storage failing a delete leaves no file for good.
    """

    name = models.CharField(max_length=255, unique=True, help_text="The file's storage name: <report id>-<random>")
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    failed_tiers = models.CharField(max_length=64, blank=True, help_text="Where the last attempt failed")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"File {self.name}"


class ScheduleAction(models.TextChoices):
    CREATED = "CREATED", "Created"
    CHANGED = "CHANGED", "Changed"
    PAUSED = "PAUSED", "Paused"
    RESUMED = "RESUMED", "Resumed"
    DELETED = "DELETED", "Deleted"
    RUN = "RUN", "Run"
    DELIVERY = "DELIVERY", "Delivery"
    UNSUBSCRIBED = "UNSUBSCRIBED", "Unsubscribed"


class ScheduleEvent(models.Model):
    """One change to a schedule, one of its runs, or one delivery and its outcome. Append-only.

    Ids are kept as numbers, not foreign keys, so the trail outlives a deleted schedule.
    """

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    schedule_id = models.BigIntegerField(help_text="The schedule (kept after it is deleted)")
    action = models.CharField(max_length=16, choices=ScheduleAction.choices)
    username = models.CharField(max_length=150, blank=True, help_text="Who acted, or the recipient of a delivery")
    run_id = models.BigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True, help_text="In words, naming no patient")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["schedule_id", "-occurred_at"], name="schedule_event_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=ScheduleAction.values), name="schedule_event_action_valid"),
        ]

    def __str__(self):
        return f"{self.action} schedule #{self.schedule_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Audit events are append-only.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")
