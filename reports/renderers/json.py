"""JSON: the canonical form of a report document."""

import json

from reports.models import ExportFormat

from . import FILE_TYPES

EXTENSION, CONTENT_TYPE = FILE_TYPES[ExportFormat.JSON]


def render(document):
    return json.dumps(document.as_dict(), ensure_ascii=False, indent=2).encode("utf-8")
