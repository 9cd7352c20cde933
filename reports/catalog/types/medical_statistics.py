"""Medical statistics: visits, diagnoses and vital signs of medical visits in a period."""

from decimal import Decimal

from django.db.models import Avg, Case, Count, ExpressionWrapper, F, FloatField, Q, Value, When
from django.db.models.functions import Cast

from patients.models import Patient
from reports import suppression
from reports.catalog import queries
from reports.catalog.breakdowns import STEP, by_step, by_value, choice_rows, step_column, step_labels
from reports.catalog.filters import ChoiceFilter
from reports.catalog.report_type import ReportType
from reports.document import BPM, COUNT, RATE, TEXT, Chart, Content, Section, rate
from reports.periods import Series
from uscpis.roles import Role
from visits import icd10
from visits.models import MedicalVisit

FILTERS = {
    "sex": ChoiceFilter(queries.SEX_CHOICES, label="Sex"),
    "patient_type": ChoiceFilter(queries.PATIENT_TYPE_CHOICES, label="Patient type"),
}

FEVER_C = Decimal("37.5")
TOP_DIAGNOSES = 10

# AHA blood-pressure categories in display order; the first matching rule from
# the most severe down decides a visit's category.
BP_CATEGORIES = (
    ("NORMAL", "Normal", Q()),
    ("ELEVATED", "Elevated", Q(systolic_bp__gte=120)),
    ("STAGE_1", "Hypertension stage 1", Q(systolic_bp__gte=130) | Q(diastolic_bp__gte=80)),
    ("STAGE_2", "Hypertension stage 2", Q(systolic_bp__gte=140) | Q(diastolic_bp__gte=90)),
    ("CRISIS", "Hypertensive crisis", Q(systolic_bp__gt=180) | Q(diastolic_bp__gt=120)),
)

# BMI bands (kg/m2) in display order, each below its upper bound; the last has none.
BMI_BANDS = (
    ("UNDERWEIGHT", "Underweight (< 18.5)", 18.5),
    ("NORMAL", "Normal (18.5-24.9)", 25.0),
    ("OVERWEIGHT", "Overweight (25-29.9)", 30.0),
    ("OBESE", "Obese (>= 30)", None),
)

LABELS = {
    "fever_rate": "Fever share (temperature 37.5 \N{DEGREE SIGN}C or more)",
    "average_heart_rate_bpm": "Average heart rate",
}
SUPPRESSION = suppression.Rules(
    counts=("medical_visits", "unique_patients", "visits_with_temperature", "fever_visits"),
    derived={
        "fever_rate": suppression.rate("fever_visits", over="visits_with_temperature"),
        "average_heart_rate_bpm": suppression.computed_from("medical_visits"),
    },
    within={"visits_with_temperature": "medical_visits", "fever_visits": "visits_with_temperature"},
    record_count="medical_visits",
    sections={
        "top_diagnoses": suppression.Table(
            shown=("diagnosis",),
            counts=("visits", "patients"),
            derived={"share": suppression.rate("visits", over="medical_visits")},
        ),
        **{
            key: suppression.Table(
                shown=(category,),
                counts=("visits",),
                derived={"share": suppression.rate("visits")},
                totals={"visits": suppression.IMPLIED},
            )
            for key, category in (("blood_pressure", "category"), ("bmi_bands", "band"))
        },
        "by_patient_type": suppression.Table(
            shown=("patient_type",),
            counts=("visits", "patients"),
            derived={"share": suppression.rate("visits", over="medical_visits")},
            totals={"visits": "medical_visits", "patients": "unique_patients"},
        ),
        "over_time": suppression.Table(
            shown=(STEP,), counts=("visits", "patients"), totals={"visits": "medical_visits"}
        ),
    },
)


def visits(params):
    """Medical visits in the period, narrowed by the report's filters."""
    return queries.medical_visits(params.period, params.filters)


