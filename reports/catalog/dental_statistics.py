"""Dental statistics report (to be written)."""

REPORT_TYPE = "DENTAL_STATISTICS"
NAME = "Dental statistics"
DESCRIPTION = ""
FILTERS = {}


def build(params):
    raise NotImplementedError
