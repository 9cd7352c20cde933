"""Serializers of the reports API: thin translations between JSON and the models."""

import re
import unicodedata

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from reports import catalog, relative_periods
from reports.api.fields import LocalDateField, PlainTextField, StrictBooleanField
from reports.api.previews import ChartSerializer
from reports.catalog.filters import clean_filters, describe_filters, report_filter_labels
from reports.clinic_figures import PRESETS
from reports.document import Kind, humanize
from reports.models import (
    CompareTo,
    ExportFormat,
    GeneratedReport,
    ReportPreset,
    ReportStatus,
    ReportTemplate,
    Sharing,
)
from reports.periods import UNITS, Period, local_today, long_date
from reports.selectors import may_use_template, templates_for
from uscpis.roles import CLINICAL_ROLES, Role, is_admin

MAX_RANGE_DAYS = 3660


def validate_range(start, end, end_field):
    """A period's days in order and at most 10 years long; a ValidationError on ``end_field`` otherwise."""
    if start > end:
        raise serializers.ValidationError({end_field: ["Must be on or after the start date."]}, code="range_order")
    if (end - start).days >= MAX_RANGE_DAYS:
        raise serializers.ValidationError({end_field: ["The range may span at most 10 years."]}, code="range_too_long")


MAX_STATUS_IDS = 100
# An id is 1-18 ASCII digits (it fits the database's bigint), as in URLs.
REPORT_ID = re.compile(r"[0-9]{1,18}")


