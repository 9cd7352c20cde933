"""Comprehensive analytics: the clinic director's one-page summary of a period.

Key figures grouped as Patients, Visits, Outcomes, Satisfaction and Campaigns, each figure once
and taken from the report type that defines it (``headline``, over the whole clinic, unfiltered),
small trends of visits and satisfaction over the period's steps, and the top diagnoses by name.
Nothing counted in different units is added up: the record count is the period's visits.
"""

from django.db.models import Count, Q

from reports import catalog, suppression
from reports.catalog import queries
from reports.catalog.breakdowns import STEP, by_step, step_column, step_labels
from reports.catalog.report_type import ReportParams, ReportType
from reports.catalog.types import medical_statistics, visit_trends
from reports.catalog.types.campaign_performance import CampaignPerformance
from reports.catalog.types.feedback_analysis import FeedbackAnalysis
from reports.catalog.types.patient_summary import PatientSummary
from reports.catalog.types.treatment_outcomes import TreatmentOutcomes
from reports.catalog.types.visit_trends import VisitTrends
from reports.document import COUNT, PER_DAY, RATE, TEXT, Chart, Content, Section, rate
from uscpis.roles import Role

TREND_STEPS = 14  # a quarter by week, a year by month, three years by quarter
TOP_DIAGNOSES = 5

# Each figure's key here: (the report type it comes from, its key there).
SOURCES = {
    "registered_patients": (PatientSummary, "total_patients"),
    "new_registrations": (PatientSummary, "new_registrations"),
    "patients_seen": (VisitTrends, "unique_patients"),
    "total_visits": (VisitTrends, "total_visits"),
    "medical_visits": (VisitTrends, "medical_visits"),
    "dental_visits": (VisitTrends, "dental_visits"),
    "success_rate": (TreatmentOutcomes, "success_rate"),
    "follow_up_rate": (TreatmentOutcomes, "follow_up_rate"),
    "feedback_responses": (FeedbackAnalysis, "total_feedback"),
    "average_rating": (FeedbackAnalysis, "average_rating"),
    "satisfaction_rate": (FeedbackAnalysis, "satisfaction_rate"),
    "recommend_rate": (FeedbackAnalysis, "recommend_rate"),
    "campaigns": (CampaignPerformance, "campaigns"),
    "campaign_participants": (CampaignPerformance, "total_participants"),
    "attendance_rate": (CampaignPerformance, "attendance_rate"),
}
EFFICIENCY = {
    "attended_visits": COUNT,
    "attending_clinicians": COUNT,
    "working_days": COUNT,
    "visits_per_clinician_per_day": PER_DAY,
}
GROUPS = {
    "Patients": ("registered_patients", "new_registrations", "patients_seen"),
    "Visits": ("total_visits", "medical_visits", "dental_visits", *EFFICIENCY),
    "Outcomes": ("success_rate", "follow_up_rate"),
    "Satisfaction": ("feedback_responses", "average_rating", "satisfaction_rate", "recommend_rate"),
    "Campaigns": ("campaigns", "campaign_participants", "attendance_rate"),
}
LABELS = {
    "total_visits": "Visits (medical and dental)",
    "attended_visits": "Visits with an attending clinician",
    "working_days": "Working days (Monday to Friday)",
    "visits_per_clinician_per_day": "Visits per clinician per working day",
    "success_rate": "Treatment success (resolved or improved)",
    "follow_up_rate": "Visits needing a follow-up",
    "satisfaction_rate": "Satisfied (rated 4 or 5)",
    "recommend_rate": "Would recommend the clinic",
    "campaigns": "Campaigns running",
    "attendance_rate": "Campaign attendance",
    "satisfied": "Rated 4 or 5",
    "share": "Share of medical visits",
}

# Clinicians, working days and campaigns count no patients: they are shown as they are. A rate
# whose numerator is not shown stands for that count; success and recommendation rates have no
# base shown either (cases with an outcome, answers), at most the visits and the responses.
SUPPRESSION = suppression.Rules(
    counts=(
        "registered_patients",
        "new_registrations",
        "patients_seen",
        "total_visits",
        "medical_visits",
        "dental_visits",
        "attended_visits",
        "feedback_responses",
        "campaign_participants",
    ),
    shown=("attending_clinicians", "working_days", "campaigns"),
    derived={
        "visits_per_clinician_per_day": suppression.computed_from("attended_visits"),
        "success_rate": suppression.rate(within="total_visits"),
        "follow_up_rate": suppression.rate(over="total_visits"),
        "average_rating": suppression.computed_from("feedback_responses"),
        "satisfaction_rate": suppression.rate(over="feedback_responses"),
        "recommend_rate": suppression.rate(within="feedback_responses"),
        "attendance_rate": suppression.rate(over="campaign_participants"),
    },
    totals={"total_visits": ("medical_visits", "dental_visits")},
    within={"new_registrations": "registered_patients", "attended_visits": "total_visits"},
    record_count="total_visits",
    sections={
        "visits_trend": suppression.Table(shown=(STEP,), counts=("visits",), totals={"visits": "total_visits"}),
        "satisfaction_trend": suppression.Table(
            shown=(STEP,),
            counts=("feedback", "satisfied"),
            derived={"satisfaction_rate": suppression.rate("satisfied", over="feedback")},
            totals={"feedback": "feedback_responses"},
            within={"satisfied": "feedback"},
        ),
        "top_diagnoses": suppression.Table(
            shown=("diagnosis",),
            counts=("visits", "patients"),
            derived={"share": suppression.rate("visits", over="medical_visits")},
        ),
    },
    # The satisfied of every step add up to those the period's satisfaction rate stands for.
    groups=(suppression.Group((suppression.Cells("satisfaction_trend", "satisfied"),), "satisfaction_rate"),),
)


