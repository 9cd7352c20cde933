"""Clinician workload: who attended the period's visits, how many patients they saw, and when the clinic is busy.

A visit is a medical or dental visit dated within the period; its clinician is the
user recorded as attending it (``attended_by``). Weekdays and hours are local.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import F, IntegerField, Value
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay

from patients.models import Patient
from reports import suppression
from reports.catalog import queries
from reports.catalog.filters import ChoiceFilter
from reports.catalog.report_type import ReportType
from reports.document import COUNT, NUMBER, RATE, TEXT, Chart, Content, Section, rate
from uscpis.roles import Role
from visits.models import DentalVisit, MedicalVisit

CLINICIAN_ROLES = tuple((role.value, role.label) for role in (Role.DOCTOR, Role.DENTIST, Role.NURSE))
FILTERS = {
    "visit_type": ChoiceFilter(queries.VISIT_TYPES, label="Visit type"),
    "clinician_role": ChoiceFilter(CLINICIAN_ROLES, label="Clinician role"),
}
MAX_CLINICIAN_ROWS = 200
DAYS = tuple(name.lower() for name in queries.WEEKDAYS)
CLINICIAN_COLUMNS = {
    "clinician": TEXT,
    "role": TEXT,
    "medical_visits": COUNT,
    "dental_visits": COUNT,
    "visits": COUNT,
    "patients": COUNT,
    "follow_ups": COUNT,
}
SUPPRESSION = suppression.Rules(
    counts=("total_visits", "attended_visits", "patients_seen", "follow_ups_requested"),
    shown=("clinicians",),
    derived={
        "unattended_share": suppression.rate(over="total_visits"),
        "visits_per_clinician": suppression.computed_from("attended_visits"),
    },
    within={"attended_visits": "total_visits", "follow_ups_requested": "total_visits"},
    record_count="total_visits",
    sections={
        "by_clinician": suppression.Table(
            shown=("clinician", "role"),
            counts=("medical_visits", "dental_visits", "visits", "patients", "follow_ups"),
            row_totals={"visits": ("medical_visits", "dental_visits")},
            totals={"visits": "attended_visits"},
            within={"follow_ups": "visits"},
        ),
        "by_hour": suppression.Table(shown=("hour",), counts=DAYS),
    },
    groups=(suppression.Group(tuple(suppression.Cells("by_hour", day) for day in DAYS), "total_visits"),),
)
FOLLOW_UPS = "SUM(CASE WHEN {follow_up} THEN 1 ELSE 0 END)"


def visits(params):
    """(medical, dental) visits of the period as filtered; a clinician role keeps the visits its clinicians attended."""
    medical, dental = queries.visit_querysets(params.period, params.filters)
    role = params.filters.get("clinician_role")
    if role:
        medical, dental = (table.filter(attended_by__groups__name=role) for table in (medical, dental))
    return medical, dental


def stacked(medical, dental):
    """Both tables' visits as the same columns: patient, clinician, follow-up, and 1 for a medical visit."""
    return [
        table.values(
            person=F("patient"),
            clinician=F("attended_by"),
            follow_up=F("follow_up_required"),
            medical=Value(int(table.model is MedicalVisit), output_field=IntegerField()),
        )
        for table in (medical, dental)
    ]


def clinician_rows(medical, dental):
    """One row per attending clinician, the most visits first: visits of each kind, patients seen, follow-ups.

    One grouped query over both tables, then the clinicians' names and roles (two small queries).
    """
    attended = [table.filter(attended_by__isnull=False) for table in (medical, dental)]
    counted = queries.stacked_aggregate(
        stacked(*attended), ["COUNT(*)", "SUM({medical})", "COUNT(DISTINCT {person})", FOLLOW_UPS], ["clinician"]
    )
    users = get_user_model().objects.filter(pk__in=[row[0] for row in counted])
    names = {user.pk: user.get_full_name() or user.get_username() for user in users}
    roles = {}
    labels = dict(CLINICIAN_ROLES)
    for user, name in Group.objects.filter(user__in=names, name__in=labels).values_list("user", "name"):
        roles.setdefault(user, []).append(str(labels[name]))
    rows = [
        [
            names[pk],
            ", ".join(sorted(roles.get(pk, []))) or "—",
            medical,
            visits - medical,
            visits,
            patients,
            follow_ups,
        ]
        for pk, visits, medical, patients, follow_ups in counted
    ]
    return sorted(rows, key=lambda row: (-row[4], row[0]))[:MAX_CLINICIAN_ROWS]


