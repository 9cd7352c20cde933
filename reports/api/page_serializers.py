"""Serializers of the API actions the /reports page needs: cards, bulk status, preview, retry, export, charts."""

import re

from django.utils.module_loading import import_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports import catalog
from reports.api.serializers import ReportTemplateSerializer, TemplateFormatField
from reports.document import COUNT, RATE
from reports.presentation import is_numeric, present
from reports.renderers.cells import filters_text

MAX_STATUS_IDS = 100
# reports.charts draws with reportlab: resolved on the first preview, not when a web process starts.
PAGE_CHARTS = "reports.charts.page_charts"
# An id is 1-18 ASCII digits (it fits the database's bigint), as in URLs.
REPORT_ID = re.compile(r"[0-9]{1,18}")


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


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(help_text="The number (rates as fractions 0-1), text or null")
    text = serializers.CharField(help_text="The value as printed in the PDF")
    is_rate = serializers.BooleanField()


class PreviewSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField(), help_text="Column labels")
    numeric = serializers.ListField(child=serializers.BooleanField(), help_text="Which columns hold numbers")
    rows = serializers.ListField(child=serializers.ListField(child=serializers.CharField()), help_text="As printed")


class ChartSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField(help_text="What the chart shows, in words")
    svg = serializers.CharField(help_text="Inline SVG markup, or empty when there is nothing to draw")


class PreviewSerializer(serializers.Serializer):
    """A completed report's stored document as the page shows it: figures, tables and charts."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    report_type = serializers.CharField()
    export_format = serializers.CharField()
    period = serializers.DictField()
    filters = serializers.CharField(help_text="The filters in words")
    generated_at = serializers.CharField()
    record_count = serializers.JSONField(help_text="A whole number, or the marker of a suppressed small count")
    notes = serializers.ListField(child=serializers.CharField())
    summary = FigureSerializer(many=True)
    sections = PreviewSectionSerializer(many=True)
    charts = ChartSerializer(many=True)


def preview(report, document):
    """The data of ``PreviewSerializer`` for a report and its document; charts from ``reports.charts``."""
    sections = []
    for section in document.sections:
        kinds, rows = [section.kinds[column] for column in section.columns], section.rows
        sections.append(
            {
                "key": section.key,
                "title": section.title,
                "columns": [document.label(column) for column in section.columns],
                "numeric": [is_numeric(kind) for kind in kinds],
                "rows": [[present(kind, value).text for kind, value in zip(kinds, row, strict=True)] for row in rows],
            }
        )
    return {
        "id": report.pk,
        "title": document.title,
        "report_type": document.report_type,
        "export_format": report.export_format,
        "period": document.period,
        "filters": filters_text(document),
        "generated_at": document.generated_at,
        "record_count": present(COUNT, document.record_count).value,
        "notes": document.notes,
        "summary": [figure(document, key) for key in document.summary],
        "sections": sections,
        "charts": [chart.as_dict() for chart in import_string(PAGE_CHARTS)(document)],
    }


def figure(document, key):
    """A summary figure of ``FigureSerializer``."""
    kind = document.summary_kinds[key]
    cell = present(kind, document.summary[key])
    return {"key": key, "label": document.label(key), "value": cell.value, "text": cell.text, "is_rate": kind == RATE}


class DashboardChartsSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["system", "own"], help_text="system: every user's reports (ADMIN)")
    charts = ChartSerializer(many=True)