def headline_figures(params):
    """The figures of ``SOURCES`` from their report types' headlines over the period, unfiltered.

    The sources share one run's parameters, so the patients seen are counted once.
    """
    unfiltered = ReportParams(period=params.period)
    sources = list(dict.fromkeys(source.key for source, _ in SOURCES.values()))
    headlines = {}
    for position, key in enumerate(sources, start=1):
        headlines[key] = catalog.get(key).headline(unfiltered)
        params.progress(0.6 * position / len(sources))
    return {key: headlines[source.key][name] for key, (source, name) in SOURCES.items()}


def working_days(period):
    """Mondays to Fridays in the period, up to today when it is still open."""
    weeks, extra = divmod(period.elapsed_days, 7)
    first = period.start.weekday()
    return weeks * 5 + sum(1 for offset in range(extra) if (first + offset) % 7 < 5)


def efficiency(period):
    """Visits with an attending clinician ÷ distinct attending clinicians ÷ working days (one query).

    The clinicians are counted over the period's visits (both tables' ``attended_by``, stacked),
    not by probing the visits once per user.
    """
    medical = queries.medical_visits(period, {}).filter(attended_by__isnull=False)
    dental = queries.dental_visits(period, {}).filter(attended_by__isnull=False)
    attended, clinicians = queries.stacked_counts([medical, dental], "attended_by")
    days = working_days(period)
    per_day = round(attended / clinicians / days, 2) if clinicians and days else None
    return {
        "attended_visits": attended,
        "attending_clinicians": clinicians,
        "working_days": days,
        "visits_per_clinician_per_day": per_day,
    }


def visits_trend(period, series):
    """Rows ``[step, visits]``: medical and dental visits of each step of ``series``."""
    medical = by_step(queries.medical_visits(period, {}), "visit_date", series, visits=Count("pk"))
    dental = by_step(queries.dental_visits(period, {}), "visit_date", series, visits=Count("pk"))
    return [[step, visits + more] for (step, visits), (_, more) in zip(medical, dental, strict=True)]


def satisfaction_trend(period, series):
    """Rows ``[step, feedback, satisfied, satisfaction_rate]``: feedback of each step, and how much rated 4 or 5."""
    counted = by_step(
        queries.feedback(period, {}),
        "submitted_at",
        series,
        feedback=Count("pk"),
        satisfied=Count("pk", filter=Q(rating__gte=4)),
    )
    return [[step, feedback, satisfied, rate(satisfied, feedback)] for step, feedback, satisfied in counted]


class ComprehensiveAnalytics(ReportType):
    key = "COMPREHENSIVE_ANALYTICS"
    name = "Comprehensive analytics"
    description = (
        "The clinic director's one-page summary: patients, visits, outcomes, satisfaction and campaigns, "
        f"visits and satisfaction over time, and the top {TOP_DIAGNOSES} diagnoses."
    )
    contents = "Patients, visits, outcomes, satisfaction, campaigns · trends · top diagnoses, on one page"
    reads = tuple(dict.fromkeys(model for source, _ in SOURCES.values() for model in source.reads))
    summary_kinds = {
        **{key: source.summary_kinds[name] for key, (source, name) in SOURCES.items()},
        **EFFICIENCY,
    }
    summary_groups = GROUPS
    suppression = SUPPRESSION
    roles = (Role.ADMIN, Role.DOCTOR)

    def compute(self, params, *, headline_only=False):
        period = params.period
        summary = headline_figures(params)
        summary.update(efficiency(period))
        summary = {key: summary[key] for keys in GROUPS.values() for key in keys}
        visits = summary["total_visits"]
        if headline_only:
            return Content(record_count=visits, summary=summary)
        params.progress(0.7)

        # Both trends step alike, from the clinic's first visit, in few enough steps to read as small bars.
        over_time = visit_trends.series(params, most=TREND_STEPS)
        visits_by_step = visits_trend(period, over_time)
        satisfaction = satisfaction_trend(period, over_time)
        params.progress(0.85)

        medical = queries.medical_visits(period, {})
        diagnoses = medical_statistics.top_diagnoses_rows(medical, summary["medical_visits"], limit=TOP_DIAGNOSES)
        params.progress(0.95)

        return Content(
            record_count=visits,
            summary=summary,
            sections=[
                Section(
                    "visits_trend",
                    f"Visits by {over_time.unit}",
                    {**step_column(over_time), "visits": COUNT},
                    visits_by_step,
                ),
                Section(
                    "satisfaction_trend",
                    f"Satisfaction by {over_time.unit}",
                    {**step_column(over_time), "feedback": COUNT, "satisfied": COUNT, "satisfaction_rate": RATE},
                    satisfaction,
                ),
                Section(
                    "top_diagnoses",
                    f"Top {TOP_DIAGNOSES} medical diagnoses",
                    {"diagnosis": TEXT, "visits": COUNT, "patients": COUNT, "share": RATE},
                    diagnoses,
                ),
            ],
            charts=[
                Chart("visits_trend", f"Visits by {over_time.unit}", "trend", "visits_trend", STEP, ["visits"]),
                Chart(
                    "satisfaction_trend",
                    f"Satisfied (rated 4 or 5) by {over_time.unit}",
                    "trend",
                    "satisfaction_trend",
                    STEP,
                    ["satisfaction_rate"],
                ),
            ],
            notes=[*over_time.notes, *([] if visits else ["No data in this period."])],
            labels={**LABELS, **step_labels(over_time)},
        )
