"""Querysets and database-side counting helpers shared by the report types.

Everything here counts in the database: helpers return querysets or run a fixed
number of aggregate queries, whatever the number of rows. Filter dicts are the
validated ``ReportParams.filters``; keys a helper does not know are ignored, so a
module passes its whole filter dict and each helper applies what concerns it.
"""

from contextlib import nullcontext
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Aggregate, Case, CharField, Count, F, Max, Min, Q, When
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, Lower, Trim, Trunc, Upper
from django.utils import timezone

from feedback.models import Feedback
from patients.models import Patient, PatientType, Sex
from reports.periods import step_of
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


def diagnosis_text():
    """A visit's diagnosis text, trimmed and lower-cased, so spellings that differ in case group together."""
    return Lower(Trim("diagnosis"))


def diagnosis_code():
    """A medical visit's ICD-10 code, trimmed and upper-cased ("" when none)."""
    return Upper(Trim("diagnosis_code"))


def recorded_diagnosis():
    """One of a group's diagnoses as recorded (trimmed), the same one on every database: the greatest."""
    return Max(Trim("diagnosis"))


def diagnosis_key(code):
    """What diagnoses are grouped by: the ICD-10 code (the annotation or alias ``code``) when present, else the text.

    Annotate the key before the code: PostgreSQL then groups by (key, code) in the order the
    combining query does, and aggregates each table in parallel.
    """
    return Case(When(~Q(**{code: ""}), then=F(code)), default=diagnosis_text(), output_field=CharField())


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


def unique_patients(*visit_querysets):
    """Number of distinct patients with a row in any of the visit querysets, in one query.

    Reads the period's visits (an index-only scan of ``(visit_date, patient)``), not one
    index probe per patient of the clinic; see ``stacked_counts``.
    """
    return stacked_counts(visit_querysets, "patient")[1]


def stacked_counts(querysets, field):
    """``(rows, distinct non-null values of field)`` over all the querysets' rows, in one query.

    The querysets' ``field`` values stacked with UNION ALL, then COUNT and COUNT(DISTINCT):
    duplicates are removed once, in the count.
    """
    stacked = [queryset.values(stacked_value=F(field)) for queryset in querysets]
    rows = stacked_aggregate(stacked, ["COUNT(*)", "COUNT(DISTINCT {stacked_value})"])
    return rows[0] if rows else (0, 0)


class _Quoted(dict):
    """Every name asked for, quoted for the database."""

    def __init__(self, connection):
        super().__init__()
        self.connection = connection

    def __missing__(self, name):
        return self.connection.ops.quote_name(name)


def stacked_aggregate(querysets, aggregates, group_by=()):
    """Rows of ``aggregates`` over the querysets' rows stacked with UNION ALL, by ``group_by``, in one query.

    Each queryset selects the same names in the same order (``values(name=...)``); an aggregate
    is SQL over those names in braces, e.g. ``"COUNT(DISTINCT {person})"``, counting or summing
    whole numbers (PostgreSQL's numeric sums come back as ``int``). A row is the ``group_by``
    values, then the aggregates. No rows when every queryset is empty.
    """
    stacked = union_all(querysets)
    if stacked is None:
        return []
    sql, params, connection = stacked
    names = _Quoted(connection)
    groups = ", ".join(names[name] for name in group_by)
    selected = ", ".join([*(names[name] for name in group_by), *(text.format_map(names) for text in aggregates)])
    sql = f"SELECT {selected} FROM ({sql}) {names['stacked']}" + (f" GROUP BY {groups}" if groups else "")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            tuple(int(value) if isinstance(value, Decimal) else value for value in row) for row in cursor.fetchall()
        ]


def patients_seen(params):
    """Distinct patients with a medical or dental visit in the period, as the filters narrow the visits.

    The clinic's active patients: several report types show it, and a run counts it once
    (``ReportParams.measure``), however many of them it combines.
    """
    medical, dental = visit_querysets(params.period, params.filters)
    return params.measure("patients_seen", lambda: unique_patients(medical, dental))


def feedback(period, filters):
    """Feedback submitted within ``period`` matching the patient filters and the ``rating`` filter."""
    q = patients_filter(filters, "patient__")
    if filters.get("rating"):
        q &= Q(rating=int(filters["rating"]))
    return Feedback.objects.filter(q, **period.lookup("submitted_at")).order_by()


# --- Counting --------------------------------------------------------------


def first_day(params, name, *sources):
    """The local day of the clinic's first record among ``(model, field)`` sources, unfiltered; None when none.

    One query per source on the field's index, once per run (``params.measure``).
    """

    def compute():
        firsts = [model.objects.aggregate(first=Min(field))["first"] for model, field in sources]
        found = [step_of(first) for first in firsts if first is not None]
        return min(found, default=None)

    return params.measure(name, compute)


