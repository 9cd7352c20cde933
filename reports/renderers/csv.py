"""csv renderer (to be written)."""

EXTENSION = "csv"
CONTENT_TYPE = "application/octet-stream"


def render(document):
    raise NotImplementedError
