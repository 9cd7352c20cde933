"""Campaign performance: participation, attendance and reach of health campaigns running in a period."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, Sum

from campaigns.models import CampaignParticipant, CampaignType, HealthCampaign
from patients.models import Patient
from reports import suppression
from reports.catalog import queries
from reports.catalog.filters import ChoiceFilter
from reports.catalog.report_type import ReportType
from reports.document import COUNT, DATE, RATE, TEXT, Chart, Content, Section, rate
from reports.models import UserLogin
from uscpis.roles import Role
from visits.models import DentalVisit, MedicalVisit

FILTERS = {"campaign_type": ChoiceFilter(CampaignType.choices, label="Campaign type")}

MAX_CAMPAIGN_ROWS = 200
ATTENDED = Q(participants__attended=True)
TYPE_LABELS = dict(CampaignType.choices)

LABELS = {
    "reach_rate": "Reach",
    "adoption_rate": "Login adoption rate",
}
# Campaigns and their page views count no patients: they are shown as they are.
SUPPRESSION = suppression.Rules(
    counts=(
        "total_participants",
        "unique_participants",
        "total_attended",
        "active_patients",
        "patients_with_login",
        "patients_logged_in",
    ),
    shown=("campaigns", "total_views"),
    derived={
        "attendance_rate": suppression.rate("total_attended", over="total_participants"),
        "adoption_rate": suppression.rate("patients_logged_in", over="patients_with_login"),
    },
    within={"total_attended": "total_participants", "patients_logged_in": "patients_with_login"},
    record_count="campaigns",
    sections={
        "campaigns": suppression.Table(
            shown=("title", "campaign_type", "start_date", "end_date", "views"),
            counts=("participants", "attended"),
            derived={
                "attendance_rate": suppression.rate("attended", over="participants"),
                "reach_rate": suppression.rate("participants", over="active_patients"),
            },
            totals={"participants": "total_participants", "attended": "total_attended"},
            within={"attended": "participants"},
        ),
        "by_campaign_type": suppression.Table(
            shown=("campaign_type", "campaigns"),
            counts=("participants", "attended"),
            derived={"attendance_rate": suppression.rate("attended", over="participants")},
            totals={"participants": "total_participants", "attended": "total_attended"},
            within={"attended": "participants"},
        ),
    },
    # The campaigns of a type add up to that type's row.
    groups=tuple(
        suppression.Group(
            (suppression.Cells("campaigns", column, rows=(label,), match="campaign_type"),),
            suppression.Cells("by_campaign_type", column, rows=(label,)),
        )
        for label in TYPE_LABELS.values()
        for column in ("participants", "attended")
    ),
)


def campaigns(params):
    """Campaigns overlapping the period (inclusive dates), narrowed by the report's filters."""
    queryset = HealthCampaign.objects.filter(start_date__lte=params.period.end, end_date__gte=params.period.start)
    if "campaign_type" in params.filters:
        queryset = queryset.filter(campaign_type=params.filters["campaign_type"])
    return queryset


def login_adoption(period):
    """Patients with a login, and how many of them logged in at least once during the period."""
    logged_in = UserLogin.objects.filter(user=OuterRef("user"), **period.lookup("logged_in_at"))
    return Patient.objects.filter(user__isnull=False).aggregate(
        patients_with_login=Count("id"),
        patients_logged_in=Count("id", filter=Exists(logged_in)),
    )


def headline(params):
    """The headline figures: campaigns, participation, attendance, active patients and login adoption."""
    selected = campaigns(params)
    figures = selected.aggregate(campaigns=Count("id"), total_views=Sum("view_count", default=0))
    figures.update(
        CampaignParticipant.objects.filter(campaign__in=selected).aggregate(
            total_participants=Count("id"),
            unique_participants=Count("patient", distinct=True),
            total_attended=Count("id", filter=Q(attended=True)),
        )
    )
    figures["attendance_rate"] = rate(figures["total_attended"], figures["total_participants"])
    figures["active_patients"] = queries.patients_seen(params)
    figures.update(login_adoption(params.period))
    figures["adoption_rate"] = rate(figures["patients_logged_in"], figures["patients_with_login"])
    return figures


