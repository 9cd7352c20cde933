"""Feedback analysis: ratings, satisfaction, response times and recent comments.

Covers the feedback submitted within the period. Comments are shown with their
date and rating only, never with anything that identifies the patient.
"""

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Length, Substr, Trim

from feedback.models import Feedback
from patients.models import Patient
from reports import suppression
from reports.catalog import queries
from reports.catalog.breakdowns import STEP, step_column, step_labels, step_rows
from reports.catalog.filters import ChoiceFilter
from reports.catalog.report_type import ReportType
from reports.document import COUNT, DATE, HOURS, NUMBER, RATE, RATING, TEXT, Chart, Content, Section, rate
from reports.periods import Series
from uscpis.roles import Role

RATINGS = (1, 2, 3, 4, 5)
FILTERS = {
    "patient_type": ChoiceFilter(queries.PATIENT_TYPE_CHOICES, label="Patient type"),
    "rating": ChoiceFilter(tuple((str(value), str(value)) for value in RATINGS), label="Rating"),
}
RECENT_COMMENTS = 10
# Longer comments are cut (with an ellipsis) so that every format, the PDF's table included, holds them.
COMMENT_CHARS = 500
SUPPRESSION = suppression.Rules(
    counts=("total_feedback", "responded"),
    derived={
        "average_rating": suppression.computed_from("total_feedback"),
        "satisfaction_rate": suppression.rate(over="total_feedback"),
        "recommend_rate": suppression.rate(within="total_feedback"),
        "courteous_rate": suppression.rate(within="total_feedback"),
        "median_response_hours": suppression.computed_from("responded"),
    },
    within={"responded": "total_feedback"},
    record_count="total_feedback",
    sections={
        "rating_distribution": suppression.Table(
            shown=("rating",),
            counts=("count",),
            derived={"share": suppression.rate("count", over="total_feedback")},
            totals={"count": "total_feedback"},
        ),
        "over_time": suppression.Table(
            shown=(STEP,),
            counts=("count",),
            derived={"average_rating": suppression.computed_from("count")},
            totals={"count": "total_feedback"},
        ),
        # A comment's rating would tell the ratings counted: hidden while any of them is. From so few
        # responses that their count is hidden, the comments themselves are left out.
        "recent_comments": suppression.Table(
            shown=("date", "comment"),
            derived={"rating": suppression.computed_from(suppression.Cells("rating_distribution", "count"))},
            left_out_with="total_feedback",
        ),
    },
    groups=(suppression.Group((suppression.Cells("rating_distribution", "count", rows=(4, 5)),), "satisfaction_rate"),),
)


def _round(value, digits=2):
    return None if value is None else round(value, digits)


COUNTS = {
    "total": Count("pk"),
    "average": Avg("rating"),
    "satisfied": Count("pk", filter=Q(rating__gte=4)),
    "recommend_yes": Count("pk", filter=Q(recommend=True)),
    "recommend_answered": Count("pk", filter=Q(recommend__isnull=False)),
    "courteous_yes": Count("pk", filter=Q(courteous=True)),
    "courteous_answered": Count("pk", filter=Q(courteous__isnull=False)),
    "responded": Count("pk", filter=Q(responded_at__isnull=False)),
}
RATING_COUNTS = {f"rating_{value}": Count("pk", filter=Q(rating=value)) for value in RATINGS}
RESPONSE_TIME = ExpressionWrapper(F("responded_at") - F("submitted_at"), output_field=DurationField())


def _counts(feedback, **more):
    """The summary's counts (and ``more``) in one aggregate query; the median too where the database can."""
    if queries.aggregates_median(feedback):
        more["median"] = queries.Median(RESPONSE_TIME, output_field=DurationField())
    return feedback.aggregate(**COUNTS, **more)


