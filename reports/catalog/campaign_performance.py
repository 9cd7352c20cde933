"""Campaign performance report (to be written)."""

REPORT_TYPE = "CAMPAIGN_PERFORMANCE"
NAME = "Campaign performance"
DESCRIPTION = ""
FILTERS = {}


def build(params):
    raise NotImplementedError
