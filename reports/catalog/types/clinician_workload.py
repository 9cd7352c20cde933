"""Clinician workload: who attended the period's visits, how many patients they saw, and when the clinic is busy.

A visit is a medical or dental visit dated within the period; its clinician is the
user recorded as attending it (``attended_by``). Weekdays and hours are local.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Count, F, IntegerField, Q, Value

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
SUMMARY = {
    "visits": Count("pk"),
    "attended": Count("pk", filter=Q(attended_by__isnull=False)),
    "follow_ups": Count("pk", filter=Q(follow_up_required=True)),
}


def visits(params):
    """(medical, dental) visits of the period as filtered; a clinician role keeps the visits its clinicians attended."""
    medical, dental = queries.visit_querysets(params.period, params.filters)
    role = params.filters.get("clinician_role")
    if role:
        medical, dental = (table.filter(attended_by__groups__name=role) for table in (medical, dental))
    return medical, dental


def clinician_rows(medical, dental):
    """One row per attending clinician, the most visits first: visits of each kind, patients seen, follow-ups."""
    none = Value(0, output_field=IntegerField())
    per_table = [
        table.filter(attended_by__isnull=False)
        .values(clinician=F("attended_by"))
        .annotate(
            visits=Count("pk"),
            medical_visits=Count("pk") if table.model is MedicalVisit else none,
            dental_visits=Count("pk") if table.model is DentalVisit else none,
            follow_ups=Count("pk", filter=Q(follow_up_required=True)),
        )
        for table in (medical, dental)
    ]
    counted = queries.top_groups(
        per_table,
        keys=["clinician"],
        sums=["visits", "medical_visits", "dental_visits", "follow_ups"],
        order_by="visits",
        limit=MAX_CLINICIAN_ROWS,
    )
    patients = patients_per_clinician(medical, dental)
    users = get_user_model().objects.filter(pk__in=[row["clinician"] for row in counted])
    names = {user.pk: user.get_full_name() or user.get_username() for user in users}
    roles = {}
    labels = dict(CLINICIAN_ROLES)
    for user, name in Group.objects.filter(user__in=names, name__in=labels).values_list("user", "name"):
        roles.setdefault(user, []).append(str(labels[name]))
    rows = [
        [
            names[row["clinician"]],
            ", ".join(sorted(roles.get(row["clinician"], []))) or "—",
            row["medical_visits"],
            row["dental_visits"],
            row["visits"],
            patients.get(row["clinician"], 0),
            row["follow_ups"],
        ]
        for row in counted
    ]
    return sorted(rows, key=lambda row: (-row[4], row[0]))


def patients_per_clinician(medical, dental):
    """{clinician id: distinct patients they attended in either table}, in one query over the stacked visits."""
    stacked = queries.union_all(
        [
            table.filter(attended_by__isnull=False).values(clinician=F("attended_by"), person=F("patient"))
            for table in (medical, dental)
        ]
    )
    if stacked is None:
        return {}
    sql, params, connection = stacked
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('clinician')}, COUNT(DISTINCT {quote('person')}) "  # noqa: S608
            f"FROM ({sql}) {quote('stacked')} GROUP BY {quote('clinician')}",
            params,
        )
        return dict(cursor.fetchall())


def hour_rows(medical, dental, period):
    """Rows of the local hours 00 to 23: the visits on each weekday, Monday to Sunday (one query per table)."""
    counts = {}
    for table in (medical, dental):
        for (_, hour, day), visits_counted in queries.calendar_counts(table, "visit_date", period).items():
            counts[(hour, day)] = counts.get((hour, day), 0) + visits_counted
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
        counted = queries.add_counts(medical.aggregate(**SUMMARY), dental.aggregate(**SUMMARY))
        attended, clinicians = queries.stacked_counts(
            [table.filter(attended_by__isnull=False) for table in (medical, dental)], "attended_by"
        )
        total = counted["visits"]
        figures = {
            "total_visits": total,
            "attended_visits": attended,
            "unattended_share": None if params.filters.get("clinician_role") else rate(total - attended, total),
            "clinicians": clinicians,
            "visits_per_clinician": round(attended / clinicians, 1) if clinicians else None,
            "patients_seen": queries.unique_patients(medical, dental),
            "follow_ups_requested": counted["follow_ups"],
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
                Section("by_hour", "Visits by hour and weekday", {"hour": TEXT, **dict.fromkeys(DAYS, COUNT)}, by_hour),
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
