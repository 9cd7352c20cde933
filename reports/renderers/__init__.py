"""The export formats: one module each, turning any ``ReportDocument`` into bytes.

Every module defines ``EXTENSION`` and ``CONTENT_TYPE`` (its ``FILE_TYPES`` entry) and
``render(document)``. No renderer knows a report type. ``get`` imports a format's module on
first use, by its dotted path (as Django resolves a storage backend), so a process that renders
nothing, such as the web server answering API calls, never loads reportlab or xlsxwriter.
"""

from importlib import import_module
from typing import NamedTuple

from reports.models import ExportFormat


class FileType(NamedTuple):
    extension: str
    content_type: str


FILE_TYPES = {
    ExportFormat.PDF: FileType("pdf", "application/pdf"),
    ExportFormat.EXCEL: FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ExportFormat.CSV: FileType("csv", "text/csv; charset=utf-8"),
    ExportFormat.JSON: FileType("json", "application/json"),
}
RENDERERS = {
    ExportFormat.PDF: "reports.renderers.pdf",
    ExportFormat.EXCEL: "reports.renderers.excel",
    ExportFormat.CSV: "reports.renderers.csv",
    ExportFormat.JSON: "reports.renderers.json",
}


def get(export_format):
    """The renderer module of a format, imported on first use."""
    return import_module(RENDERERS[export_format])
