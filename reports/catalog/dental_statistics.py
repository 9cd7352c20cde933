"""Dental statistics: procedures, preventive care, oral health and pain of dental visits in a period."""

from django.db.models import Avg, Count, Q

from reports.document import Chart, Section, rate
from visits.models import PREVENTIVE_PROCEDURES, DentalProcedure, GumCondition, OralHygiene, Priority

from . import base, selectors
from .breakdowns import by_month, choice_rows
from .filters import ChoiceFilter

REPORT_TYPE = "DENTAL_STATISTICS"
NAME = "Dental statistics"
DESCRIPTION = (
    "Dental visits and patients seen, preventive care rate, procedures, oral hygiene, gum condition, "
    "priority and pain level, by month."
)
FILTERS = {
    "sex": ChoiceFilter(selectors.SEX_CHOICES, label="Sex"),
    "patient_type": ChoiceFilter(selectors.PATIENT_TYPE_CHOICES, label="Patient type"),
    "procedure": ChoiceFilter(DentalProcedure.choices, label="Procedure"),
}

NOT_RECORDED = "Not recorded"
PREVENTIVE = Q(procedure__in=PREVENTIVE_PROCEDURES)

# (section key, title, field, choices); blank oral hygiene and gum condition are "Not recorded".
DISTRIBUTIONS = (
    ("procedures", "Procedures", "procedure", DentalProcedure.choices),
    ("oral_hygiene", "Oral hygiene", "oral_hygiene", [*OralHygiene.choices, ("", NOT_RECORDED)]),
    ("gum_condition", "Gum condition", "gum_condition", [*GumCondition.choices, ("", NOT_RECORDED)]),
    ("priority", "Priority", "priority", Priority.choices),
)


def visits(params):
    """Dental visits in the period, narrowed by the report's filters."""
    queryset = selectors.dental_visits(params.period, params.filters)
    if "procedure" in params.filters:
        queryset = queryset.filter(procedure=params.filters["procedure"])
    return queryset


def summary(params):
    """The headline figures: visits, patients, preventive care rate and average pain level."""
    figures = visits(params).aggregate(
        dental_visits=Count("id"),
        unique_patients=Count("patient", distinct=True),
        preventive_visits=Count("id", filter=PREVENTIVE),
        visits_with_pain_level=Count("id", filter=Q(pain_level__isnull=False)),
        average_pain_level=Avg("pain_level"),
    )
    figures["preventive_care_rate"] = rate(figures["preventive_visits"], figures["dental_visits"])
    if figures["average_pain_level"] is not None:
        figures["average_pain_level"] = round(figures["average_pain_level"], 2)
    return figures


def build(params):
    queryset = visits(params)
    figures = summary(params)
    params.progress(0.15)

    sections = []
    charts = []
    for key, title, field, choices in DISTRIBUTIONS:
        rows = choice_rows(selectors.choice_counts(queryset, field, choices), choices)
        sections.append(Section(key, title, [field, "visits", "share"], rows))
        charts.append(Chart(key, title, "bar", key, field, ["visits"]))
        params.progress(0.15 + 0.175 * len(sections))

    monthly = by_month(
        queryset,
        "visit_date",
        params.period,
        visits=Count("id"),
        patients=Count("patient", distinct=True),
        preventive_visits=Count("id", filter=PREVENTIVE),
    )
    sections.append(Section("monthly", "Monthly", ["month", "visits", "patients", "preventive_visits"], monthly))
    charts.append(Chart("monthly", "Visits per month", "line", "monthly", "month", ["visits", "preventive_visits"]))
    params.progress(0.95)

    return base.document(
        params,
        REPORT_TYPE,
        NAME,
        record_count=figures["dental_visits"],
        summary=figures,
        sections=sections,
        charts=charts,
        notes=[] if figures["dental_visits"] else ["No data in this period."],
    )
