"""pdf renderer (to be written)."""

EXTENSION = "pdf"
CONTENT_TYPE = "application/octet-stream"


def render(document):
    raise NotImplementedError
