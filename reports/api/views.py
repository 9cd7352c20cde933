"""Views of the reports API: authenticate, check, call a service or selector, serialize."""

import logging

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.module_loading import import_string
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, ErrorDetail, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from reports import selectors
from reports.api import previews, schema, serializers
from reports.api.anonymous import AnonymousThrottleMixin
from reports.api.auditing import AuditedActionsMixin
from reports.api.errors import ServiceUnavailable
from reports.api.permissions import IsClinicAdmin, IsPresetOwnerOrReadOnly, MayUseTemplate, UsesReports
from reports.api.throttles import ReportGenerationThrottle
from reports.models import AccessAction, ReportPreset
from reports.services import downloading, presets, requesting
from uscpis.roles import is_admin

logger = logging.getLogger(__name__)

# Ids in URLs are positive integers that fit the database's bigint; anything else is a 404.
ID_PATTERN = "[0-9]{1,18}"
# reports.charts draws with reportlab: resolved on the first dashboard drawn, not when a web process starts.
DASHBOARD_CHARTS = "reports.charts.dashboard_charts"
CLINIC_CHARTS = "reports.charts.clinic_charts"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The report is not ready yet."
    default_code = "not_ready"


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "The report has expired and its file was deleted. Generate it again."
    default_code = "expired"


COMMON_ERRORS = {401: schema.NOT_AUTHENTICATED, 403: schema.FORBIDDEN}
DETAIL_ERRORS = {**COMMON_ERRORS, 404: schema.NOT_FOUND}
ADMIN_ONLY = [IsAuthenticated, UsesReports, IsClinicAdmin]


