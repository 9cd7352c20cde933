"""Visit trends report (to be written)."""

REPORT_TYPE = "VISIT_TRENDS"
NAME = "Visit trends"
DESCRIPTION = ""
FILTERS = {}


def build(params):
    raise NotImplementedError
