"""Medical statistics report (to be written)."""

REPORT_TYPE = "MEDICAL_STATISTICS"
NAME = "Medical statistics"
DESCRIPTION = ""
FILTERS = {}


def build(params):
    raise NotImplementedError