def campaign_counts(selected):
    """Every selected campaign with its participants and attendance, the most participants first.

    One grouped query; its rows are campaigns, which a clinic runs by the dozen, not patients.
    """
    return list(
        selected.annotate(
            participant_count=Count("participants"),
            attended_count=Count("participants", filter=ATTENDED),
        )
        .order_by("-participant_count", "start_date", "id")
        .values_list(
            "title", "campaign_type", "start_date", "end_date", "view_count", "participant_count", "attended_count"
        )
    )


def campaign_rows(counted, active):
    """One row per campaign of ``counted``, at most MAX_CAMPAIGN_ROWS."""
    return [
        [
            title,
            str(TYPE_LABELS[campaign_type]),
            start_date.isoformat(),
            end_date.isoformat(),
            views,
            participants,
            attended,
            rate(attended, participants),
            rate(participants, active),
        ]
        for title, campaign_type, start_date, end_date, views, participants, attended in counted[:MAX_CAMPAIGN_ROWS]
    ]


def type_rows(counted):
    """One row per campaign type, in the choices' order: the sums of its campaigns in ``counted``."""
    totals = {value: [0, 0, 0] for value in TYPE_LABELS}
    for _title, campaign_type, _start, _end, _views, participants, attended in counted:
        total = totals[campaign_type]
        total[0] += 1
        total[1] += participants
        total[2] += attended
    return [
        [str(label), campaigns, participants, attended, rate(attended, participants)]
        for label, (campaigns, participants, attended) in zip(TYPE_LABELS.values(), totals.values(), strict=True)
    ]


class CampaignPerformance(ReportType):
    key = "CAMPAIGN_PERFORMANCE"
    name = "Campaign performance"
    description = (
        "Health campaigns running in the period: views, participants, attendance, reach among active patients, "
        "by campaign type, and patients' adoption of their logins."
    )
    contents = "Views, participants, attendance and reach per campaign · by type · login adoption"
    reads = (Patient, MedicalVisit, DentalVisit, HealthCampaign, CampaignParticipant, get_user_model(), UserLogin)
    summary_kinds = {
        "campaigns": COUNT,
        "total_views": COUNT,
        "total_participants": COUNT,
        "unique_participants": COUNT,
        "total_attended": COUNT,
        "attendance_rate": RATE,
        "active_patients": COUNT,
        "patients_with_login": COUNT,
        "patients_logged_in": COUNT,
        "adoption_rate": RATE,
    }
    filters = FILTERS
    suppression = SUPPRESSION
    roles = (Role.ADMIN, Role.STAFF, Role.DOCTOR, Role.NURSE)

    def compute(self, params, *, headline_only=False):
        figures = headline(params)
        if headline_only:
            return Content(record_count=figures["campaigns"], summary=figures)
        counted = campaign_counts(campaigns(params))
        params.progress(0.6)
        rows = campaign_rows(counted, figures["active_patients"])
        by_type = type_rows(counted)
        params.progress(0.9)

        notes = []
        if not figures["campaigns"]:
            notes.append("No data in this period.")
        if figures["campaigns"] > MAX_CAMPAIGN_ROWS:
            notes.append(
                f"The campaign table lists the {MAX_CAMPAIGN_ROWS} campaigns with the most participants "
                f"of {figures['campaigns']}; the summary and the by-type table cover them all."
            )
        return Content(
            record_count=figures["campaigns"],
            summary=figures,
            sections=[
                Section(
                    "campaigns",
                    "Campaigns",
                    {
                        "title": TEXT,
                        "campaign_type": TEXT,
                        "start_date": DATE,
                        "end_date": DATE,
                        "views": COUNT,
                        "participants": COUNT,
                        "attended": COUNT,
                        "attendance_rate": RATE,
                        "reach_rate": RATE,
                    },
                    rows,
                    compared=False,  # a listing of campaigns: each period has its own
                ),
                Section(
                    "by_campaign_type",
                    "By campaign type",
                    {
                        "campaign_type": TEXT,
                        "campaigns": COUNT,
                        "participants": COUNT,
                        "attended": COUNT,
                        "attendance_rate": RATE,
                    },
                    by_type,
                ),
            ],
            charts=[
                Chart(
                    "by_campaign_type",
                    "Participants by campaign type",
                    "bar",
                    "by_campaign_type",
                    "campaign_type",
                    ["participants", "attended"],
                    "Patients",
                ),
            ],
            notes=notes,
            labels=LABELS,
        )
