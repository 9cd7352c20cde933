"""Patient summary: how many patients the clinic has, how many are new and active, and who they are.

The population of the sections is every patient registered before the end of the
period (``total_patients``), narrowed by the filters; ages are taken on the
period's last day.
"""

from django.db.models import Count, Q

from patients.models import Patient
from reports import suppression
from reports.catalog import queries
from reports.catalog.filters import ChoiceFilter, TextFilter
from reports.catalog.report_type import ReportType
from reports.document import COUNT, RATE, TEXT, Chart, Content, Section, rate
from uscpis.roles import Role
from visits.models import DentalVisit, MedicalVisit

FILTERS = {
    "sex": ChoiceFilter(queries.SEX_CHOICES, label="Sex"),
    "patient_type": ChoiceFilter(queries.PATIENT_TYPE_CHOICES, label="Patient type"),
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
    """Aggregates of the headline counts."""
    return {
        "total_patients": Count("pk", filter=Q(registered_at__lt=period.ends_before)),
        "new_registrations": Count("pk", filter=Q(**period.lookup("registered_at"))),
    }


def _breakdown_counts(period):
    """Aggregates of the registered population by sex, age band on the last day and patient type."""
    registered = Q(registered_at__lt=period.ends_before)
    counts = {f"sex_{value}": Count("pk", filter=registered & Q(sex=value)) for value, _ in queries.SEX_CHOICES}
    for label, low, high in queries.AGE_BANDS:
        counts[f"age_{label}"] = Count("pk", filter=registered & queries.age_band_q(period.end, low, high))
    for value, _ in queries.PATIENT_TYPE_CHOICES:
        counts[f"type_{value}"] = Count("pk", filter=registered & Q(patient_type=value))
    return counts


def _section(key, title, counts, labels, total):
    rows = [[str(labels.get(value, value)), count, rate(count, total)] for value, count in counts.items()]
    return Section(key, title, {"group": TEXT, "patients": COUNT, "share": RATE}, rows)


class PatientSummary(ReportType):
    key = "PATIENT_SUMMARY"
    name = "Patient summary"
    description = (
        "Registered, newly registered and active patients, "
        "and the registered patients by sex, age band and patient type."
    )
    contents = "Total, new and active patients · by sex, age band and patient type"
    reads = (Patient, MedicalVisit, DentalVisit)
    summary_kinds = {"total_patients": COUNT, "new_registrations": COUNT, "active_patients": COUNT}
    filters = FILTERS
    suppression = SUPPRESSION
    roles = (Role.ADMIN, Role.DOCTOR, Role.DENTIST, Role.NURSE, Role.STAFF)

    def compute(self, params, *, headline_only=False):
        """The counts and breakdowns in one pass over the patients, then the active ones."""
        breakdowns = {} if headline_only else _breakdown_counts(params.period)
        counts = queries.patients(params.filters).aggregate(**_summary_counts(params.period), **breakdowns)
        counts["active_patients"] = queries.patients_seen(params)
        figures = {key: counts[key] for key in ("total_patients", "new_registrations", "active_patients")}
        total = figures["total_patients"]
        if headline_only:
            return Content(record_count=total, summary=figures)
        sex = {value: counts[f"sex_{value}"] for value, _ in queries.SEX_CHOICES}
        sections = [_section("by_sex", "Patients by sex", sex, dict(queries.SEX_CHOICES), total)]
        params.progress(1 / 3)
        ages = {label: counts[f"age_{label}"] for label, _, _ in queries.AGE_BANDS}
        sections.append(_section("by_age_band", "Patients by age band", ages, {}, total))
        params.progress(2 / 3)
        types = {value: counts[f"type_{value}"] for value, _ in queries.PATIENT_TYPE_CHOICES}
        sections.append(
            _section("by_patient_type", "Patients by type", types, dict(queries.PATIENT_TYPE_CHOICES), total)
        )
        params.progress(1)
        charts = [
            Chart("by_sex", "Patients by sex", "pie", "by_sex", "group", ["patients"]),
            Chart("by_age_band", "Patients by age band", "bar", "by_age_band", "group", ["patients"]),
            Chart("by_patient_type", "Patients by type", "pie", "by_patient_type", "group", ["patients"]),
        ]
        notes = [
            "Sections describe the patients registered by the end of the period; ages are on the period's last day."
        ]
        if not (figures["new_registrations"] or figures["active_patients"]):
            notes.insert(0, "No data in this period.")
        return Content(
            record_count=total,
            summary=figures,
            sections=sections,
            charts=charts,
            notes=notes,
            labels={"group": "Group"},
        )