SUMMARY = {
    "medical_visits": Count("id"),
    "unique_patients": Count("patient", distinct=True),
    "visits_with_temperature": Count("id", filter=Q(temperature_c__isnull=False)),
    "fever_visits": Count("id", filter=Q(temperature_c__gte=FEVER_C)),
    "average_heart_rate": Avg("heart_rate"),
}
HAS_BP = Q(systolic_bp__isnull=False, diastolic_bp__isnull=False)
HAS_BMI = Q(weight_kg__isnull=False, height_cm__isnull=False)


def _summary(figures):
    figures = {key: figures[key] for key in SUMMARY}
    heart_rate = figures.pop("average_heart_rate")
    figures["fever_rate"] = rate(figures["fever_visits"], figures["visits_with_temperature"])
    figures["average_heart_rate_bpm"] = None if heart_rate is None else round(heart_rate, 1)
    return figures


def top_diagnoses_rows(queryset, total, limit=TOP_DIAGNOSES):
    """The ``limit`` most frequent diagnoses, grouped by the ICD-10 code when present, else by the text folded.

    Each is named by ``icd10.describe``: "Name (code)", or the text as recorded.
    """
    grouped = (
        queryset.alias(coded=queries.diagnosis_code())
        .annotate(key=queries.diagnosis_key("coded"), code=F("coded"))
        .exclude(key="")
        .order_by()
        .values("key", "code")
        .annotate(visits=Count("id"), patients=Count("patient", distinct=True), recorded=queries.recorded_diagnosis())
        .order_by("-visits", "key")[:limit]
    )
    ranked = sorted(grouped, key=lambda row: (-row["visits"], row["key"]))  # the same tie order on every database
    return [
        [icd10.describe(row["code"], row["recorded"]), row["visits"], row["patients"], rate(row["visits"], total)]
        for row in ranked
    ]


NOT_MEASURED = ""


def blood_pressure_category():
    """The visit's blood-pressure category: the first rule matching from the most severe; blank if not measured."""
    whens = [When(rule, then=Value(key)) for key, _, rule in reversed(BP_CATEGORIES[1:])]
    return Case(When(~HAS_BP, then=Value(NOT_MEASURED)), *whens, default=Value(BP_CATEGORIES[0][0]))


def bmi():
    """weight / height² in kg/m², computed in floating point by the database."""
    weight = Cast("weight_kg", FloatField())
    height = Cast("height_cm", FloatField())
    return ExpressionWrapper(weight * Value(10000.0) / (height * height), output_field=FloatField())


def bmi_band():
    """The visit's BMI band (``bmi`` an alias); blank without weight and height."""
    whens = [When(bmi__lt=upper, then=Value(key)) for key, _, upper in BMI_BANDS[:-1]]
    return Case(When(~HAS_BMI, then=Value(NOT_MEASURED)), *whens, default=Value(BMI_BANDS[-1][0]))


def category_counts(queryset):
    """``({bp category: visits}, {bmi band: visits})`` from one query grouping by both (each CASE once per row)."""
    grouped = (
        queryset.alias(bmi=bmi())
        .annotate(bp_category=blood_pressure_category(), bmi_band=bmi_band())
        .values("bp_category", "bmi_band")
        .annotate(visits=Count("id"))
        .order_by()
    )
    pressures, bands = {}, {}
    for row in grouped:
        pressures[row["bp_category"]] = pressures.get(row["bp_category"], 0) + row["visits"]
        bands[row["bmi_band"]] = bands.get(row["bmi_band"], 0) + row["visits"]
    return pressures, bands


def category_rows(counted, categories):
    """Rows per category in the order of ``categories`` (visits not measured are left out)."""
    return choice_rows(
        {key: counted.get(key, 0) for key, _, _ in categories}, [(k, label) for k, label, _ in categories]
    )


