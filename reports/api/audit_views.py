"""The audit trail for ADMIN: filterable, paginated as JSON or downloaded as CSV."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated

from reports.api import schema
from reports.api.anonymous import AnonymousThrottleMixin
from reports.api.permissions import IsClinicAdmin
from reports.audit import COLUMNS, csv_filename, csv_lines
from reports.models import AccessAction, AccessOutcome, ReportAccessEvent


class AccessEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportAccessEvent
        fields = ["id", *COLUMNS]
        read_only_fields = fields


class AccessEventFilterSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=AccessAction.choices, required=False)
    outcome = serializers.ChoiceField(choices=AccessOutcome.choices, required=False)
    username = serializers.CharField(required=False, max_length=150)
    report_id = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    occurred_after = serializers.DateTimeField(required=False)
    occurred_before = serializers.DateTimeField(required=False)

    def lookups(self):
        names = {"occurred_after": "occurred_at__gte", "occurred_before": "occurred_at__lt"}
        return {names.get(key, key): value for key, value in self.validated_data.items()}


ADMIN_ERRORS = {400: schema.ValidationErrors, 401: schema.NOT_AUTHENTICATED, 403: schema.FORBIDDEN}


@extend_schema_view(
    list=extend_schema(
        parameters=[AccessEventFilterSerializer],
        responses={200: AccessEventSerializer(many=True), **ADMIN_ERRORS, 404: schema.NO_SUCH_PAGE},
    ),
)
class AccessEventViewSet(AnonymousThrottleMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Who tried to generate, download or delete which report, and what happened (ADMIN only)."""

    serializer_class = AccessEventSerializer
    permission_classes = [IsAuthenticated, IsClinicAdmin]

    def get_queryset(self):
        filters = AccessEventFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return ReportAccessEvent.objects.filter(**filters.lookups())

    @extend_schema(
        parameters=[AccessEventFilterSerializer],
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.BINARY, description="CSV"), **ADMIN_ERRORS},
    )
    @action(detail=False)
    def download(self, request):
        """The filtered events as a CSV file."""
        response = StreamingHttpResponse(csv_lines(self.get_queryset()), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{csv_filename()}"'
        return response

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=force or self.action == "download")