class ReportTemplateSerializer(serializers.ModelSerializer):
    allowed_filters = serializers.SerializerMethodField()

    class Meta:
        model = ReportTemplate
        fields = [
            "id",
            "name",
            "description",
            "report_type",
            "supported_formats",
            "requires_date_range",
            "default_filters",
            "allowed_filters",
            "allowed_roles",
            "suppress_small_counts",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_allowed_filters(self, template):
        return describe_filters(catalog.get(template.report_type).filters)


def clean_title(value):
    """A title of plain text: no control or bidirectional-override characters, no markup."""
    if any(unicodedata.category(character) in {"Cc", "Cf"} for character in value):
        raise serializers.ValidationError(
            "Must not contain control or formatting characters.", code="control_characters"
        )
    if "<" in value or ">" in value:
        raise serializers.ValidationError("Must not contain < or >.", code="markup")
    return value.strip()


def coded_filter_errors(declared, error):
    """The messages of ``clean_filters`` by filter name, coded ``unknown_filter`` or ``invalid_filter``."""
    return {
        name: [ErrorDetail(message, "invalid_filter" if name in declared else "unknown_filter") for message in messages]
        for name, messages in error.message_dict.items()
    }


class TemplateFormatField(serializers.ChoiceField):
    """A format the template in the serializer's context offers."""

    default_error_messages = {"unsupported_format": "This report can be exported as {formats}, not {value}."}

    def __init__(self, **kwargs):
        super().__init__(choices=ExportFormat.choices, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        formats = self.context["template"].supported_formats
        if value not in formats:
            self.fail("unsupported_format", formats=", ".join(formats), value=value)
        return value


class GenerateReportSerializer(serializers.Serializer):
    """A report's parameters; its period is two dates or a relative period (``relative_periods``).

    A relative period is resolved at the context's ``at``, or now.
    """

    title = PlainTextField(required=False, allow_blank=True, max_length=200, validators=[clean_title])
    date_range_start = LocalDateField(required=False, help_text="The first day; with date_range_end, or a period.")
    date_range_end = LocalDateField(required=False, help_text="The last day; with date_range_start, or a period.")
    period = serializers.CharField(
        required=False,
        max_length=40,
        help_text="A relative period instead of the dates: previous_month, last_30_days, last_90_days, ...",
    )
    export_format = TemplateFormatField()
    filters = serializers.DictField(required=False, default=dict, help_text="See the template's allowed_filters.")
    suppress_small_counts = StrictBooleanField(
        required=False, help_text="Hide counts from 1 to SMALL_CELL_THRESHOLD; left out, the template's default."
    )
    compare_to = serializers.ChoiceField(
        choices=CompareTo.choices,
        default=CompareTo.NONE,
        help_text="An earlier period shown beside this one: previous_period or same_period_last_year.",
    )

    def validate_filters(self, value):
        declared = catalog.get(self.context["template"].report_type).filters
        try:
            return clean_filters(declared, value)
        except DjangoValidationError as error:
            if not hasattr(error, "error_dict"):
                raise serializers.ValidationError(error.messages, code="not_a_dict") from error
            raise serializers.ValidationError(coded_filter_errors(declared, error)) from error

    def validate_period(self, value):
        try:
            return relative_periods.check(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error), code="unknown_period") from error

    def validate(self, attrs):
        dates = [name for name in ("date_range_start", "date_range_end") if name in attrs]
        if "period" in attrs:
            if dates:
                message = "Give either a relative period or the dates, not both."
                raise serializers.ValidationError({name: [message] for name in dates}, code="period_and_dates")
            resolved = relative_periods.resolve(attrs.pop("period"), self.context.get("at") or timezone.now())
            attrs["relative_period"] = resolved.name
            attrs["date_range_start"], attrs["date_range_end"] = resolved.period.start, resolved.period.end
        elif len(dates) < 2:
            message = "Give the first and the last day, or a relative period."
            missing = {"date_range_start", "date_range_end"} - set(dates)
            raise serializers.ValidationError({name: [message] for name in sorted(missing)}, code="required")
        start, end = attrs["date_range_start"], attrs["date_range_end"]
        validate_range(start, end, "date_range_end")
        if start > (today := local_today()):
            raise serializers.ValidationError(
                {"date_range_start": [f"The period has not started yet: today is {long_date(today)}."]},
                code="range_in_future",
            )
        attrs["title"] = attrs.get("title", "")
        return attrs


FIELD_WORDS = {
    "date_range_start": "First day",
    "date_range_end": "Last day",
    "export_format": "Format",
    "filters": "Filter",
}


def error_sentences(errors):
    """A serializer's ``errors`` as sentences naming their field in words: 'Filter “sex”: Must be one of: ...'."""
    sentences = []
    for field, messages in errors.items():
        words = FIELD_WORDS.get(field, humanize(field))
        if isinstance(messages, dict):
            sentences += [f"{words} “{name}”: {message}" for name, inner in messages.items() for message in inner]
        else:
            sentences += [f"{words}: {message}" for message in messages]
    return sentences


def preset_parameters(preset, user, at=None):
    """``(parameters, problems)``: what running ``preset`` as ``user`` asks for, as a generate request.

    The parameters are validated as a generate request's body is (its relative period resolved at
    ``at``, or now); when it cannot run, they are None and the problems say why, in words.
    """
    if not (preset.template.is_active and may_use_template(user, preset.template)):
        return None, ["Your role may not use this report template."]
    params = GenerateReportSerializer(data=preset.request_body(), context={"template": preset.template, "at": at})
    if not params.is_valid():
        return None, error_sentences(params.errors)
    return params.validated_data, []


# The request fields of a preset: validated together, as a generate request's body, by GenerateReportSerializer.
PRESET_REQUEST_FIELDS = ("period", "date_range_start", "date_range_end", "export_format", "filters", "compare_to")
SHARED_ROLES = [(role.value, role.label) for role in Role if role in CLINICAL_ROLES or role == Role.ADMIN]


class PresetSerializer(serializers.ModelSerializer):
    """A saved preset. Its period, format and filters are checked as a generate request of its template.

    Sharing with a role (``sharing`` ROLE) names the role in ``shared_role``. ``runnable`` and
    ``problems`` say whether the caller can run it now, and if not, why.
    """

    name = PlainTextField(max_length=100, validators=[clean_title])
    template = serializers.PrimaryKeyRelatedField(queryset=ReportTemplate.objects.none())
    template_name = serializers.CharField(source="template.name", read_only=True)
    report_type = serializers.CharField(source="template.report_type", read_only=True)
    owner_name = serializers.SerializerMethodField()
    is_own = serializers.SerializerMethodField()
    period = serializers.CharField(
        source="relative_period",
        required=False,
        max_length=40,
        help_text="A relative period (previous_month, last_30_days, ...) resolved at each run; or the two dates.",
    )
    period_label = serializers.SerializerMethodField()
    date_range_start = LocalDateField(required=False, help_text="With date_range_end: a fixed period.")
    date_range_end = LocalDateField(required=False)
    export_format = serializers.ChoiceField(choices=ExportFormat.choices)
    filters = serializers.DictField(required=False, help_text="As in a generate request.")
    filter_labels = serializers.SerializerMethodField()
    suppress_small_counts = StrictBooleanField(
        required=False, allow_null=True, help_text="Hide small counts; null: the template's default at each run."
    )
    compare_to = serializers.ChoiceField(choices=CompareTo.choices, required=False)
    sharing = serializers.ChoiceField(choices=Sharing.choices, required=False)
    shared_role = serializers.ChoiceField(
        choices=SHARED_ROLES, required=False, allow_blank=True, help_text="With sharing ROLE: the role shown it."
    )
    runnable = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField(help_text="Why the caller cannot run it now, in words.")

    class Meta:
        model = ReportPreset
        fields = [
            "id",
            "name",
            "template",
            "template_name",
            "report_type",
            "owner_name",
            "is_own",
            "period",
            "period_label",
            "date_range_start",
            "date_range_end",
            "export_format",
            "filters",
            "filter_labels",
            "suppress_small_counts",
            "compare_to",
            "sharing",
            "shared_role",
            "runnable",
            "problems",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:  # not while the API schema is drawn
            self.fields["template"].queryset = templates_for(request.user)

    def to_representation(self, preset):
        body = super().to_representation(preset)
        body["period"] = preset.relative_period or None
        return body

    def validate(self, attrs):
        """The saved fields merged with the given ones, the request fields checked as one generate request."""
        preset = self.instance
        template = attrs.get("template") or preset.template
        body = preset.request_body() if preset else {}
        given = {name: self.initial_data[name] for name in PRESET_REQUEST_FIELDS if name in self.initial_data}
        if {"period", "date_range_start", "date_range_end"} & set(given):
            for name in ("period", "date_range_start", "date_range_end"):
                body.pop(name, None)
        body.update(given)
        body.pop("suppress_small_counts", None)
        params = GenerateReportSerializer(data=body, context={"template": template})
        params.is_valid(raise_exception=True)
        checked = params.validated_data
        relative = checked.get("relative_period", "")
        attrs.update(
            relative_period=relative,
            date_range_start=None if relative else checked["date_range_start"],
            date_range_end=None if relative else checked["date_range_end"],
            export_format=checked["export_format"],
            filters=checked["filters"],
            compare_to=checked["compare_to"],
        )
        sharing = attrs.get("sharing", preset.sharing if preset else Sharing.PRIVATE)
        role = attrs.get("shared_role", preset.shared_role if preset and "sharing" not in attrs else "")
        if sharing == Sharing.ROLE and not role:
            raise serializers.ValidationError({"shared_role": ["Name the role to share with."]}, code="required")
        attrs["shared_role"] = role if sharing == Sharing.ROLE else ""
        return attrs

    def get_owner_name(self, preset) -> str:
        return preset.owner.get_full_name() or preset.owner.get_username()

    def get_is_own(self, preset) -> bool:
        return preset.owner_id == self.context["request"].user.pk

    def get_period_label(self, preset) -> str:
        if preset.relative_period:
            return relative_periods.label(preset.relative_period)
        return f"{long_date(preset.date_range_start)} to {long_date(preset.date_range_end)}"

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_filter_labels(self, preset):
        return report_filter_labels(preset.template.report_type, preset.filters)

    def get_runnable(self, preset) -> bool:
        return not self._problems(preset)

    def get_problems(self, preset) -> list[str]:
        return self._problems(preset)

    def _problems(self, preset):
        cache = self.context.setdefault("problems", {})
        if preset.pk not in cache:
            cache[preset.pk] = preset_parameters(preset, self.context["request"].user)[1]
        return cache[preset.pk]


class ErrorDetailsSerializer(serializers.Serializer):
    error_class = serializers.CharField(help_text="The class of the error that failed the report; empty if none was")
    log_reference = serializers.CharField(
        source="error_reference", help_text="The reference its server log record carries: [ref …]"
    )


class ErrorDetailsMixin(serializers.Serializer):
    """``error_details`` of a FAILED report when the context's ``error_details`` is true (ADMIN), else null."""

    error_details = serializers.SerializerMethodField(
        help_text="ADMIN only: the error that failed the report and where its server log record is; null otherwise."
    )

    @extend_schema_field(ErrorDetailsSerializer(allow_null=True))
    def get_error_details(self, report):
        if not self.context.get("error_details") or report.status != ReportStatus.FAILED:
            return None
        return ErrorDetailsSerializer(report).data


class GeneratedReportSerializer(ErrorDetailsMixin, serializers.ModelSerializer):
    template_name = serializers.CharField(source="template.name", read_only=True)
    generated_by_name = serializers.SerializerMethodField()
    received = serializers.SerializerMethodField(
        help_text="A report another user's schedule mailed to the caller: they may see it, not delete or retry it"
    )
    generation_seconds = serializers.FloatField(read_only=True, allow_null=True)
    report_id = serializers.IntegerField(source="id", read_only=True)
    is_expired = serializers.BooleanField(read_only=True)
    period_label = serializers.CharField(read_only=True, help_text="The relative period in words, or empty")
    compare_to_label = serializers.CharField(source="get_compare_to_display", read_only=True)
    filter_labels = serializers.SerializerMethodField(
        help_text='The filters in words, by name: {"sex": {"label": "Sex", "text": "Female"}}.'
    )

    class Meta:
        model = GeneratedReport
        fields = [
            "id",
            "report_id",
            "title",
            "template_id",
            "template_name",
            "report_type",
            "generated_by_name",
            "received",
            "date_range_start",
            "date_range_end",
            "relative_period",
            "period_label",
            "compare_to",
            "compare_to_label",
            "filters",
            "filter_labels",
            "export_format",
            "suppress_small_counts",
            "status",
            "progress_percentage",
            "error_message",
            "error_details",
            "file_size",
            "record_count",
            "generation_seconds",
            "created_at",
            "completed_at",
            "expires_at",
            "is_expired",
            "download_count",
        ]
        read_only_fields = fields

    def get_generated_by_name(self, report) -> str:
        user = report.generated_by
        return user.get_full_name() or user.get_username()

    def get_received(self, report) -> bool:
        request = self.context.get("request")
        return request is not None and report.generated_by_id != request.user.pk and not is_admin(request.user)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_filter_labels(self, report):
        return report_filter_labels(report.report_type, report.filters)


class ReportStatusSerializer(ErrorDetailsMixin, serializers.ModelSerializer):
    class Meta:
        model = GeneratedReport
        fields = ["id", "status", "progress_percentage", "error_message", "error_details", "created_at", "completed_at"]
        read_only_fields = fields


class ReportListFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReportStatus.choices, required=False)
    report_type = serializers.ChoiceField(choices=(), required=False)
    export_format = serializers.ChoiceField(choices=ExportFormat.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when used: this module may be imported (through the admin) before the report types are registered.
        self.fields["report_type"].choices = catalog.choices()


class DashboardSerializer(serializers.Serializer):
    totals = serializers.DictField(child=serializers.IntegerField())
    by_format = serializers.DictField(child=serializers.IntegerField())
    popular_templates = serializers.ListField(child=serializers.DictField())
    recent_reports = GeneratedReportSerializer(many=True)
    average_generation_seconds = serializers.FloatField(allow_null=True)
    total_downloads = serializers.IntegerField()
    storage_bytes = serializers.IntegerField()
    failure_rate = serializers.FloatField(allow_null=True)


class ClinicPeriodSerializer(serializers.Serializer):
    """The clinic dashboard's period: a preset ending today, or ``custom`` from ``start`` to ``end``."""

    period = serializers.ChoiceField(
        choices=[*PRESETS, "custom"], default=PRESETS[0], help_text="A preset ending today, or custom."
    )
    start = LocalDateField(required=False, help_text="With period=custom: the first day.")
    end = LocalDateField(required=False, help_text="With period=custom: the last day, today at the latest.")

    def validate(self, attrs):
        preset, given = attrs["period"], [name for name in ("start", "end") if name in attrs]
        if preset != "custom":
            if given:
                message = "Give start and end only with period=custom."
                raise serializers.ValidationError({name: [message] for name in given}, code="not_custom")
            return {"preset": preset, "period": relative_periods.resolve(preset, timezone.now()).period}
        today = local_today()
        missing = [name for name in ("start", "end") if name not in attrs]
        if missing:
            message = "With period=custom, give the first and the last day."
            raise serializers.ValidationError({name: [message] for name in missing}, code="required")
        start, end = attrs["start"], attrs["end"]
        if end > today:
            raise serializers.ValidationError(
                {"end": [f"The dashboard counts days up to today ({today.isoformat()})."]}, code="in_future"
            )
        validate_range(start, end, "end")
        return {"preset": preset, "period": Period(start, end)}


class ShownValueSerializer(serializers.Serializer):
    value = serializers.JSONField(help_text="The number (a rate as a fraction 0-1), or null when hidden or missing")
    text = serializers.CharField(
        help_text="As shown: a hidden count is its marker (<11), another hidden figure `not shown`"
    )
    suppressed = serializers.BooleanField(help_text="Hidden by small-cell suppression")


class ClinicStepSerializer(ShownValueSerializer):
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()


class ClinicFigureSerializer(ShownValueSerializer):
    key = serializers.CharField()
    label = serializers.CharField()
    hint = serializers.CharField(help_text="What is counted, in a few words")
    report_type = serializers.CharField(help_text="The report type that defines the figure")
    kind = serializers.ChoiceField(choices=[Kind.COUNT.value, Kind.RATE.value])
    trend = ClinicStepSerializer(many=True, help_text="The figure over each step of the period")
    chart = ChartSerializer(help_text="The trend as a small SVG bar chart")


class ClinicPeriodOutSerializer(serializers.Serializer):
    preset = serializers.ChoiceField(choices=[*PRESETS, "custom"])
    start = serializers.DateField()
    end = serializers.DateField()


class ClinicDashboardSerializer(serializers.Serializer):
    """The clinic's figures over a period, from the report types the caller's roles may use."""

    period = ClinicPeriodOutSerializer()
    step = serializers.ChoiceField(choices=UNITS, help_text="What a step of the trends is")
    small_cell_threshold = serializers.IntegerField(help_text="Counts from 1 to this are hidden")
    figures = ClinicFigureSerializer(many=True)


class TemplateCardSerializer(ReportTemplateSerializer):
    """A template as the page's card: the template's fields and its report type's one-line contents."""

    contents = serializers.SerializerMethodField()

    class Meta(ReportTemplateSerializer.Meta):
        fields = [*ReportTemplateSerializer.Meta.fields, "contents"]

    def get_contents(self, template) -> str:
        return catalog.get(template.report_type).contents


@extend_schema_field(OpenApiTypes.STR)
class ReportIdsField(serializers.Field):
    """Report ids as a comma-separated list: ``1,2,3``, each 1-18 ASCII digits, at most ``MAX_STATUS_IDS``."""

    default_error_messages = {
        "invalid": "Give report ids as whole numbers separated by commas, for example 1,2,3.",
        "too_many": f"Ask for at most {MAX_STATUS_IDS} reports at a time.",
    }

    def to_internal_value(self, data):
        parts = str(data).split(",")
        if len(parts) > MAX_STATUS_IDS:
            self.fail("too_many")
        parts = [part.strip() for part in parts]
        if not all(REPORT_ID.fullmatch(part) and int(part) > 0 for part in parts):
            self.fail("invalid")
        return list(dict.fromkeys(int(part) for part in parts))

    def to_representation(self, value):
        return ",".join(str(pk) for pk in value)


class StatusQuerySerializer(serializers.Serializer):
    ids = ReportIdsField(help_text=f"Comma-separated report ids, at most {MAX_STATUS_IDS}.")


class ExportAsSerializer(serializers.Serializer):
    export_format = TemplateFormatField()
