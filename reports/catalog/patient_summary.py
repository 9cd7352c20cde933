"""Patient summary: how many patients the clinic has, how many are new and active, and who they are.

The population of the sections is every patient registered before the end of the
period (``total_patients``), narrowed by the filters; ages are taken on the
period's last day.
"""

from django.db.models import Count, Q

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


def population(params):
    """Patients matching the filters registered before the period's end."""
    return selectors.patients(params.filters).filter(registered_at__lt=params.period.ends_before)


def summary(params):
    """Headline counts: total_patients, new_registrations, active_patients (one query)."""
    period, filters = params.period, params.filters
    visited = selectors.has_visit_q(selectors.medical_visits(period, filters), selectors.dental_visits(period, filters))
    return selectors.patients(filters).aggregate(
        total_patients=Count("pk", filter=Q(registered_at__lt=period.ends_before)),
        new_registrations=Count("pk", filter=Q(**period.lookup("registered_at"))),
        active_patients=Count("pk", filter=visited),
    )


def _section(key, title, counts, labels, total):
    rows = [[str(labels.get(value, value)), count, rate(count, total)] for value, count in counts.items()]
    return Section(key, title, ["group", "patients", "share"], rows)


def build(params):
    """The patient summary document."""
    figures = summary(params)
    total = figures["total_patients"]
    patients = population(params)
    sex = selectors.choice_counts(patients, "sex", selectors.SEX_CHOICES)
    sections = [_section("by_sex", "Patients by sex", sex, dict(selectors.SEX_CHOICES), total)]
    params.progress(1 / 3)
    ages = selectors.age_band_counts(patients, params.period.end)
    sections.append(_section("by_age_band", "Patients by age band", ages, {}, total))
    params.progress(2 / 3)
    types = selectors.choice_counts(patients, "patient_type", selectors.PATIENT_TYPE_CHOICES)
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
