"""Comprehensive analytics report (to be written)."""

REPORT_TYPE = "COMPREHENSIVE_ANALYTICS"
NAME = "Comprehensive analytics"
DESCRIPTION = ""
FILTERS = {}


def build(params):
    raise NotImplementedError
