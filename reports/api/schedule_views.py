"""Report schedules in the API: the caller's own, with their runs, and the actions that run them now."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from reports import selectors
from reports.api import schema
from reports.api.anonymous import AnonymousThrottleMixin
from reports.api.permissions import MayUseTemplate, UsesReports
from reports.api.schedule_serializers import PersonSerializer, RunSerializer, ScheduleSerializer
from reports.api.serializers import preset_parameters
from reports.api.throttles import ReportGenerationThrottle
from reports.api.views import DETAIL_ERRORS, ID_PATTERN, Conflict
from reports.models import ReportSchedule
from reports.services import scheduling

SAVED = {200: ScheduleSerializer, 400: schema.ValidationErrors, **DETAIL_ERRORS}
RUN_NOW = {
    202: RunSerializer,
    **DETAIL_ERRORS,
    409: schema.detail("The preset cannot run as saved (a filter or format gone): `not_runnable`."),
    429: schema.THROTTLED,
}


@extend_schema_view(
    list=extend_schema(responses={200: ScheduleSerializer(many=True), **DETAIL_ERRORS}),
    retrieve=extend_schema(responses={200: ScheduleSerializer, **DETAIL_ERRORS}),
    create=extend_schema(responses={201: ScheduleSerializer, 400: schema.ValidationErrors, **DETAIL_ERRORS}),
    update=extend_schema(responses=SAVED),
    partial_update=extend_schema(responses=SAVED),
    destroy=extend_schema(responses={204: OpenApiResponse(description="Deleted."), **DETAIL_ERRORS}),
)
class ScheduleViewSet(AnonymousThrottleMixin, viewsets.ModelViewSet):
    """The caller's report schedules: a preset mailed to recipients at a local time (ADMIN sees all in the admin)."""

    serializer_class = ScheduleSerializer
    lookup_value_regex = ID_PATTERN
    permission_classes = [IsAuthenticated, UsesReports]

    def get_queryset(self):
        return selectors.schedules_for(self.request.user)

    def perform_create(self, serializer):
        self._save(serializer, ReportSchedule(owner=self.request.user))

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    def _save(self, serializer, schedule):
        fields = dict(serializer.validated_data)
        recipients = fields.pop("recipients", None)
        for name, value in fields.items():
            setattr(schedule, name, value)
        scheduling.save_schedule(schedule, by=self.request.user, recipients=recipients)
        serializer.instance = self.get_queryset().get(pk=schedule.pk)

    def perform_destroy(self, instance):
        scheduling.delete_schedule(instance, by=self.request.user)

    @extend_schema(request=None, responses={200: ScheduleSerializer, **DETAIL_ERRORS})
    @action(detail=True, methods=["post"])
    def pause(self, request, pk=None):
        """Stop its runs until resumed."""
        scheduling.pause(self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses={200: ScheduleSerializer, **DETAIL_ERRORS})
    @action(detail=True, methods=["post"])
    def resume(self, request, pk=None):
        """Run again from its next time (a time missed while paused is not run); its failures are forgotten."""
        scheduling.resume(self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=RUN_NOW)
    @action(
        detail=True,
        methods=["post"],
        url_path="send-now",
        url_name="send-now",
        throttle_classes=[ReportGenerationThrottle],
    )
    def send_now(self, request, pk=None):
        """Make the report now and mail it to the recipients, outside the schedule's times."""
        return self._run_now(test=False)

    @extend_schema(request=None, responses=RUN_NOW)
    @action(
        detail=True,
        methods=["post"],
        url_path="send-test",
        url_name="send-test",
        throttle_classes=[ReportGenerationThrottle],
    )
    def send_test(self, request, pk=None):
        """Make the report now and mail it to the caller alone, to see what the recipients get."""
        return self._run_now(test=True)

    def _run_now(self, *, test):
        schedule = self.get_object()
        _, problems = preset_parameters(schedule.preset, self.request.user)
        if problems == [MayUseTemplate.message]:
            raise PermissionDenied(MayUseTemplate.message)
        if problems:
            raise Conflict("This schedule's preset cannot run as saved: " + " ".join(problems), code="not_runnable")
        run = scheduling.send_now(schedule, by=self.request.user, test=test)
        return Response(RunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: RunSerializer(many=True), **DETAIL_ERRORS})
    @action(detail=True)
    def runs(self, request, pk=None):
        """Its latest runs, newest first, each with its mails: to whom, sent or why not."""
        runs = selectors.schedule_runs(self.get_object())
        return Response(RunSerializer(runs, many=True).data)

    @extend_schema(responses={200: PersonSerializer(many=True), **DETAIL_ERRORS})
    @action(detail=False, pagination_class=None)
    def people(self, request):
        """The accounts a schedule may mail (staff who use reports), by name; whether each has an address."""
        return Response(PersonSerializer(selectors.possible_recipients(), many=True).data)