def hour_rows(medical, dental, period):
    """Rows of the local hours 00 to 23: the visits on each weekday, Monday to Sunday (one query over both tables)."""
    local = [
        table.values(
            hour=ExtractHour("visit_date", tzinfo=period.zone), day=ExtractIsoWeekDay("visit_date", tzinfo=period.zone)
        )
        for table in (medical, dental)
    ]
    counts = {
        (hour, day): visits for hour, day, visits in queries.stacked_aggregate(local, ["COUNT(*)"], ["hour", "day"])
    }
    return [[f"{hour:02d}", *(counts.get((hour, day), 0) for day in range(1, 8))] for hour in range(24)]


class ClinicianWorkload(ReportType):
    key = "CLINICIAN_WORKLOAD"
    name = "Clinician workload"
    description = (
        "Visits attended and patients seen per clinician, follow-ups requested, visits by weekday and hour, "
        "and the share of visits with no clinician recorded."
    )
    contents = "Visits and patients per clinician · follow-ups · weekday × hour heatmap · unattended share"
    reads = (Patient, MedicalVisit, DentalVisit, get_user_model(), Group, get_user_model().groups.through)
    summary_kinds = {
        "total_visits": COUNT,
        "attended_visits": COUNT,
        "unattended_share": RATE,
        "clinicians": COUNT,
        "visits_per_clinician": NUMBER,
        "patients_seen": COUNT,
        "follow_ups_requested": COUNT,
    }
    filters = FILTERS
    suppression = SUPPRESSION
    roles = (Role.ADMIN,)

    def compute(self, params, *, headline_only=False):
        medical, dental = visits(params)
        totals = queries.stacked_aggregate(
            stacked(medical, dental),
            ["COUNT(*)", "COUNT({clinician})", "COUNT(DISTINCT {clinician})", "COUNT(DISTINCT {person})", FOLLOW_UPS],
        )
        total, attended, clinicians, patients, follow_ups = (totals or [(0, 0, 0, 0, 0)])[0]
        follow_ups = follow_ups or 0
        figures = {
            "total_visits": total,
            "attended_visits": attended,
            "unattended_share": None if params.filters.get("clinician_role") else rate(total - attended, total),
            "clinicians": clinicians,
            "visits_per_clinician": round(attended / clinicians, 1) if clinicians else None,
            "patients_seen": patients,
            "follow_ups_requested": follow_ups,
        }
        if headline_only:
            return Content(record_count=total, summary=figures)
        params.progress(0.4)
        by_clinician = clinician_rows(medical, dental)
        params.progress(0.7)
        by_hour = hour_rows(medical, dental, params.period)
        params.progress(1)
        notes = [] if total else ["No data in this period."]
        if clinicians > MAX_CLINICIAN_ROWS:
            notes.append(
                f"The clinician table lists the {MAX_CLINICIAN_ROWS} clinicians with the most visits of {clinicians}; "
                "the summary and the heatmap cover them all."
            )
        if params.filters.get("clinician_role"):
            notes.append("Narrowed to a clinician role, every visit counted has a clinician: no unattended share.")
        return Content(
            record_count=total,
            summary=figures,
            sections=[
                Section("by_clinician", "Visits per clinician", CLINICIAN_COLUMNS, by_clinician),
                Section(
                    "by_hour",
                    "Visits by hour and weekday",
                    {"hour": TEXT, **dict.fromkeys(DAYS, COUNT)},
                    by_hour,
                    compared=False,  # a grid: one period's shading
                ),
            ],
            charts=[
                Chart("by_clinician", "Visits per clinician", "bar", "by_clinician", "clinician", ["visits"]),
                Chart("by_hour", "Visits by hour and weekday", "heatmap", "by_hour", "hour", list(DAYS)),
            ],
            notes=notes,
            labels={
                "unattended_share": "Visits with no clinician recorded",
                "follow_ups": "Follow-ups",
                "follow_ups_requested": "Follow-ups requested",
                "hour": "Hour",
            },
        )
