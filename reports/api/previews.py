"""The page's preview of a report and its dashboard charts: figures, tables and charts as shown."""

from django.utils.module_loading import import_string
from rest_framework import serializers

from reports import catalog, comparison
from reports.document import COUNT, RATE
from reports.presentation import is_numeric, present
from reports.renderers.cells import filters_text

# reports.charts draws with reportlab: resolved on the first preview, not when a web process starts.
PAGE_CHARTS = "reports.charts.page_charts"


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(help_text="The number (rates as fractions 0-1), text or null")
    text = serializers.CharField(help_text="The value as printed in the PDF")
    is_rate = serializers.BooleanField()
    compared = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Of a compared report: the earlier period's figure, its change, ... (``comparison.columns``)",
    )


class ComparisonSerializer(serializers.Serializer):
    period = serializers.DictField(help_text="The earlier period: label, start, end")
    columns = serializers.ListField(
        child=serializers.CharField(), help_text="The titles of a figure's columns: this period, the earlier, ..."
    )


class SummaryGroupSerializer(serializers.Serializer):
    title = serializers.CharField()
    keys = serializers.ListField(child=serializers.CharField(), help_text="The keys of its figures in ``summary``")


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
    left_out = serializers.CharField(
        required=False, help_text="Why a chart with data is not drawn (small-cell suppression), or empty"
    )


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
    record_count_label = serializers.CharField(help_text="What the record count counts: the label of its figure")
    notes = serializers.ListField(child=serializers.CharField())
    comparison = ComparisonSerializer(allow_null=True, help_text="The earlier period it is compared with, or null")
    summary = FigureSerializer(many=True)
    summary_groups = SummaryGroupSerializer(many=True, help_text="The figures under headings; empty: one list")
    sections = PreviewSectionSerializer(many=True)
    charts = ChartSerializer(many=True)


def preview(report, document):
    """The data of ``PreviewSerializer`` for a report and its document; charts from ``reports.charts``."""
    titles, figures = comparison.headline(document) if document.comparison else ([], {})
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
        "record_count_label": record_count_label(document),
        "notes": document.notes,
        "comparison": {"period": document.comparison["period"], "columns": titles} if document.comparison else None,
        "summary": [figure(document, key, figures.get(key)) for key in document.summary],
        "summary_groups": [{"title": title, "keys": keys} for title, keys in document.summary_groups.items()],
        "sections": sections,
        "charts": [chart.as_dict() for chart in import_string(PAGE_CHARTS)(document)],
    }


def record_count_label(document):
    """What a document's record count counts: the label of the summary figure it is ("Total visits"), from the
    report type's suppression rules; "Records" when it adds up several or the type is not declared."""
    if document.report_type not in catalog.REPORT_TYPES:
        return "Records"
    parts = catalog.get(document.report_type).suppression.record_count
    key = parts if isinstance(parts, str) else (parts[0] if len(parts) == 1 else None)
    return document.label(key) if key in document.summary else "Records"


def figure(document, key, compared=None):
    """A summary figure of ``FigureSerializer``; of a compared report, with the earlier period's (``compared``:
    ``comparison.headline``'s cells of the figure)."""
    kind = document.summary_kinds[key]
    cell = present(kind, document.summary[key])
    shown = {"key": key, "label": document.label(key), "value": cell.value, "text": cell.text, "is_rate": kind == RATE}
    if compared:
        shown["compared"] = [present(kind, value).text for kind, value in compared[1:]]
    return shown


class DashboardChartsSerializer(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["system"], help_text="Every user's reports (the System tab: ADMIN only)")
    charts = ChartSerializer(many=True)