def _summary(feedback, counts):
    median = counts["median"] if "median" in counts else queries.median(feedback, RESPONSE_TIME, counts["responded"])
    return {
        "total_feedback": counts["total"],
        "average_rating": _round(counts["average"]),
        "satisfaction_rate": rate(counts["satisfied"], counts["total"]),
        "recommend_rate": rate(counts["recommend_yes"], counts["recommend_answered"]),
        "courteous_rate": rate(counts["courteous_yes"], counts["courteous_answered"]),
        "responded": counts["responded"],
        "median_response_hours": None if median is None else round(median.total_seconds() / 3600, 2),
    }


def recent_comments(params):
    """The latest non-blank comments as [date, rating, comment]: no patient field is even selected."""
    rows = (
        queries.feedback(params.period, params.filters)
        .annotate(trimmed=Trim("comments"))
        .exclude(trimmed="")
        .annotate(comment=Substr("trimmed", 1, COMMENT_CHARS), length=Length("trimmed"))
        .order_by("-submitted_at", "-pk")
        .values_list("submitted_at", "rating", "comment", "length")[:RECENT_COMMENTS]
    )
    return [
        [queries.local_date(at, params.period).isoformat(), rating, comment + ("…" if length > COMMENT_CHARS else "")]
        for at, rating, comment, length in rows
    ]


class FeedbackAnalysis(ReportType):
    key = "FEEDBACK_ANALYSIS"
    name = "Feedback analysis"
    description = "Patient ratings and satisfaction, response times, feedback over time and the most recent comments."
    contents = "Average rating, satisfaction, recommend and response times · ratings over time · comments"
    reads = (Patient, Feedback)
    summary_kinds = {
        "total_feedback": COUNT,
        "average_rating": RATING,
        "satisfaction_rate": RATE,
        "recommend_rate": RATE,
        "courteous_rate": RATE,
        "responded": COUNT,
        "median_response_hours": HOURS,
    }
    filters = FILTERS
    suppression = SUPPRESSION
    roles = (Role.ADMIN, Role.DOCTOR, Role.DENTIST, Role.NURSE, Role.STAFF)

    def compute(self, params, *, headline_only=False):
        period = params.period
        feedback = queries.feedback(period, params.filters)
        ratings = {} if headline_only else RATING_COUNTS
        counts = _counts(feedback, **ratings)  # the summary and the ratings in one pass
        figures = _summary(feedback, counts)
        total = figures["total_feedback"]
        if headline_only:
            return Content(record_count=total, summary=figures)

        distribution = [[value, counts[f"rating_{value}"], rate(counts[f"rating_{value}"], total)] for value in RATINGS]
        params.progress(1 / 3)
        over_time = Series.of(period, queries.first_day(params, "first_feedback", (Feedback, "submitted_at")))
        counted = queries.by_step(feedback, "submitted_at", over_time, count=Count("pk"), average=Avg("rating"))
        by_step = step_rows(
            over_time, {start: (row["count"], _round(row["average"])) for start, row in counted.items()}, (0, None)
        )
        params.progress(2 / 3)
        comments = recent_comments(params)
        params.progress(1)

        return Content(
            record_count=total,
            summary=figures,
            sections=[
                Section(
                    "rating_distribution", "Ratings", {"rating": NUMBER, "count": COUNT, "share": RATE}, distribution
                ),
                Section(
                    "over_time",
                    f"Feedback by {over_time.unit}",
                    {**step_column(over_time), "count": COUNT, "average_rating": RATING},
                    by_step,
                ),
                Section(
                    "recent_comments",
                    "Recent comments",
                    {"date": DATE, "rating": NUMBER, "comment": TEXT},
                    comments,
                    compared=False,  # a listing: the comments of its own period
                ),
            ],
            charts=[
                Chart("rating_distribution", "Ratings", "bar", "rating_distribution", "rating", ["count"]),
                Chart("over_time", f"Feedback by {over_time.unit}", "line", "over_time", STEP, ["count"]),
            ],
            notes=[*over_time.notes, *([] if total else ["No data in this period."])],
            labels=step_labels(over_time),
        )
