"""The export formats: one module each, turning any ``ReportDocument`` into bytes.

Every module defines ``EXTENSION``, ``CONTENT_TYPE`` and ``render(document)``.
No renderer knows a report type.
"""

from django.db import models

from . import csv, excel, json, pdf

RENDERERS = {"PDF": pdf, "EXCEL": excel, "CSV": csv, "JSON": json}


class ExportFormat(models.TextChoices):
    PDF = "PDF", "PDF"
    EXCEL = "EXCEL", "Excel"
    CSV = "CSV", "CSV"
    JSON = "JSON", "JSON"


def get(export_format):
    return RENDERERS[export_format]
