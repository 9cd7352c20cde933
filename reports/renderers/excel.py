"""excel renderer (to be written)."""

EXTENSION = "excel"
CONTENT_TYPE = "application/octet-stream"


def render(document):
    raise NotImplementedError
