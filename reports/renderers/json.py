"""JSON: the canonical form of a report document."""

import json

EXTENSION = "json"
CONTENT_TYPE = "application/json"


def render(document):
    return json.dumps(document.as_dict(), ensure_ascii=False, indent=2).encode("utf-8")
