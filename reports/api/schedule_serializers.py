"""Serializers of report schedules, their runs and their mails."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports import schedules
from reports.api.fields import StrictBooleanField
from reports.api.serializers import preset_parameters
from reports.models import Frequency, ReportPreset, ReportSchedule, RunOutcome, ScheduleDelivery, ScheduleRun
from reports.selectors import possible_recipients, presets_for
from reports.services.scheduling import why_not_sent


def person(user):
    return user.get_full_name() or user.get_username()


class PersonSerializer(serializers.ModelSerializer):
    """An account a schedule may mail: its id, its name, and whether it has an address."""

    name = serializers.SerializerMethodField()
    has_email = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "name", "has_email"]

    def get_name(self, user) -> str:
        return person(user)

    def get_has_email(self, user) -> bool:
        return bool(user.email)


class LastRunSerializer(serializers.Serializer):
    occurrence_at = serializers.DateTimeField(source="last_run_at")
    outcome = serializers.CharField(source="last_outcome")
    outcome_label = serializers.SerializerMethodField()
    message = serializers.CharField(source="last_message")
    settled = serializers.SerializerMethodField()

    def get_outcome_label(self, schedule) -> str:
        return RunOutcome(schedule.last_outcome).label

    def get_settled(self, schedule) -> bool:
        return schedule.last_settled_at is not None


class ScheduleSerializer(serializers.ModelSerializer):
    """A schedule of one of the caller's presets (or one shared with them), run as the caller.

    Weekly schedules name ``weekdays`` (0 is Monday); monthly ones ``month_day`` (1-31; a day a
    month lacks falls on its last day). ``local_time`` is ``HH:MM`` in ``time_zone`` (IANA).
    Recipients are accounts whose roles may use the preset's template and that have an address.
    """

    preset = serializers.PrimaryKeyRelatedField(queryset=ReportPreset.objects.none())
    preset_name = serializers.CharField(source="preset.name", read_only=True)
    template_name = serializers.CharField(source="preset.template.name", read_only=True)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, max_length=7
    )
    month_day = serializers.IntegerField(min_value=1, max_value=31, required=False, allow_null=True)
    local_time = serializers.TimeField(format="%H:%M", input_formats=["%H:%M"], help_text="HH:MM in time_zone")
    time_zone = serializers.CharField(max_length=64, required=False, help_text="An IANA zone; default the clinic's")
    recipients = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=get_user_model().objects.none(),
        help_text="Account ids (GET …/schedules/people/)",
    )
    recipient_people = PersonSerializer(source="recipients", many=True, read_only=True)
    skip_empty = StrictBooleanField(required=False, help_text="Send nothing when the report counted no record")
    attach_file = StrictBooleanField(
        required=False, help_text="Attach the file; only with small counts hidden, and up to the size limit"
    )
    description = serializers.SerializerMethodField(help_text="When it runs, in words")
    next_run_local = serializers.SerializerMethodField(help_text="The next run in its zone, YYYY-MM-DD HH:MM")
    last_run = serializers.SerializerMethodField()

    class Meta:
        model = ReportSchedule
        fields = [
            "id",
            "preset",
            "preset_name",
            "template_name",
            "frequency",
            "weekdays",
            "month_day",
            "local_time",
            "time_zone",
            "description",
            "recipients",
            "recipient_people",
            "skip_empty",
            "attach_file",
            "is_active",
            "paused_reason",
            "consecutive_failures",
            "next_run_at",
            "next_run_local",
            "last_run",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "is_active",
            "paused_reason",
            "consecutive_failures",
            "next_run_at",
            "created_at",
            "updated_at",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:  # not while the API schema is drawn
            self.fields["preset"].queryset = presets_for(request.user)
            self.fields["recipients"].child_relation.queryset = possible_recipients()

    def validate(self, attrs):
        """The saved fields merged with the given ones, checked as the model checks them; recipients allowed."""
        schedule = self.instance
        merged = {
            name: attrs.get(name, getattr(schedule, name) if schedule else None)
            for name in ("preset", "frequency", "weekdays", "month_day", "local_time", "time_zone", "attach_file")
        }
        if merged["frequency"] != Frequency.WEEKLY and "weekdays" not in attrs:
            merged["weekdays"] = []
        if merged["frequency"] != Frequency.MONTHLY and "month_day" not in attrs:
            merged["month_day"] = None
        merged["weekdays"] = sorted(set(merged["weekdays"] or []))
        merged["time_zone"] = merged["time_zone"] or settings.TIME_ZONE
        merged["attach_file"] = bool(merged["attach_file"])
        candidate = ReportSchedule(**merged)
        try:
            candidate.clean_fields(exclude=["owner", "preset", "starts_on", "local_time"])
            candidate.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        preset = merged["preset"]
        if merged["attach_file"] and not _hides_small_counts(preset):
            raise serializers.ValidationError(
                {
                    "attach_file": [
                        "A file is attached only when its small counts are hidden; turn that on in the preset."
                    ]
                }
            )
        _, problems = preset_parameters(preset, self.context["request"].user)
        if problems:
            raise serializers.ValidationError({"preset": ["This preset cannot run as saved: " + " ".join(problems)]})
        recipients = attrs.get("recipients")
        if recipients is None and schedule is not None and "preset" in attrs:
            recipients = list(schedule.recipients.all())  # a new preset's template must suit them too
        if recipients is not None:
            problems = [f"{person(user)}: {why}" for user in recipients if (why := why_not_sent(user, preset.template))]
            if problems:
                raise serializers.ValidationError({"recipients": problems})
        attrs.update(weekdays=merged["weekdays"], month_day=merged["month_day"], time_zone=merged["time_zone"])
        return attrs

    def get_description(self, schedule) -> str:
        return schedules.describe(schedule)

    def get_next_run_local(self, schedule) -> str | None:
        if schedule.next_run_at is None:
            return None
        return f"{schedule.next_run_at.astimezone(schedule.zone):%Y-%m-%d %H:%M}"

    @extend_schema_field(LastRunSerializer(allow_null=True))
    def get_last_run(self, schedule):
        if getattr(schedule, "last_outcome", None) is None:
            return None
        return LastRunSerializer(schedule).data


def _hides_small_counts(preset):
    if preset.suppress_small_counts is None:
        return preset.template.suppress_small_counts
    return preset.suppress_small_counts


class DeliverySerializer(serializers.ModelSerializer):
    recipient_name = serializers.SerializerMethodField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ScheduleDelivery
        fields = ["recipient_name", "kind", "kind_label", "status", "status_label", "detail", "attempts", "sent_at"]
        read_only_fields = fields

    def get_recipient_name(self, delivery) -> str:
        return person(delivery.recipient)


class RunSerializer(serializers.ModelSerializer):
    trigger_label = serializers.CharField(source="get_trigger_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    report = serializers.PrimaryKeyRelatedField(read_only=True)
    deliveries = DeliverySerializer(many=True, read_only=True)

    class Meta:
        model = ScheduleRun
        fields = [
            "id",
            "occurrence_at",
            "trigger",
            "trigger_label",
            "late",
            "outcome",
            "outcome_label",
            "message",
            "attempts",
            "report",
            "settled_at",
            "deliveries",
        ]
        read_only_fields = fields