def _step(field, series):
    return Trunc(field, series.unit, tzinfo=series.period.zone)


def by_step(queryset, field, series, **aggregates):
    """{step's first day: {name: value}} grouping ``queryset`` by the local step (``series.unit``) of ``field``."""
    rows = (
        queryset.annotate(step=_step(field, series))
        .values("step")
        .annotate(**aggregates)
        .order_by()  # no ORDER BY: PostgreSQL may then hash the groups instead of sorting every row
    )
    return {step_of(row.pop("step")): row for row in rows}


def calendar_counts(queryset, field, series):
    """{(step's first day, local hour, ISO weekday): row count} of ``field``, in one grouped query.

    One pass over the rows gives the breakdowns by step, hour and weekday, and the total.
    """
    rows = (
        queryset.annotate(
            step=_step(field, series),
            hour=ExtractHour(field, tzinfo=series.period.zone),
            day=ExtractIsoWeekDay(field, tzinfo=series.period.zone),
        )
        .values("step", "hour", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts, steps = {}, {}
    for row in rows:
        if row["step"] not in steps:
            steps[row["step"]] = step_of(row["step"])
        key = (steps[row["step"]], row["hour"], row["day"])
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def marginal(counts, position):
    """{key: count} summing ``calendar_counts`` over all but one key position (0 step, 1 hour, 2 weekday)."""
    total = {}
    for key, value in counts.items():
        total[key[position]] = total.get(key[position], 0) + value
    return total


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


class Median(Aggregate):
    """PostgreSQL's ``PERCENTILE_CONT(0.5)``: the median (the mean of the two middle values), NULLs ignored."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


def aggregates_median(queryset):
    """Whether the database computes ``Median`` within an aggregate query (PostgreSQL); else use ``median``."""
    return connections[queryset.db].vendor == "postgresql"


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


def union_all(querysets):
    """``(sql, params, connection)`` stacking the querysets' rows with UNION ALL, or None if all are empty.

    Querysets that can match nothing (e.g. ``.none()``) are left out; the others must
    select the same columns in the same order.
    """
    parts, params, connection = [], [], None
    for queryset in querysets:
        connection = connections[queryset.db]
        try:
            sql, part_params = queryset.order_by().query.get_compiler(connection=connection).as_sql()
        except EmptyResultSet:
            continue
        parts.append(sql)
        params.extend(part_params)
    return (" UNION ALL ".join(parts), params, connection) if parts else None


def top_groups(querysets, keys, sums, order_by, limit, maxes=()):
    """Top ``limit`` groups of per-table aggregates combined across tables, in one SQL query.

    Each queryset is ``values(**keys).annotate(**sums, **maxes)``: the same annotation
    names in the same order (keys, then sums, then maxes). The database stacks them
    with UNION ALL, groups by ``keys``, adds up ``sums``, takes the MAX of ``maxes``
    and orders by the sum ``order_by`` descending, then by the keys. Returns dicts.

    On PostgreSQL the query runs without a Parallel Append: given one, the planner sometimes hands
    each table's whole scan to one process (over 2024 at the benchmark's size L, 318 ms against
    202 ms without it, while 2025 took 220 ms either way), where a plain Append lets each scan run
    in parallel (``SET LOCAL``, for this query's transaction only).
    """
    stacked = union_all(querysets)
    if stacked is None:
        return []
    combined_sql, params, connection = stacked
    quote = connection.ops.quote_name
    key_sql = ", ".join(quote(key) for key in keys)
    aggregate_sql = ", ".join(
        [f"SUM({quote(name)}) AS {quote(name)}" for name in sums]
        + [f"MAX({quote(name)}) AS {quote(name)}" for name in maxes]
    )
    sql = (
        f"SELECT {key_sql}, {aggregate_sql} FROM ({combined_sql}) {quote('combined')} "  # noqa: S608
        f"GROUP BY {key_sql} ORDER BY SUM({quote(order_by)}) DESC, {key_sql} LIMIT %s"
    )
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(using=connection.alias) if postgresql else nullcontext(), connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SET LOCAL enable_parallel_append = off")
        cursor.execute(sql, [*params, limit])
        rows = [dict(zip([*keys, *sums, *maxes], row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # PostgreSQL sums integers as numeric
        row.update({name: int(row[name] or 0) for name in sums})
    return rows


def local_date(value, period):
    """The local calendar date of an aware datetime."""
    return timezone.localtime(value, period.zone).date()
