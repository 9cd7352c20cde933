"""Views of the reports API: authenticate, check, call a service or selector, serialize."""

import logging

from django.contrib.auth import authenticate, login, logout
from django.http import FileResponse
from rest_framework import mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reports import selectors, services
from reports.api import serializers
from reports.api.permissions import MayUseTemplate, UsesReports
from uscpis.roles import user_roles

logger = logging.getLogger(__name__)

# Ids in URLs are positive integers that fit the database's bigint; anything else is a 404.
ID_PATTERN = "[0-9]{1,18}"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The report is not ready yet."
    default_code = "not_ready"


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "The report has expired and its file was deleted. Generate it again."
    default_code = "expired"


class LoginView(APIView):
    """``POST {username, password}`` → ``{token, user}``; also starts a session."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def post(self, request):
        credentials = serializers.LoginSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        user = authenticate(request, **credentials.validated_data)
        if user is None:
            return Response(
                {"non_field_errors": ["Unable to log in with the given username and password."]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        login(request, user)
        token, _ = Token.objects.get_or_create(user=user)
        return Response(
            {"token": token.key, "user": {"id": user.pk, "username": user.username, "roles": sorted(user_roles(user))}}
        )


class LogoutView(APIView):
    """``POST``: revoke the token and end the session."""

    permission_classes = [IsAuthenticated]

    def post(self, request):
        Token.objects.filter(user=request.user).delete()
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReportTemplateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.ReportTemplateSerializer
    lookup_value_regex = ID_PATTERN
    permission_classes = [IsAuthenticated, UsesReports, MayUseTemplate]

    def get_queryset(self):
        if self.action == "list":
            return selectors.templates_for(self.request.user)
        return selectors.active_templates()

    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        template = self.get_object()
        params = serializers.GenerateReportSerializer(data=request.data, context={"template": template})
        params.is_valid(raise_exception=True)
        report = services.request_report(user=request.user, template=template, **params.validated_data)
        return Response(serializers.GeneratedReportSerializer(report).data, status=status.HTTP_202_ACCEPTED)


class GeneratedReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = serializers.GeneratedReportSerializer
    lookup_value_regex = ID_PATTERN
    permission_classes = [IsAuthenticated, UsesReports]

    def get_queryset(self):
        reports = selectors.reports_for(self.request.user)
        if self.action == "list":
            filters = serializers.ReportListFilterSerializer(data=self.request.query_params)
            filters.is_valid(raise_exception=True)
            reports = reports.filter(**filters.validated_data)
        return reports

    def perform_destroy(self, instance):
        services.delete_report(instance)

    @action(detail=True)
    def status(self, request, pk=None):
        return Response(serializers.ReportStatusSerializer(self.get_object()).data)

    @action(detail=True)
    def download(self, request, pk=None):
        report = self.get_object()
        try:
            served = services.open_report_file(report)
        except services.ReportExpired as error:
            raise Gone from error
        except services.ReportNotReady as error:
            raise Conflict(f"The report is {report.get_status_display().lower()}; it has no file yet.") from error
        response = FileResponse(served.file, as_attachment=True, filename=served.filename)
        response["Content-Type"] = served.content_type
        response["Content-Length"] = str(served.size)
        logger.info("Report %s downloaded", report.pk)
        return response

    @action(detail=False)
    def dashboard(self, request):
        return Response(serializers.DashboardSerializer(selectors.dashboard(request.user)).data)
