"""Comprehensive analytics: every report's headline figures, user activity by role and clinician efficiency.

The headline figures come from each report type's ``summary(params)`` over the
whole clinic (no filters). A key two reports share is prefixed by each one's
report type in lower case, e.g. ``visit_trends_unique_patients``.
"""

import operator
from collections import Counter
from functools import reduce

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q

from reports.document import Chart, Section
from reports.models import GeneratedReport
from uscpis.roles import Role

from . import (
    base,
    campaign_performance,
    dental_statistics,
    feedback_analysis,
    medical_statistics,
    patient_summary,
    selectors,
    treatment_outcomes,
    visit_trends,
)

REPORT_TYPE = "COMPREHENSIVE_ANALYTICS"
NAME = "Comprehensive analytics"
DESCRIPTION = (
    "The headline figures of every report, user activity (logins and reports generated) by role, "
    "and visits per clinician per working day."
)
FILTERS = {}

SOURCES = (
    patient_summary,
    visit_trends,
    treatment_outcomes,
    feedback_analysis,
    medical_statistics,
    dental_statistics,
    campaign_performance,
)
NO_ROLE = "No role"


def headline_figures(params):
    """``{report type: summary}`` of every source report over the period, unfiltered."""
    unfiltered = base.ReportParams(period=params.period)
    figures = {}
    for position, module in enumerate(SOURCES, start=1):
        figures[module.REPORT_TYPE] = module.summary(unfiltered)
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


def role_conditions(user):
    """Annotations, and ``[(role label, Q)]`` selecting the rows whose user holds each role.

    ``user`` is the path from the counted model to the user ("" on the user
    model itself). Superusers count as ADMIN; "No role" is a user with none.
    """
    prefix = f"{user}__" if user else ""
    membership = get_user_model().groups.through.objects
    annotations = {
        f"holds_{role.lower()}": Exists(membership.filter(user=OuterRef(f"{prefix}pk"), group__name=role))
        for role in Role.values
    }
    superuser = Q(**{f"{prefix}is_superuser": True})

    def holds(role):
        member = Q(**{f"holds_{role.lower()}": True})
        return member | superuser if role == Role.ADMIN else member

    conditions = [(str(role.label), holds(role)) for role in Role]
    conditions.append((NO_ROLE, ~reduce(operator.or_, (condition for _, condition in conditions))))
    return annotations, conditions


def user_activity(period):
    """Rows ``[role, users, logged_in, reports_generated]`` and the totals (two queries)."""
    logged_in = Q(**period.lookup("last_login"))
    annotations, conditions = role_conditions("")
    users = (
        get_user_model()
        .objects.annotate(**annotations)
        .aggregate(
            users_logged_in=Count("pk", filter=logged_in),
            **{f"users_{i}": Count("pk", filter=q & Q(is_active=True)) for i, (_, q) in enumerate(conditions)},
            **{f"logins_{i}": Count("pk", filter=q & logged_in) for i, (_, q) in enumerate(conditions)},
        )
    )
    annotations, conditions = role_conditions("generated_by")
    reports = (
        GeneratedReport.objects.filter(**period.lookup("created_at"))
        .annotate(**annotations)
        .aggregate(
            reports_generated=Count("pk"),
            **{f"reports_{i}": Count("pk", filter=q) for i, (_, q) in enumerate(conditions)},
        )
    )
    rows = [
        [label, users[f"users_{i}"], users[f"logins_{i}"], reports[f"reports_{i}"]]
        for i, (label, _) in enumerate(conditions)
    ]
    totals = {"reports_generated": reports["reports_generated"], "users_logged_in": users["users_logged_in"]}
    return rows, totals


def working_days(period):
    """Mondays to Fridays in the period."""
    weeks, extra = divmod(period.days, 7)
    first = period.start.weekday()
    return weeks * 5 + sum(1 for offset in range(extra) if (first + offset) % 7 < 5)


def efficiency(period):
    """Visits with an attending clinician ÷ distinct attending clinicians ÷ working days (three queries)."""
    medical = selectors.medical_visits(period, {}).filter(attended_by__isnull=False)
    dental = selectors.dental_visits(period, {}).filter(attended_by__isnull=False)
    attended = medical.count() + dental.count()
    clinicians = (
        get_user_model()
        .objects.filter(
            Q(Exists(medical.filter(attended_by=OuterRef("pk")))) | Q(Exists(dental.filter(attended_by=OuterRef("pk"))))
        )
        .count()
    )
    days = working_days(period)
    per_day = round(attended / clinicians / days, 2) if clinicians and days else None
    return {
        "attended_visits": attended,
        "attending_clinicians": clinicians,
        "working_days": days,
        "visits_per_clinician_per_day": per_day,
    }


def build(params):
    figures = headline_figures(params)
    summary = merge(figures)

    activity, totals = user_activity(params.period)
    summary.update(totals)
    params.progress(0.85)

    work = efficiency(params.period)
    summary.update(work)
    params.progress(0.95)

    medical = figures[medical_statistics.REPORT_TYPE]["medical_visits"]
    dental = figures[dental_statistics.REPORT_TYPE]["dental_visits"]
    feedback = figures[feedback_analysis.REPORT_TYPE]["total_feedback"]
    campaigns = figures[campaign_performance.REPORT_TYPE]["campaigns"]
    record_count = medical + dental + feedback + campaigns + totals["reports_generated"]
    notes = [
        "Logins count users whose last login falls in the period: Django records only each user's last login.",
    ]
    if not record_count:
        notes.insert(0, "No data in this period.")
    return base.document(
        params,
        REPORT_TYPE,
        NAME,
        record_count=record_count,
        summary=summary,
        sections=[
            Section(
                "user_activity", "User activity by role", ["role", "users", "logged_in", "reports_generated"], activity
            ),
            Section("efficiency", "Efficiency", list(work), [list(work.values())]),
        ],
        charts=[
            Chart(
                "user_activity",
                "User activity by role",
                "bar",
                "user_activity",
                "role",
                ["logged_in", "reports_generated"],
            ),
        ],
        notes=notes,
        labels={**medical_statistics.LABELS, **campaign_performance.LABELS},
    )
