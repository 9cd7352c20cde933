"""Treatment outcomes: how medical and dental cases ended, and the most frequent diagnoses.

A case is one medical or dental visit dated within the period. Success is an
outcome of RESOLVED or IMPROVED, out of the cases with an outcome (not PENDING).
"""

from django.db.models import CharField, Count, F, Q, Value

from patients.models import Patient
from reports import suppression
from reports.catalog import queries
from reports.catalog.filters import ChoiceFilter
from reports.catalog.report_type import ReportType
from reports.document import COUNT, RATE, TEXT, Chart, Content, Section, rate
from uscpis.roles import Role
from visits import icd10
from visits.models import DentalVisit, MedicalVisit, Outcome

FILTERS = {
    "visit_type": ChoiceFilter(queries.VISIT_TYPES, label="Visit type"),
    "sex": ChoiceFilter(queries.SEX_CHOICES, label="Sex"),
    "patient_type": ChoiceFilter(queries.PATIENT_TYPE_CHOICES, label="Patient type"),
    "outcome": ChoiceFilter(queries.OUTCOME_CHOICES, label="Outcome"),
}
TOP_DIAGNOSES = 10
SUPPRESSION = suppression.Rules(
    counts=("total_cases", "cases_with_outcome", "follow_up_required"),
    derived={
        "success_rate": suppression.rate(over="cases_with_outcome"),
        "follow_up_rate": suppression.rate("follow_up_required", over="total_cases"),
    },
    within={"cases_with_outcome": "total_cases", "follow_up_required": "total_cases"},
    record_count="total_cases",
    sections={
        "outcomes": suppression.Table(
            shown=("outcome",),
            counts=("cases",),
            derived={"share": suppression.rate("cases", over="total_cases")},
            totals={"cases": "total_cases"},
        ),
        "top_diagnoses": suppression.Table(
            shown=("diagnosis",),
            counts=("cases",),
            derived={"success_rate": suppression.rate(within="cases")},
        ),
    },
    groups=(
        suppression.Group(
            (suppression.Cells("outcomes", "cases", rows=(Outcome.PENDING.label,), exclude=True),),
            "cases_with_outcome",
        ),
        suppression.Group(
            (suppression.Cells("outcomes", "cases", rows=tuple(value.label for value in queries.SUCCESS_OUTCOMES)),),
            "success_rate",
        ),
    ),
)


def _counts(params):
    """Per-outcome case counts and follow-ups summed over both tables (one aggregate per table)."""
    aggregates = {value: Count("pk", filter=Q(outcome=value)) for value in Outcome.values}
    aggregates["follow_up"] = Count("pk", filter=Q(follow_up_required=True))
    medical, dental = queries.visit_querysets(params.period, params.filters)
    return queries.add_counts(medical.aggregate(**aggregates), dental.aggregate(**aggregates))


def _summary(counts):
    total = sum(counts[value] for value in Outcome.values)
    with_outcome = total - counts[Outcome.PENDING]
    successes = sum(counts[value] for value in queries.SUCCESS_OUTCOMES)
    return {
        "total_cases": total,
        "cases_with_outcome": with_outcome,
        "success_rate": rate(successes, with_outcome),
        "follow_up_required": counts["follow_up"],
        "follow_up_rate": rate(counts["follow_up"], total),
    }


def _grouped(visits, code):
    """Non-blank diagnoses of ``visits`` aggregated by key: the ICD-10 ``code`` if any, else the folded text."""
    return (
        visits.alias(coded=code)
        .annotate(key=queries.diagnosis_key("coded"), code=F("coded"))
        .exclude(key="")
        .values("key", "code")
        .annotate(
            cases=Count("pk"),
            successes=Count("pk", filter=queries.visit_success_q()),
            with_outcome=Count("pk", filter=queries.visit_has_outcome_q()),
            recorded=queries.recorded_diagnosis(),
        )
    )


def top_diagnoses(params):
    """Rows of the most frequent diagnoses over both visit tables, grouped in the database."""
    medical, dental = queries.visit_querysets(params.period, params.filters)
    rows = queries.top_groups(
        [_grouped(medical, queries.diagnosis_code()), _grouped(dental, Value("", output_field=CharField()))],
        keys=["key", "code"],
        sums=["cases", "successes", "with_outcome"],
        maxes=["recorded"],
        order_by="cases",
        limit=TOP_DIAGNOSES,
    )
    rows.sort(key=lambda row: (-row["cases"], row["key"], row["code"]))  # the same tie order on every database
    return [
        [icd10.describe(row["code"], row["recorded"]), row["cases"], rate(row["successes"], row["with_outcome"])]
        for row in rows
    ]


class TreatmentOutcomes(ReportType):
    key = "TREATMENT_OUTCOMES"
    name = "Treatment outcomes"
    description = "Outcomes of medical and dental cases, success and follow-up rates, and the top diagnoses."
    contents = "Success and follow-up rates · outcomes · top 10 diagnoses with their success rates"
    reads = (Patient, MedicalVisit, DentalVisit)
    summary_kinds = {
        "total_cases": COUNT,
        "cases_with_outcome": COUNT,
        "success_rate": RATE,
        "follow_up_required": COUNT,
        "follow_up_rate": RATE,
    }
    filters = FILTERS
    suppression = SUPPRESSION
    roles = (Role.ADMIN, Role.DOCTOR, Role.DENTIST, Role.NURSE)

    def compute(self, params, *, headline_only=False):
        counts = _counts(params)
        figures = _summary(counts)
        total = figures["total_cases"]
        if headline_only:
            return Content(record_count=total, summary=figures)
        outcomes = [[label, counts[value], rate(counts[value], total)] for value, label in Outcome.choices]
        params.progress(0.5)
        diagnoses = top_diagnoses(params)
        params.progress(1)
        return Content(
            record_count=total,
            summary=figures,
            sections=[
                Section("outcomes", "Outcomes", {"outcome": TEXT, "cases": COUNT, "share": RATE}, outcomes),
                Section(
                    "top_diagnoses",
                    f"Top {TOP_DIAGNOSES} diagnoses",
                    {"diagnosis": TEXT, "cases": COUNT, "success_rate": RATE},
                    diagnoses,
                ),
            ],
            charts=[
                Chart("outcomes", "Outcomes", "pie", "outcomes", "outcome", ["cases"]),
                Chart("top_diagnoses", "Top diagnoses", "bar", "top_diagnoses", "diagnosis", ["cases"]),
            ],
            notes=[] if total else ["No data in this period."],
        )
