"""Treatment outcomes report (to be written)."""

REPORT_TYPE = "TREATMENT_OUTCOMES"
NAME = "Treatment outcomes"
DESCRIPTION = ""
FILTERS = {}


def build(params):
    raise NotImplementedError
