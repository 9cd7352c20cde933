"""Reusable querysets and database-side counting helpers shared by the report modules.

Everything here counts in the database: helpers return querysets or run a fixed
number of aggregate queries, whatever the number of rows. Filter dicts are the
validated ``ReportParams.filters``; keys a helper does not know are ignored, so a
module passes its whole filter dict and each helper applies what concerns it.
"""

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.utils import timezone

from feedback.models import Feedback
from patients.models import Patient, PatientType, Sex
from reports.periods import month_of
from visits.models import DentalVisit, MedicalVisit, Outcome

PATIENT_FILTER_FIELDS = {"sex": "sex", "patient_type": "patient_type", "department": "department__iexact"}
VISIT_TYPES = (("medical", "Medical"), ("dental", "Dental"))
SUCCESS_OUTCOMES = (Outcome.RESOLVED, Outcome.IMPROVED)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SEX_CHOICES = tuple(Sex.choices)
PATIENT_TYPE_CHOICES = tuple(PatientType.choices)
OUTCOME_CHOICES = tuple(Outcome.choices)
# (label, youngest age, oldest age or None) of the age bands, age in whole years.
AGE_BANDS = (
    ("0-17", 0, 17),
    ("18-24", 18, 24),
    ("25-34", 25, 34),
    ("35-44", 35, 44),
    ("45-59", 45, 59),
    ("60+", 60, None),
)


# --- Filters ---------------------------------------------------------------


def patients_filter(filters, prefix=""):
    """Q narrowing patients (``prefix`` e.g. ``"patient__"`` from a related model) by sex/patient_type/department."""
    return Q(**{prefix + lookup: filters[key] for key, lookup in PATIENT_FILTER_FIELDS.items() if filters.get(key)})


def visit_filter(filters):
    """Q narrowing a visit table by its patient's filters and the ``outcome`` filter."""
    q = patients_filter(filters, "patient__")
    if filters.get("outcome"):
        q &= Q(outcome=filters["outcome"])
    return q


def visit_success_q():
    """Q of visits whose outcome counts as a success (resolved or improved)."""
    return Q(outcome__in=SUCCESS_OUTCOMES)


def visit_has_outcome_q():
    """Q of visits with a recorded outcome (anything but pending)."""
    return ~Q(outcome=Outcome.PENDING)


# --- Querysets -------------------------------------------------------------


def patients(filters):
    """Patients matching the patient filters (sex, patient_type, department)."""
    return Patient.objects.filter(patients_filter(filters)).order_by()


def medical_visits(period, filters):
    """Medical visits dated within ``period`` matching the patient and outcome filters."""
    return MedicalVisit.objects.filter(visit_filter(filters), **period.lookup("visit_date")).order_by()


def dental_visits(period, filters):
    """Dental visits dated within ``period`` matching the patient and outcome filters."""
    return DentalVisit.objects.filter(visit_filter(filters), **period.lookup("visit_date")).order_by()


def visit_querysets(period, filters):
    """(medical, dental) visit querysets; the one excluded by the ``visit_type`` filter is empty."""
    medical, dental = medical_visits(period, filters), dental_visits(period, filters)
    visit_type = filters.get("visit_type")
    if visit_type == "medical":
        dental = dental.none()
    elif visit_type == "dental":
        medical = medical.none()
    return medical, dental


def has_visit_q(*visit_querysets):
    """Q of patients with a row in any of the given visit querysets (EXISTS subqueries)."""
    q = Q(pk__in=[])
    for visits in visit_querysets:
        if not visits.query.is_empty():
            q |= Q(Exists(visits.filter(patient=OuterRef("pk"))))
    return q


def unique_patients(*visit_querysets):
    """Number of distinct patients with a row in any of the visit querysets (one query)."""
    return Patient.objects.filter(has_visit_q(*visit_querysets)).count()


def feedback(period, filters):
    """Feedback submitted within ``period`` matching the patient filters and the ``rating`` filter."""
    q = patients_filter(filters, "patient__")
    if filters.get("rating"):
        q &= Q(rating=int(filters["rating"]))
    return Feedback.objects.filter(q, **period.lookup("submitted_at")).order_by()


# --- Counting --------------------------------------------------------------


def choice_counts(queryset, field, choices):
    """{value: count} for every choice of ``field`` (zeros included), in one aggregate query."""
    counts = queryset.aggregate(**{f"c{i}": Count("pk", filter=Q(**{field: v})) for i, (v, _) in enumerate(choices)})
    return {value: counts[f"c{i}"] for i, (value, _) in enumerate(choices)}


def monthly(queryset, field, period, **aggregates):
    """{month's first day: {name: value}} grouping ``queryset`` by the local month of ``field``."""
    rows = (
        queryset.annotate(month=TruncMonth(field, tzinfo=period.zone))
        .values("month")
        .annotate(**aggregates)
        .order_by("month")
    )
    return {month_of(row.pop("month")): row for row in rows}