@extend_schema_view(
    list=extend_schema(
        responses={200: serializers.ReportTemplateSerializer(many=True), **COMMON_ERRORS, 404: schema.NO_SUCH_PAGE}
    ),
    retrieve=extend_schema(responses={200: serializers.ReportTemplateSerializer, **DETAIL_ERRORS}),
)
class ReportTemplateViewSet(AnonymousThrottleMixin, AuditedActionsMixin, viewsets.ReadOnlyModelViewSet):
    """Report templates: read-only here; ADMIN edits them in Django admin."""

    serializer_class = serializers.ReportTemplateSerializer
    lookup_value_regex = ID_PATTERN
    permission_classes = [IsAuthenticated, UsesReports, MayUseTemplate]
    audited_actions = {"generate": AccessAction.GENERATE}
    audits_report = False

    def get_throttles(self):
        return [ReportGenerationThrottle()] if self.action == "generate" else super().get_throttles()

    def get_queryset(self):
        if self.action == "list":
            return selectors.templates_for(self.request.user)
        return selectors.active_templates()

    @extend_schema(
        request=serializers.GenerateReportSerializer,
        responses={
            202: serializers.GeneratedReportSerializer,
            400: schema.ValidationErrors,
            **DETAIL_ERRORS,
            413: schema.TOO_LARGE,
            429: schema.THROTTLED,
        },
    )
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        template = self.get_object()
        params = serializers.GenerateReportSerializer(data=request.data, context={"template": template})
        params.is_valid(raise_exception=True)
        report = requesting.request_report(user=request.user, template=template, **params.validated_data)
        return Response(serializers.GeneratedReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={200: serializers.TemplateCardSerializer(many=True), **COMMON_ERRORS, 404: schema.NO_SUCH_PAGE}
    )
    @action(detail=False)
    def cards(self, request):
        """The templates the caller may use, each with a one-line preview of its contents (the page's cards)."""
        page = self.paginate_queryset(selectors.templates_for(request.user))
        return self.get_paginated_response(serializers.TemplateCardSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[serializers.ReportListFilterSerializer],
        responses={
            200: serializers.GeneratedReportSerializer(many=True),
            400: schema.ValidationErrors,
            **COMMON_ERRORS,
            404: schema.NO_SUCH_PAGE,
        },
    ),
    retrieve=extend_schema(responses={200: serializers.GeneratedReportSerializer, **DETAIL_ERRORS}),
    destroy=extend_schema(responses={204: OpenApiResponse(description="Deleted with its file."), **DETAIL_ERRORS}),
)
class GeneratedReportViewSet(
    AnonymousThrottleMixin,
    AuditedActionsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's generated reports (ADMIN: everyone's)."""

    serializer_class = serializers.GeneratedReportSerializer
    lookup_value_regex = ID_PATTERN
    permission_classes = [IsAuthenticated, UsesReports]
    audited_actions = {
        "download": AccessAction.DOWNLOAD,
        "destroy": AccessAction.DELETE,
        "retry": AccessAction.GENERATE,
        "export_as": AccessAction.GENERATE,
    }
    audits_report = True
    # A report a schedule mailed to someone is theirs to see, download and export, not to delete or retry.
    OWNER_ACTIONS = {"destroy", "retry"}

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file's own type whatever the client accepts; errors are JSON.
        return super().perform_content_negotiation(request, force=force or self.action == "download")

    def get_queryset(self):
        if self.action == "status":
            return selectors.report_statuses(self.request.user)
        if self.action in self.OWNER_ACTIONS:
            return selectors.reports_owned_by(self.request.user)
        reports = selectors.reports_for(self.request.user)
        if self.action == "list":
            filters = serializers.ReportListFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            reports = reports.filter(**filters.validated_data)
        return reports

    def get_serializer_context(self):
        """ADMIN also sees why a report failed: the error's class and its server log reference."""
        return {**super().get_serializer_context(), "error_details": is_admin(self.request.user)}

    def perform_destroy(self, instance):
        requesting.delete_report(instance)

    @extend_schema(responses={200: serializers.ReportStatusSerializer, **DETAIL_ERRORS})
    @action(detail=True)
    def status(self, request, pk=None):
        report = self.get_object()
        return Response(serializers.ReportStatusSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(
        responses={
            **schema.FILE_RESPONSES,
            **DETAIL_ERRORS,
            409: schema.detail("The report is not completed yet: `not_ready`."),
            410: schema.detail("The report expired and its file was deleted: `expired`."),
            503: schema.detail(
                "The file could not be read (`file_unavailable`) or the access could not be recorded"
                " (`not_recorded`); retry after the seconds in Retry-After."
            ),
        }
    )
    @action(detail=True)
    def download(self, request, pk=None):
        report = self.get_object()
        try:
            served = downloading.open_report_file(report)
        except downloading.ReportExpired as error:
            raise Gone from error
        except downloading.ReportNotReady as error:
            raise Conflict(f"The report is {report.get_status_display().lower()}; it has no file yet.") from error
        except downloading.ReportUnavailable as error:
            logger.warning("Report %s: no download tier could serve its file", report.pk)
            raise ServiceUnavailable(
                "The report file is unavailable for the moment. Please try again shortly.",
                code="file_unavailable",
                wait=error.retry_after,
            ) from error
        response = FileResponse(served.file, as_attachment=True, filename=served.filename)
        response["Content-Type"] = served.content_type
        response["Content-Length"] = str(served.size)
        response.served_tier = served.tier
        logger.info("Report %s downloaded (tier %s)", report.pk, served.tier)
        return response

    @extend_schema(responses={200: serializers.DashboardSerializer, **COMMON_ERRORS})
    @action(detail=False, permission_classes=ADMIN_ONLY)
    def dashboard(self, request):
        """The report system's figures (the page's System tab), system-wide: ADMIN only."""
        figures = selectors.dashboard(request.user)
        return Response(serializers.DashboardSerializer(figures, context=self.get_serializer_context()).data)

    @extend_schema(
        operation_id="reports_generated_statuses",
        parameters=[serializers.StatusQuerySerializer],
        responses={
            200: inline_serializer("ReportStatuses", {"results": serializers.ReportStatusSerializer(many=True)}),
            400: schema.ValidationErrors,
            **COMMON_ERRORS,
        },
    )
    @action(detail=False, url_path="status", url_name="statuses")
    def statuses(self, request):
        """The status of several reports in one request (``?ids=1,2,3``); ids the caller may not see are left out."""
        query = serializers.StatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        reports = selectors.report_statuses(request.user, query.validated_data["ids"])
        statuses = serializers.ReportStatusSerializer(reports, many=True, context=self.get_serializer_context())
        return Response({"results": statuses.data})

    @extend_schema(
        responses={
            200: previews.PreviewSerializer,
            **DETAIL_ERRORS,
            409: schema.detail("The report is not completed yet: `not_ready`."),
            410: schema.detail("The report expired: `expired`."),
        }
    )
    @action(detail=True)
    def preview(self, request, pk=None):
        """A completed report's figures, tables and charts (SVG) from its stored document."""
        report = get_object_or_404(selectors.reports_with_documents_for(request.user), pk=pk)
        try:
            document = downloading.report_document(report)
        except downloading.ReportExpired as error:
            raise Gone("The report has expired. Generate it again to see it.") from error
        except downloading.ReportNotReady as error:
            raise Conflict(
                f"The report is {report.get_status_display().lower()}; there is nothing to show yet."
            ) from error
        return Response(previews.PreviewSerializer(previews.preview(report, document)).data)

    @extend_schema(
        request=None,
        responses={
            202: serializers.GeneratedReportSerializer,
            **DETAIL_ERRORS,
            409: schema.detail("Only a failed report can be retried: `not_retryable`."),
            429: schema.THROTTLED,
        },
    )
    @action(detail=True, methods=["post"], throttle_classes=[ReportGenerationThrottle])
    def retry(self, request, pk=None):
        """Queue a FAILED report again."""
        report = self.get_object()
        self._check_template(report)
        if not requesting.retry_report(report):
            raise Conflict(
                f"Only a failed report can be retried; this one is {report.get_status_display().lower()}.",
                code="not_retryable",
            )
        return Response(serializers.GeneratedReportSerializer(self.get_object()).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=serializers.ExportAsSerializer,
        responses={
            202: serializers.GeneratedReportSerializer,
            400: schema.ValidationErrors,
            **DETAIL_ERRORS,
            429: schema.THROTTLED,
        },
    )
    @action(
        detail=True, methods=["post"], url_path="export", url_name="export", throttle_classes=[ReportGenerationThrottle]
    )
    def export_as(self, request, pk=None):
        """Request the same report (template, period, filters, title) in another format; a new report."""
        report = self.get_object()
        self._check_template(report)
        params = serializers.ExportAsSerializer(data=request.data, context={"template": report.template})
        params.is_valid(raise_exception=True)
        exported = requesting.export_report(report, user=request.user, **params.validated_data)
        return Response(serializers.GeneratedReportSerializer(exported).data, status=status.HTTP_202_ACCEPTED)

    def _check_template(self, report):
        """Retrying or exporting generates a report: the caller must still be allowed the template."""
        if not (report.template.is_active and selectors.may_use_template(self.request.user, report.template)):
            raise PermissionDenied(MayUseTemplate.message)

    @extend_schema(responses={200: previews.DashboardChartsSerializer, **COMMON_ERRORS})
    @action(detail=False, url_path="dashboard/charts", url_name="dashboard-charts", permission_classes=ADMIN_ONLY)
    def dashboard_charts(self, request):
        """The report system's charts as SVG (the page's System tab), system-wide: ADMIN only."""
        dashboard_charts = import_string(DASHBOARD_CHARTS)
        drawn = dashboard_charts(selectors.dashboard(request.user), selectors.dashboard_series(request.user))
        body = {"scope": "system", "charts": [c.as_dict() for c in drawn]}
        return Response(previews.DashboardChartsSerializer(body).data)


class DashboardViewSet(AnonymousThrottleMixin, viewsets.ViewSet):
    """The page's dashboard of clinic figures."""

    permission_classes = [IsAuthenticated, UsesReports]

    @extend_schema(
        parameters=[serializers.ClinicPeriodSerializer],
        responses={200: serializers.ClinicDashboardSerializer, 400: schema.ValidationErrors, **COMMON_ERRORS},
    )
    @action(detail=False)
    def clinic(self, request):
        """Visits, patients seen, treatment success and satisfaction over a period, each with its trend.

        Only the figures of report types the caller's roles may use; small counts hidden
        (``SMALL_CELL_THRESHOLD``). Bad period input is a 400 naming the field.
        """
        query = serializers.ClinicPeriodSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data["period"]
        data = selectors.clinic_dashboard(request.user, period)
        charts = import_string(CLINIC_CHARTS)(data["figures"], data["step"])
        body = {
            **data,
            "period": {"preset": query.validated_data["preset"], "start": period.start, "end": period.end},
            "figures": [
                {**figure, "chart": chart.as_dict()} for figure, chart in zip(data["figures"], charts, strict=True)
            ],
        }
        return Response(serializers.ClinicDashboardSerializer(body).data)


@extend_schema_view(
    list=extend_schema(
        responses={200: serializers.PresetSerializer(many=True), **COMMON_ERRORS, 404: schema.NO_SUCH_PAGE}
    ),
    retrieve=extend_schema(responses={200: serializers.PresetSerializer, **DETAIL_ERRORS}),
    create=extend_schema(responses={201: serializers.PresetSerializer, 400: schema.ValidationErrors, **COMMON_ERRORS}),
    update=extend_schema(responses={200: serializers.PresetSerializer, 400: schema.ValidationErrors, **DETAIL_ERRORS}),
    partial_update=extend_schema(
        responses={200: serializers.PresetSerializer, 400: schema.ValidationErrors, **DETAIL_ERRORS}
    ),
    destroy=extend_schema(responses={204: OpenApiResponse(description="Deleted."), **DETAIL_ERRORS}),
)
class PresetViewSet(AnonymousThrottleMixin, AuditedActionsMixin, viewsets.ModelViewSet):
    """Saved presets: the caller's own and those shared with them; only the owner changes one."""

    serializer_class = serializers.PresetSerializer
    lookup_value_regex = ID_PATTERN
    permission_classes = [IsAuthenticated, UsesReports, IsPresetOwnerOrReadOnly]
    audited_actions = {"run": AccessAction.GENERATE}
    audits_report = False

    def get_queryset(self):
        return selectors.presets_for(self.request.user)

    def audited_template_id(self, pk):
        """A run is recorded against the preset's template (the report it created has its own id)."""
        return self.get_queryset().filter(pk=pk).values_list("template_id", flat=True).first()

    def perform_create(self, serializer):
        self._save(serializer, owner=self.request.user)

    def perform_update(self, serializer):
        self._save(serializer)

    def _save(self, serializer, **fields):
        preset = serializer.instance or ReportPreset()
        for name, value in {**serializer.validated_data, **fields}.items():
            setattr(preset, name, value)
        try:
            serializer.instance = presets.save_preset(preset)
        except presets.PresetNameTaken as error:
            raise ValidationError(
                {"name": [ErrorDetail("You already have a preset of this name.", "unique")]}
            ) from error

    def perform_destroy(self, instance):
        presets.delete_preset(instance)

    @extend_schema(
        request=None,
        responses={
            202: serializers.GeneratedReportSerializer,
            **DETAIL_ERRORS,
            409: schema.detail("The preset cannot run as saved (a filter or format gone): `not_runnable`."),
            429: schema.THROTTLED,
        },
    )
    @action(detail=True, methods=["post"], throttle_classes=[ReportGenerationThrottle])
    def run(self, request, pk=None):
        """Run now: request the report the preset describes, as the caller, its relative period resolved now."""
        preset = self.get_object()
        if not (preset.template.is_active and selectors.may_use_template(request.user, preset.template)):
            raise PermissionDenied(MayUseTemplate.message)
        try:
            report = presets.run_preset(preset, user=request.user)
        except presets.PresetNotRunnable as error:
            raise Conflict(
                "This preset cannot run as saved: " + " ".join(error.problems), code="not_runnable"
            ) from error
        return Response(serializers.GeneratedReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)