def patient_type_rows(queryset, total):
    counted = by_value(queryset, "patient__patient_type", visits=Count("id"), patients=Count("patient", distinct=True))
    rows = []
    for value, label in queries.PATIENT_TYPE_CHOICES:
        visit_count, patient_count = counted.get(value, (0, 0))
        rows.append([str(label), visit_count, patient_count, rate(visit_count, total)])
    return rows


class MedicalStatistics(ReportType):
    key = "MEDICAL_STATISTICS"
    name = "Medical statistics"
    description = (
        "Medical visits and patients seen, top diagnoses, fever share, blood-pressure categories, "
        "BMI bands and heart rate, by patient type and over time."
    )
    contents = "Top diagnoses, fever share · blood pressure and BMI bands · by patient type and over time"
    reads = (Patient, MedicalVisit)
    summary_kinds = {
        "medical_visits": COUNT,
        "unique_patients": COUNT,
        "visits_with_temperature": COUNT,
        "fever_visits": COUNT,
        "fever_rate": RATE,
        "average_heart_rate_bpm": BPM,
    }
    filters = FILTERS
    suppression = SUPPRESSION
    roles = (Role.ADMIN, Role.DOCTOR, Role.NURSE)

    def compute(self, params, *, headline_only=False):
        queryset = visits(params)
        figures = _summary(queryset.aggregate(**SUMMARY))
        total = figures["medical_visits"]
        if headline_only:
            return Content(record_count=total, summary=figures)
        params.progress(0.15)

        diagnoses = top_diagnoses_rows(queryset, total)
        params.progress(0.3)

        pressures, bands = category_counts(queryset)
        blood_pressure = category_rows(pressures, BP_CATEGORIES)
        params.progress(0.45)

        bmi_bands = category_rows(bands, BMI_BANDS)
        params.progress(0.6)

        by_type = patient_type_rows(queryset, total)
        params.progress(0.75)

        first = queries.first_day(params, "first_medical_visit", (MedicalVisit, "visit_date"))
        over_time = Series.of(params.period, first)
        rows = by_step(queryset, "visit_date", over_time, visits=Count("id"), patients=Count("patient", distinct=True))
        params.progress(0.9)

        return Content(
            record_count=total,
            summary=figures,
            sections=[
                Section(
                    "top_diagnoses",
                    "Top diagnoses",
                    {"diagnosis": TEXT, "visits": COUNT, "patients": COUNT, "share": RATE},
                    diagnoses,
                ),
                Section(
                    "blood_pressure",
                    "Blood-pressure categories",
                    {"category": TEXT, "visits": COUNT, "share": RATE},
                    blood_pressure,
                ),
                Section("bmi_bands", "BMI bands", {"band": TEXT, "visits": COUNT, "share": RATE}, bmi_bands),
                Section(
                    "by_patient_type",
                    "By patient type",
                    {"patient_type": TEXT, "visits": COUNT, "patients": COUNT, "share": RATE},
                    by_type,
                ),
                Section(
                    "over_time",
                    f"Visits by {over_time.unit}",
                    {**step_column(over_time), "visits": COUNT, "patients": COUNT},
                    rows,
                ),
            ],
            charts=[
                Chart("top_diagnoses", "Top diagnoses", "bar", "top_diagnoses", "diagnosis", ["visits"]),
                Chart("blood_pressure", "Blood-pressure categories", "bar", "blood_pressure", "category", ["visits"]),
                Chart("bmi_bands", "BMI bands", "bar", "bmi_bands", "band", ["visits"]),
                Chart(
                    "by_patient_type", "Visits by patient type", "pie", "by_patient_type", "patient_type", ["visits"]
                ),
                Chart(
                    "over_time",
                    f"Visits by {over_time.unit}",
                    "line",
                    "over_time",
                    STEP,
                    ["visits", "patients"],
                    "Number",
                ),
            ],
            notes=[*over_time.notes, *([] if total else ["No data in this period."])],
            labels={**LABELS, **step_labels(over_time)},
        )
