"""Comprehensive analytics: every report's headline figures, user activity by role and clinician efficiency.

The headline figures come from each report type's ``headline(params)`` over the
whole clinic (no filters). A key two reports share is prefixed by each one's
report type in lower case, e.g. ``visit_trends_unique_patients``.
"""

from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Case, Count, Exists, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from reports import catalog, suppression
from reports.catalog import queries
from reports.catalog.report_type import ReportParams, ReportType
from reports.catalog.types import campaign_performance, medical_statistics
from reports.catalog.types.campaign_performance import CampaignPerformance
from reports.catalog.types.dental_statistics import DentalStatistics
from reports.catalog.types.feedback_analysis import FeedbackAnalysis
from reports.catalog.types.medical_statistics import MedicalStatistics
from reports.catalog.types.patient_summary import PatientSummary
from reports.catalog.types.treatment_outcomes import TreatmentOutcomes
from reports.catalog.types.visit_trends import VisitTrends
from reports.document import COUNT, PER_DAY, TEXT, Chart, Content, Section
from reports.models import GeneratedReport, UserLogin
from uscpis.roles import Role

SOURCES = tuple(
    catalog.get(source.key)
    for source in (
        PatientSummary,
        VisitTrends,
        TreatmentOutcomes,
        FeedbackAnalysis,
        MedicalStatistics,
        DentalStatistics,
        CampaignPerformance,
    )
)
NO_ROLE = "No role"


def headline_figures(params):
    """``{report type: summary}`` of every source report over the period, unfiltered.

    The sources share one run's parameters, so a figure several show (the active patients)
    is counted once.
    """
    unfiltered = ReportParams(period=params.period)
    figures = {}
    for position, source in enumerate(SOURCES, start=1):
        figures[source.key] = source.headline(unfiltered)
        params.progress(0.7 * position / len(SOURCES))
    return figures


def merge(figures):
    """One summary dict; a key found in several reports is prefixed by each report type."""
    seen = Counter(key for summary in figures.values() for key in summary)
    return {
        (f"{report_type.lower()}_{key}" if seen[key] > 1 else key): value
        for report_type, summary in figures.items()
        for key, value in summary.items()
    }


# The sources' rules under their merged keys, and what holds between them: unfiltered over one
# period, some are the same figure (``total_cases`` is ``total_visits``). Clinicians and working
# days count no patients: they are shown as they are.
SUPPRESSION = suppression.combine(
    {source.key: source.suppression for source in SOURCES},
    merge,
    suppression.Rules(
        counts=("reports_generated", "users_logged_in", "logins", "attended_visits"),
        shown=("attending_clinicians", "working_days"),
        derived={"visits_per_clinician_per_day": suppression.computed_from("attended_visits")},
        within={"attended_visits": "total_visits"},
        record_count=(
            "medical_statistics_medical_visits",
            "dental_statistics_dental_visits",
            "total_feedback",
            "campaigns",
            "reports_generated",
        ),
        sections={
            "user_activity": suppression.Table(
                shown=("role",), counts=("users", "logged_in", "logins", "reports_generated")
            ),
            "efficiency": suppression.Table(
                shown=("attending_clinicians", "working_days"),
                counts=("attended_visits",),
                derived={"visits_per_clinician_per_day": suppression.computed_from("attended_visits")},
            ),
        },
        groups=tuple(
            suppression.Group((part,), total)
            for part, total in (
                ("total_visits", "total_cases"),
                ("visit_trends_medical_visits", "medical_statistics_medical_visits"),
                ("visit_trends_dental_visits", "dental_statistics_dental_visits"),
                ("visit_trends_unique_patients", "patient_summary_active_patients"),
                ("visit_trends_unique_patients", "campaign_performance_active_patients"),
                (suppression.Cells("efficiency", "attended_visits"), "attended_visits"),
            )
        ),
    ),
)


# The figures of ``efficiency``, in the summary and as the efficiency section's one row.
EFFICIENCY = {
    "attended_visits": COUNT,
    "attending_clinicians": COUNT,
    "working_days": COUNT,
    "visits_per_clinician_per_day": PER_DAY,
}


def role_mask():
    """Per user, the roles held as bits (bit ``i`` for ``Role.values[i]``), in one subquery on the memberships."""
    membership = get_user_model().groups.through.objects
    bits = [When(group__name=role, then=Value(1 << i)) for i, role in enumerate(Role.values)]
    masks = (
        membership.filter(user=OuterRef("pk"), group__name__in=Role.values)
        .order_by()
        .values("user")
        .annotate(mask=Sum(Case(*bits, default=Value(0))))
        .values("mask")
    )
    return Coalesce(Subquery(masks), 0)


def rows_per_user(model, user_field, lookup):
    """The number of ``model`` rows matching ``lookup`` of each user (a subquery on the user's index)."""
    rows = (
        model.objects.filter(**{user_field: OuterRef("pk")}, **lookup)
        .order_by()
        .values(user_field)
        .annotate(rows=Count("pk"))
        .values("rows")
    )
    return Coalesce(Subquery(rows), 0)


