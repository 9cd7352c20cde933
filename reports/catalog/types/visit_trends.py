"""Visit trends: medical and dental visits over time, by hour of the day and by day of the week.

Steps (days, weeks, months or quarters, by the period's length), hours and weekdays are those
of ``visit_date`` in the clinic's local time. Time starts at the clinic's first visit.
"""

from patients.models import Patient
from reports import suppression
from reports.catalog import queries
from reports.catalog.breakdowns import STEP, step_column, step_labels, step_rows
from reports.catalog.filters import ChoiceFilter
from reports.catalog.report_type import ReportType
from reports.document import COUNT, HOUR, PER_DAY, TEXT, Chart, Content, Section
from reports.periods import Series
from uscpis.roles import Role
from visits.models import DentalVisit, MedicalVisit

FILTERS = {
    "visit_type": ChoiceFilter(queries.VISIT_TYPES, label="Visit type"),
    "sex": ChoiceFilter(queries.SEX_CHOICES, label="Sex"),
    "patient_type": ChoiceFilter(queries.PATIENT_TYPE_CHOICES, label="Patient type"),
}
SUPPRESSION = suppression.Rules(
    counts=("total_visits", "medical_visits", "dental_visits", "unique_patients"),
    shown=("peak_hour", "peak_weekday"),
    derived={"average_daily_visits": suppression.computed_from("total_visits")},
    totals={"total_visits": ("medical_visits", "dental_visits")},
    record_count="total_visits",
    sections={
        "over_time": suppression.Table(
            shown=(STEP,),
            counts=("medical", "dental", "total"),
            row_totals={"total": ("medical", "dental")},
            totals={"medical": "medical_visits", "dental": "dental_visits", "total": "total_visits"},
        ),
        "by_hour": suppression.Table(shown=("hour",), counts=("visits",), totals={"visits": "total_visits"}),
        "by_weekday": suppression.Table(shown=("weekday",), counts=("visits",), totals={"visits": "total_visits"}),
    },
)


def series(params, most=None):
    """The time series of the period, from the clinic's first medical or dental visit on (``Series.of``)."""
    first = queries.first_day(params, "first_visit", (MedicalVisit, "visit_date"), (DentalVisit, "visit_date"))
    return Series.of(params.period, first, most)


def _counts(over_time, medical, dental):
    """(medical, dental) ``calendar_counts``: one grouped query per table gives every breakdown."""
    return (
        queries.calendar_counts(medical, "visit_date", over_time),
        queries.calendar_counts(dental, "visit_date", over_time),
    )


def _summary(params, over_time, counts):
    medical_count, dental_count = (sum(table.values()) for table in counts)
    total = medical_count + dental_count
    hours = queries.add_counts(*(queries.marginal(table, 1) for table in counts))
    peak_weekday = queries.peak(queries.add_counts(*(queries.marginal(table, 2) for table in counts)))
    return {
        "total_visits": total,
        "medical_visits": medical_count,
        "dental_visits": dental_count,
        "unique_patients": queries.patients_seen(params),
        "average_daily_visits": round(total / days, 2) if (days := over_time.period.elapsed_days) else None,
        "peak_hour": queries.peak(hours),
        "peak_weekday": queries.WEEKDAYS[peak_weekday - 1] if peak_weekday else None,
    }


class VisitTrends(ReportType):
    key = "VISIT_TRENDS"
    name = "Visit trends"
    description = "Medical and dental visits over time, by hour of the day and by day of the week, with their peaks."
    contents = "Medical and dental visits, daily average, busiest hour and weekday · over time, by hour and weekday"
    reads = (Patient, MedicalVisit, DentalVisit)
    summary_kinds = {
        "total_visits": COUNT,
        "medical_visits": COUNT,
        "dental_visits": COUNT,
        "unique_patients": COUNT,
        "average_daily_visits": PER_DAY,
        "peak_hour": HOUR,
        "peak_weekday": TEXT,
    }
    filters = FILTERS
    suppression = SUPPRESSION
    roles = (Role.ADMIN, Role.DOCTOR, Role.DENTIST, Role.NURSE, Role.STAFF)

    def compute(self, params, *, headline_only=False):
        period = params.period
        medical, dental = queries.visit_querysets(period, params.filters)
        over_time = series(params)
        counts = _counts(over_time, medical, dental)
        figures = _summary(params, over_time, counts)
        if headline_only:
            return Content(record_count=figures["total_visits"], summary=figures)
        hours = queries.add_counts(*(queries.marginal(table, 1) for table in counts))
        weekdays = queries.add_counts(*(queries.marginal(table, 2) for table in counts))

        medical_steps, dental_steps = (queries.marginal(table, 0) for table in counts)
        counted = {
            start: (medical_steps.get(start, 0), dental_steps.get(start, 0))
            for start in {*medical_steps, *dental_steps}
        }
        by_step = step_rows(over_time, {start: (m, d, m + d) for start, (m, d) in counted.items()}, (0, 0, 0))
        params.progress(1 / 3)
        by_hour = [[hour, hours.get(hour, 0)] for hour in range(24)]
        params.progress(2 / 3)
        by_weekday = [[name, weekdays.get(day, 0)] for day, name in enumerate(queries.WEEKDAYS, start=1)]
        params.progress(1)

        return Content(
            record_count=figures["total_visits"],
            summary=figures,
            sections=[
                Section(
                    "over_time",
                    f"Visits by {over_time.unit}",
                    {**step_column(over_time), "medical": COUNT, "dental": COUNT, "total": COUNT},
                    by_step,
                ),
                Section("by_hour", "Visits by hour of the day", {"hour": HOUR, "visits": COUNT}, by_hour),
                Section("by_weekday", "Visits by day of the week", {"weekday": TEXT, "visits": COUNT}, by_weekday),
            ],
            charts=[
                Chart(
                    "over_time",
                    f"Visits by {over_time.unit}",
                    "line",
                    "over_time",
                    STEP,
                    ["medical", "dental", "total"],
                    "Visits",
                ),
                Chart("by_hour", "Visits by hour of the day", "bar", "by_hour", "hour", ["visits"]),
                Chart("by_weekday", "Visits by day of the week", "bar", "by_weekday", "weekday", ["visits"]),
            ],
            notes=[*over_time.notes, *([] if figures["total_visits"] else ["No data in this period."])],
            labels={"peak_hour": "Peak hour", **step_labels(over_time)},
        )