def monthly_counts(queryset, field, period):
    """{month's first day: row count} by the local month of ``field``."""
    return {month: row["n"] for month, row in monthly(queryset, field, period, n=Count("pk")).items()}


def hourly_counts(queryset, field, period):
    """{local hour 0-23: row count} of ``field`` (hours without rows are absent)."""
    rows = queryset.annotate(hour=ExtractHour(field, tzinfo=period.zone)).values("hour").annotate(n=Count("pk"))
    return {row["hour"]: row["n"] for row in rows.order_by("hour")}


def weekday_counts(queryset, field, period):
    """{ISO weekday 1=Monday..7=Sunday: row count} of ``field`` in local time."""
    rows = queryset.annotate(day=ExtractIsoWeekDay(field, tzinfo=period.zone)).values("day").annotate(n=Count("pk"))
    return {row["day"]: row["n"] for row in rows.order_by("day")}


def add_counts(*counts):
    """Sum of {key: count} dicts key by key (merges per-table aggregates, never rows)."""
    total = {}
    for mapping in counts:
        for key, value in mapping.items():
            total[key] = total.get(key, 0) + value
    return total


def peak(counts):
    """The key with the highest count (the first such in key order), or None if nothing was counted."""
    counted = {key: value for key, value in counts.items() if value}
    if not counted:
        return None
    return max(sorted(counted), key=lambda key: counted[key])


# --- Ages ------------------------------------------------------------------


def years_before(day, years):
    """The same day ``years`` earlier; 29 February becomes 28 February in a non-leap year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def age_band_q(on, youngest, oldest, field="date_of_birth"):
    """Q of people aged ``youngest``..``oldest`` (None: no upper bound) on the date ``on``.

    Someone is ``n`` or older on ``on`` when born on or before ``years_before(on, n)``:
    so a 29 February birthday is reached on 1 March in non-leap years.
    """
    q = Q(**{f"{field}__lte": years_before(on, youngest)}) if youngest else Q()
    if oldest is not None:
        q &= Q(**{f"{field}__gt": years_before(on, oldest + 1)})
    return q


def age_band_counts(queryset, on, field="date_of_birth"):
    """{band label: count} of every band in AGE_BANDS for ages on the date ``on`` (one query)."""
    counts = queryset.aggregate(
        **{f"c{i}": Count("pk", filter=age_band_q(on, low, high, field)) for i, (_, low, high) in enumerate(AGE_BANDS)}
    )
    return {label: counts[f"c{i}"] for i, (label, _, _) in enumerate(AGE_BANDS)}


# --- Median ----------------------------------------------------------------


def median(queryset, expression, count):
    """Median of ``expression`` over ``queryset`` (``count`` rows, NULLs excluded), in one query.

    Reads at most the two middle values with ORDER BY + OFFSET; None when empty.
    """
    ordered = (
        queryset.annotate(_median_value=expression)
        .filter(_median_value__isnull=False)
        .order_by("_median_value")
        .values_list("_median_value", flat=True)
    )
    middle = max(count - 1, 0) // 2
    values = list(ordered[middle : middle + (2 if count % 2 == 0 else 1)])
    if not values:
        return None
    if len(values) == 1 or count % 2:
        return values[0]
    return (values[0] + values[1]) / 2


# --- Grouping across tables ------------------------------------------------


def top_groups(querysets, keys, sums, order_by, limit, maxes=()):
    """Top ``limit`` groups of per-table aggregates combined across tables, in one SQL query.

    Each queryset is ``values(**keys).annotate(**sums, **maxes)``: the same annotation
    names in the same order (keys, then sums, then maxes). The database stacks them
    with UNION ALL, groups by ``keys``, adds up ``sums``, takes the MAX of ``maxes``
    and orders by the sum ``order_by`` descending, then by the keys. Returns dicts.
    """
    parts, params, connection = [], [], None
    for queryset in querysets:
        connection = connections[queryset.db]
        try:
            sql, part_params = queryset.order_by().query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:  # e.g. a .none() queryset
            continue
        parts.append(sql)
        params.extend(part_params)
    if not parts:
        return []
    quote = connection.ops.quote_name
    key_sql = ", ".join(quote(key) for key in keys)
    aggregate_sql = ", ".join(
        [f"SUM({quote(name)}) AS {quote(name)}" for name in sums]
        + [f"MAX({quote(name)}) AS {quote(name)}" for name in maxes]
    )
    sql = (
        f"SELECT {key_sql}, {aggregate_sql} FROM ({' UNION ALL '.join(parts)}) {quote('combined')} "  # noqa: S608
        f"GROUP BY {key_sql} ORDER BY SUM({quote(order_by)}) DESC, {key_sql} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = [dict(zip([*keys, *sums, *maxes], row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # PostgreSQL sums integers as numeric
        row.update({name: int(row[name] or 0) for name in sums})
    return rows


def local_date(value, period):
    """The local calendar date of an aware datetime."""
    return timezone.localtime(value, period.zone).date()
