"""Patient summary report (to be written)."""

REPORT_TYPE = "PATIENT_SUMMARY"
NAME = "Patient summary"
DESCRIPTION = ""
FILTERS = {}


def build(params):
    raise NotImplementedError