def counts_by_role(conditions, sums):
    """Users, users meeting each condition, and the sum of each per-user count, by role and overall.

    ``({role label: [users, *conditions, *sums]}, [the same over all users])``. The users are
    grouped by their roles (a bitmask) and conditions in the database (a handful of groups), then
    added up per role here. Superusers count as ADMIN; "No role" is a user with none; a user
    with two roles counts under both.
    """
    names = [f"condition_{i}" for i in range(len(conditions))]
    totals = {f"sum_{i}": Sum(f"per_user_{i}") for i in range(len(sums))}
    grouped = (
        get_user_model()
        .objects.annotate(
            roles=role_mask(),
            **dict(zip(names, conditions, strict=True)),
            **{f"per_user_{i}": expression for i, expression in enumerate(sums)},
        )
        .values("roles", "is_superuser", *names)
        .annotate(users=Count("pk"), **totals)
        .order_by()
    )
    width = 1 + len(conditions) + len(sums)
    by_role = {label: [0] * width for label in (*(str(role.label) for role in Role), NO_ROLE)}
    overall = [0] * width
    for group in grouped:
        counts = [group["users"], *(group["users"] if group[name] else 0 for name in names)]
        counts += [group[name] or 0 for name in totals]
        held = [
            role
            for i, role in enumerate(Role)
            if group["roles"] & (1 << i) or (role == Role.ADMIN and group["is_superuser"])
        ]
        for label in [str(role.label) for role in held] or [NO_ROLE]:
            by_role[label] = [total + count for total, count in zip(by_role[label], counts, strict=True)]
        overall = [total + count for total, count in zip(overall, counts, strict=True)]
    return by_role, overall


def user_activity(period):
    """Rows ``[role, users, logged_in, logins, reports_generated]`` and the totals, in one query over the users."""
    logged_in = Exists(UserLogin.objects.filter(user=OuterRef("pk"), **period.lookup("logged_in_at")))
    logins = rows_per_user(UserLogin, "user", period.lookup("logged_in_at"))
    reports = rows_per_user(GeneratedReport, "generated_by", period.lookup("created_at"))
    by_role, overall = counts_by_role((Q(is_active=True), logged_in), (logins, reports))
    rows = [[label, *counts[1:]] for label, counts in by_role.items()]
    totals = {"reports_generated": overall[4], "users_logged_in": overall[2], "logins": overall[3]}
    return rows, totals


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


class ComprehensiveAnalytics(ReportType):
    key = "COMPREHENSIVE_ANALYTICS"
    name = "Comprehensive analytics"
    description = (
        "The headline figures of every report, user activity (logins and reports generated) by role, "
        "and visits per clinician per working day."
    )
    contents = "Headline figures of every report · user activity by role · visits per clinician a day"
    reads = (
        *{model for source in SOURCES for model in source.reads},
        get_user_model(),
        Group,
        get_user_model().groups.through,
        UserLogin,
        GeneratedReport,
    )
    summary_kinds = {
        **merge({source.key: source.summary_kinds for source in SOURCES}),
        "reports_generated": COUNT,
        "users_logged_in": COUNT,
        "logins": COUNT,
        **EFFICIENCY,
    }
    suppression = SUPPRESSION
    roles = (Role.ADMIN, Role.DOCTOR)

    def compute(self, params, *, headline_only=False):
        figures = headline_figures(params)
        summary = merge(figures)

        activity, totals = user_activity(params.period)
        summary.update(totals)
        params.progress(0.85)

        work = efficiency(params.period)
        summary.update(work)
        params.progress(0.95)

        medical = figures[MedicalStatistics.key]["medical_visits"]
        dental = figures[DentalStatistics.key]["dental_visits"]
        feedback = figures[FeedbackAnalysis.key]["total_feedback"]
        campaigns = figures[CampaignPerformance.key]["campaigns"]
        record_count = medical + dental + feedback + campaigns + totals["reports_generated"]
        if headline_only:
            return Content(record_count=record_count, summary=summary)
        return Content(
            record_count=record_count,
            summary=summary,
            sections=[
                Section(
                    "user_activity",
                    "User activity by role",
                    {"role": TEXT, "users": COUNT, "logged_in": COUNT, "logins": COUNT, "reports_generated": COUNT},
                    activity,
                ),
                Section("efficiency", "Efficiency", EFFICIENCY, [[work[key] for key in EFFICIENCY]]),
            ],
            charts=[
                Chart(
                    "user_activity",
                    "User activity by role",
                    "bar",
                    "user_activity",
                    "role",
                    ["logged_in", "logins", "reports_generated"],
                    "Number",
                ),
            ],
            notes=[] if record_count else ["No data in this period."],
            labels={**medical_statistics.LABELS, **campaign_performance.LABELS},
        )
