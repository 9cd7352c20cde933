"""Patient summary: how many patients the clinic has, how many are new and active, and who they are.

The population of the sections is every patient registered before the end of the
period (``total_patients``), narrowed by the filters; ages are taken on the
period's last day.
"""

from django.db.models import Count, Q

from reports import suppression
from reports.document import Chart, Section, rate

from . import selectors
from .base import document
from .filters import ChoiceFilter, TextFilter

REPORT_TYPE = "PATIENT_SUMMARY"
NAME = "Patient summary"
DESCRIPTION = (
    "Registered, newly registered and active patients, and the registered patients by sex, age band and patient type."
)
FILTERS = {
    "sex": ChoiceFilter(selectors.SEX_CHOICES, label="Sex"),
    "patient_type": ChoiceFilter(selectors.PATIENT_TYPE_CHOICES, label="Patient type"),
    "department": TextFilter(label="Department"),
}
SUPPRESSION = suppression.Rules(
    counts=("total_patients", "new_registrations", "active_patients"),
    within={"new_registrations": "total_patients"},
    record_count="total_patients",
    sections={
        key: suppression.Table(
            shown=("group",),
            counts=("patients",),
            derived={"share": suppression.rate("patients", over="total_patients")},
            totals={"patients": "total_patients"},
        )
        for key in ("by_sex", "by_age_band", "by_patient_type")
    },
)


def _summary_counts(period):
    """Aggregates of the headline counts (see ``summary``)."""
    return {
        "total_patients": Count("pk", filter=Q(registered_at__lt=period.ends_before)),
        "new_registrations": Count("pk", filter=Q(**period.lookup("registered_at"))),
    }


def _active(params):
    period, filters = params.period, params.filters
    return selectors.unique_patients(
        selectors.medical_visits(period, filters), selectors.dental_visits(period, filters)
    )


def summary(params):
    """Headline counts: total_patients, new_registrations, active_patients (two queries)."""
    counts = selectors.patients(params.filters).aggregate(**_summary_counts(params.period))
    return {**counts, "active_patients": _active(params)}


def _breakdown_counts(period):
    """Aggregates of the registered population by sex, age band on the last day and patient type."""
    registered = Q(registered_at__lt=period.ends_before)
    counts = {f"sex_{value}": Count("pk", filter=registered & Q(sex=value)) for value, _ in selectors.SEX_CHOICES}
    for label, low, high in selectors.AGE_BANDS:
        counts[f"age_{label}"] = Count("pk", filter=registered & selectors.age_band_q(period.end, low, high))
    for value, _ in selectors.PATIENT_TYPE_CHOICES:
        counts[f"type_{value}"] = Count("pk", filter=registered & Q(patient_type=value))
    return counts


def _section(key, title, counts, labels, total):
    rows = [[str(labels.get(value, value)), count, rate(count, total)] for value, count in counts.items()]
    return Section(key, title, ["group", "patients", "share"], rows)


def build(params):
    """The patient summary document: the counts and breakdowns in one pass over the patients, then the active ones."""
    counts = selectors.patients(params.filters).aggregate(
        **_summary_counts(params.period), **_breakdown_counts(params.period)
    )
    counts["active_patients"] = _active(params)
    figures = {key: counts[key] for key in ("total_patients", "new_registrations", "active_patients")}
    total = figures["total_patients"]
    sex = {value: counts[f"sex_{value}"] for value, _ in selectors.SEX_CHOICES}
    sections = [_section("by_sex", "Patients by sex", sex, dict(selectors.SEX_CHOICES), total)]
    params.progress(1 / 3)
    ages = {label: counts[f"age_{label}"] for label, _, _ in selectors.AGE_BANDS}
    sections.append(_section("by_age_band", "Patients by age band", ages, {}, total))
    params.progress(2 / 3)
    types = {value: counts[f"type_{value}"] for value, _ in selectors.PATIENT_TYPE_CHOICES}
    sections.append(_section("by_patient_type", "Patients by type", types, dict(selectors.PATIENT_TYPE_CHOICES), total))
    params.progress(1)
    charts = [
        Chart("by_sex", "Patients by sex", "pie", "by_sex", "group", ["patients"]),
        Chart("by_age_band", "Patients by age band", "bar", "by_age_band", "group", ["patients"]),
        Chart("by_patient_type", "Patients by type", "pie", "by_patient_type", "group", ["patients"]),
    ]
    notes = ["Sections describe the patients registered by the end of the period; ages are on the period's last day."]
    if not (figures["new_registrations"] or figures["active_patients"]):
        notes.insert(0, "No data in this period.")
    return document(
        params,
        REPORT_TYPE,
        NAME,
        record_count=total,
        summary=figures,
        sections=sections,
        charts=charts,
        notes=notes,
        labels={"group": "Group"},
    )
