"""Feedback analysis: ratings, satisfaction, response times and recent comments.

Covers the feedback submitted within the period. Comments are shown with their
date and rating only, never with anything that identifies the patient.
"""

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Length, Substr, Trim

from reports import suppression
from reports.document import Chart, Section, rate
from reports.periods import fill_months, month_label

from . import selectors
from .base import document
from .filters import ChoiceFilter

REPORT_TYPE = "FEEDBACK_ANALYSIS"
NAME = "Feedback analysis"
DESCRIPTION = "Patient ratings and satisfaction, response times, monthly trend and the most recent comments."
RATINGS = (1, 2, 3, 4, 5)
FILTERS = {
    "patient_type": ChoiceFilter(selectors.PATIENT_TYPE_CHOICES, label="Patient type"),
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
        "monthly": suppression.Table(
            shown=("month",),
            counts=("count",),
            derived={"average_rating": suppression.computed_from("count")},
            totals={"count": "total_feedback"},
        ),
        # A comment's rating would tell the ratings counted: hidden while any of them is.
        "recent_comments": suppression.Table(
            shown=("date", "comment"),
            derived={"rating": suppression.computed_from(suppression.Cells("rating_distribution", "count"))},
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
    if selectors.aggregates_median(feedback):
        more["median"] = selectors.Median(RESPONSE_TIME, output_field=DurationField())
    return feedback.aggregate(**COUNTS, **more)


def _summary(feedback, counts):
    median = counts["median"] if "median" in counts else selectors.median(feedback, RESPONSE_TIME, counts["responded"])
    return {
        "total_feedback": counts["total"],
        "average_rating": _round(counts["average"]),
        "satisfaction_rate": rate(counts["satisfied"], counts["total"]),
        "recommend_rate": rate(counts["recommend_yes"], counts["recommend_answered"]),
        "courteous_rate": rate(counts["courteous_yes"], counts["courteous_answered"]),
        "responded": counts["responded"],
        "median_response_hours": None if median is None else round(median.total_seconds() / 3600, 2),
    }


def summary(params):
    """Headline figures: counts, average rating, satisfaction/recommend/courtesy rates, median response time."""
    feedback = selectors.feedback(params.period, params.filters)
    return _summary(feedback, _counts(feedback))


def recent_comments(params):
    """The latest non-blank comments as [date, rating, comment]: no patient field is even selected."""
    rows = (
        selectors.feedback(params.period, params.filters)
        .annotate(trimmed=Trim("comments"))
        .exclude(trimmed="")
        .annotate(comment=Substr("trimmed", 1, COMMENT_CHARS), length=Length("trimmed"))
        .order_by("-submitted_at", "-pk")
        .values_list("submitted_at", "rating", "comment", "length")[:RECENT_COMMENTS]
    )
    return [
        [selectors.local_date(at, params.period).isoformat(), rating, comment + ("…" if length > COMMENT_CHARS else "")]
        for at, rating, comment, length in rows
    ]


def build(params):
    """The feedback analysis document."""
    period = params.period
    feedback = selectors.feedback(period, params.filters)
    counts = _counts(feedback, **RATING_COUNTS)  # the summary and the ratings in one pass
    figures = _summary(feedback, counts)
    total = figures["total_feedback"]

    distribution = [[value, counts[f"rating_{value}"], rate(counts[f"rating_{value}"], total)] for value in RATINGS]
    params.progress(1 / 3)
    counted = selectors.monthly(feedback, "submitted_at", period, count=Count("pk"), average=Avg("rating"))
    monthly = [
        [month_label(month), row["count"], _round(row["average"])]
        for month, row in fill_months(period, counted, {"count": 0, "average": None})
    ]
    params.progress(2 / 3)
    comments = recent_comments(params)
    params.progress(1)

    return document(
        params,
        REPORT_TYPE,
        NAME,
        record_count=total,
        summary=figures,
        sections=[
            Section("rating_distribution", "Ratings", ["rating", "count", "share"], distribution),
            Section("monthly", "Feedback by month", ["month", "count", "average_rating"], monthly),
            Section("recent_comments", "Recent comments", ["date", "rating", "comment"], comments),
        ],
        charts=[
            Chart("rating_distribution", "Ratings", "bar", "rating_distribution", "rating", ["count"]),
            Chart("monthly", "Feedback by month", "line", "monthly", "month", ["count"]),
        ],
        notes=[] if total else ["No data in this period."],
    )
