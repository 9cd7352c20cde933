"""The report types: one module each, turning ``ReportParams`` into a ``ReportDocument``.

Every module defines ``REPORT_TYPE``, ``NAME``, ``DESCRIPTION``, ``FILTERS``
(see ``filters``) and ``build(params)``. Adding a report type is one module
here plus its tests and a line in ``MODULES``.
"""

from django.db import models

from . import (
    campaign_performance,
    comprehensive_analytics,
    dental_statistics,
    feedback_analysis,
    medical_statistics,
    patient_summary,
    treatment_outcomes,
    visit_trends,
)

MODULES = (
    patient_summary,
    visit_trends,
    treatment_outcomes,
    feedback_analysis,
    comprehensive_analytics,
    medical_statistics,
    dental_statistics,
    campaign_performance,
)

REPORT_TYPES = {module.REPORT_TYPE: module for module in MODULES}

ReportType = models.TextChoices(
    "ReportType", [(module.REPORT_TYPE, (module.REPORT_TYPE, module.NAME)) for module in MODULES]
)


def get(report_type):
    return REPORT_TYPES[report_type]
