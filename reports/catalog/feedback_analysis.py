"""Feedback analysis report (to be written)."""

REPORT_TYPE = "FEEDBACK_ANALYSIS"
NAME = "Feedback analysis"
DESCRIPTION = ""
FILTERS = {}


def build(params):
    raise NotImplementedError
