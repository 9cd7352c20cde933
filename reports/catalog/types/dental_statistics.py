"""Dental statistics: procedures, preventive care, oral health and pain of dental visits in a period."""

from django.db.models import Avg, Count, Q

from patients.models import Patient
from reports import suppression
from reports.catalog import queries
from reports.catalog.breakdowns import STEP, by_step, choice_rows, step_column, step_labels
from reports.catalog.filters import ChoiceFilter
from reports.catalog.report_type import ReportType
from reports.document import COUNT, PAIN, RATE, TEXT, Chart, Content, Section, rate
from reports.periods import Series
from uscpis.roles import Role
from visits.models import PREVENTIVE_PROCEDURES, DentalProcedure, DentalVisit, GumCondition, OralHygiene, Priority

FILTERS = {
    "sex": ChoiceFilter(queries.SEX_CHOICES, label="Sex"),
    "patient_type": ChoiceFilter(queries.PATIENT_TYPE_CHOICES, label="Patient type"),
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
SUPPRESSION = suppression.Rules(
    counts=("dental_visits", "unique_patients", "preventive_visits", "visits_with_pain_level"),
    derived={
        "preventive_care_rate": suppression.rate("preventive_visits", over="dental_visits"),
        "average_pain_level": suppression.computed_from("visits_with_pain_level"),
    },
    within={"preventive_visits": "dental_visits", "visits_with_pain_level": "dental_visits"},
    record_count="dental_visits",
    sections={
        **{
            key: suppression.Table(
                shown=(field,),
                counts=("visits",),
                derived={"share": suppression.rate("visits", over="dental_visits")},
                totals={"visits": "dental_visits"},
            )
            for key, _, field, _ in DISTRIBUTIONS
        },
        "over_time": suppression.Table(
            shown=(STEP,),
            counts=("visits", "patients", "preventive_visits"),
            totals={"visits": "dental_visits", "preventive_visits": "preventive_visits"},
            within={"preventive_visits": "visits"},
        ),
    },
    groups=(
        suppression.Group(
            (suppression.Cells("procedures", "visits", rows=tuple(value.label for value in PREVENTIVE_PROCEDURES)),),
            "preventive_visits",
        ),
    ),
)


def visits(params):
    """Dental visits in the period, narrowed by the report's filters."""
    queryset = queries.dental_visits(params.period, params.filters)
    if "procedure" in params.filters:
        queryset = queryset.filter(procedure=params.filters["procedure"])
    return queryset


SUMMARY = {
    "dental_visits": Count("id"),
    "unique_patients": Count("patient", distinct=True),
    "preventive_visits": Count("id", filter=PREVENTIVE),
    "visits_with_pain_level": Count("id", filter=Q(pain_level__isnull=False)),
    "average_pain_level": Avg("pain_level"),
}


def _summary(figures):
    figures = {key: figures[key] for key in SUMMARY}
    figures["preventive_care_rate"] = rate(figures["preventive_visits"], figures["dental_visits"])
    if figures["average_pain_level"] is not None:
        figures["average_pain_level"] = round(figures["average_pain_level"], 2)
    return figures


def _distribution_counts(key, field, choices):
    return {f"{key}_{i}": Count("id", filter=Q(**{field: value})) for i, (value, _) in enumerate(choices)}


class DentalStatistics(ReportType):
    key = "DENTAL_STATISTICS"
    name = "Dental statistics"
    description = (
        "Dental visits and patients seen, preventive care rate, procedures, oral hygiene, gum condition, "
        "priority and pain level, over time."
    )
    contents = "Preventive-care rate, pain level · procedures, oral hygiene, gum condition, priority"
    reads = (Patient, DentalVisit)
    summary_kinds = {
        "dental_visits": COUNT,
        "unique_patients": COUNT,
        "preventive_visits": COUNT,
        "visits_with_pain_level": COUNT,
        "average_pain_level": PAIN,
        "preventive_care_rate": RATE,
    }
    filters = FILTERS
    suppression = SUPPRESSION
    roles = (Role.ADMIN, Role.DENTIST)

    def compute(self, params, *, headline_only=False):
        queryset = visits(params)
        # The summary and every distribution in one pass over the period's visits.
        distributions = (
            {}
            if headline_only
            else {
                name: aggregate
                for key, _, field, choices in DISTRIBUTIONS
                for name, aggregate in _distribution_counts(key, field, choices).items()
            }
        )
        counted = queryset.aggregate(**SUMMARY, **distributions)
        figures = _summary(counted)
        if headline_only:
            return Content(record_count=figures["dental_visits"], summary=figures)
        params.progress(0.15)

        sections = []
        charts = []
        for key, title, field, choices in DISTRIBUTIONS:
            counts = {value: counted[f"{key}_{i}"] for i, (value, _) in enumerate(choices)}
            rows = choice_rows(counts, choices)
            sections.append(Section(key, title, {field: TEXT, "visits": COUNT, "share": RATE}, rows))
            charts.append(Chart(key, title, "bar", key, field, ["visits"]))
            params.progress(0.15 + 0.175 * len(sections))

        over_time = Series.of(
            params.period, queries.first_day(params, "first_dental_visit", (DentalVisit, "visit_date"))
        )
        rows = by_step(
            queryset,
            "visit_date",
            over_time,
            visits=Count("id"),
            patients=Count("patient", distinct=True),
            preventive_visits=Count("id", filter=PREVENTIVE),
        )
        columns = {**step_column(over_time), "visits": COUNT, "patients": COUNT, "preventive_visits": COUNT}
        title = f"Visits by {over_time.unit}"
        sections.append(Section("over_time", title, columns, rows))
        charts.append(Chart("over_time", title, "line", "over_time", STEP, ["visits", "preventive_visits"], "Visits"))
        params.progress(0.95)

        return Content(
            record_count=figures["dental_visits"],
            summary=figures,
            sections=sections,
            charts=charts,
            notes=[*over_time.notes, *([] if figures["dental_visits"] else ["No data in this period."])],
            labels=step_labels(over_time),
        )
