"""Medical statistics: visits, diagnoses and vital signs of medical visits in a period."""

from decimal import Decimal

from django.db.models import Avg, Case, Count, ExpressionWrapper, F, FloatField, Q, Value, When
from django.db.models.functions import Cast, Lower, Trim, Upper

from reports.document import Chart, Section, rate

from . import base, selectors
from .breakdowns import by_month, by_value, choice_rows
from .filters import ChoiceFilter

REPORT_TYPE = "MEDICAL_STATISTICS"
NAME = "Medical statistics"
DESCRIPTION = (
    "Medical visits and patients seen, top diagnoses, fever share, blood-pressure categories, "
    "BMI bands and heart rate, by patient type and by month."
)
FILTERS = {
    "sex": ChoiceFilter(selectors.SEX_CHOICES, label="Sex"),
    "patient_type": ChoiceFilter(selectors.PATIENT_TYPE_CHOICES, label="Patient type"),
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
    "fever_rate": "Fever share (temperature >= 37.5 C)",
    "average_heart_rate_bpm": "Average heart rate (bpm)",
}


def visits(params):
    """Medical visits in the period, narrowed by the report's filters."""
    return selectors.medical_visits(params.period, params.filters)


def summary(params):
    """The headline figures: visits, patients, fever share and average heart rate."""
    figures = visits(params).aggregate(
        medical_visits=Count("id"),
        unique_patients=Count("patient", distinct=True),
        visits_with_temperature=Count("id", filter=Q(temperature_c__isnull=False)),
        fever_visits=Count("id", filter=Q(temperature_c__gte=FEVER_C)),
        average_heart_rate=Avg("heart_rate"),
    )
    heart_rate = figures.pop("average_heart_rate")
    figures["fever_rate"] = rate(figures["fever_visits"], figures["visits_with_temperature"])
    figures["average_heart_rate_bpm"] = None if heart_rate is None else round(heart_rate, 1)
    return figures


def top_diagnoses_rows(queryset, total):
    """The most frequent diagnoses: the ICD-10 code when present, else the text trimmed and lower-cased."""
    grouped = (
        queryset.annotate(code=Upper(Trim("diagnosis_code")), text=Lower(Trim("diagnosis")))
        .annotate(key=Case(When(~Q(code=""), then=F("code")), default=F("text")))
        .exclude(key="")
        .order_by()
        .values("key")
        .annotate(visits=Count("id"), patients=Count("patient", distinct=True))
        .order_by("-visits", "key")[:TOP_DIAGNOSES]
    )
    rows = [[row["key"], row["visits"], row["patients"], rate(row["visits"], total)] for row in grouped]
    return sorted(rows, key=lambda row: (-row[1], row[0]))  # the same tie order on every database


def blood_pressure_category():
    whens = [When(rule, then=Value(key)) for key, _, rule in reversed(BP_CATEGORIES[1:])]
    return Case(*whens, default=Value(BP_CATEGORIES[0][0]))


def bmi():
    """weight / height² in kg/m², computed in floating point by the database."""
    weight = Cast("weight_kg", FloatField())
    height = Cast("height_cm", FloatField())
    return ExpressionWrapper(weight * Value(10000.0) / (height * height), output_field=FloatField())


def bmi_band():
    whens = [When(bmi__lt=upper, then=Value(key)) for key, _, upper in BMI_BANDS[:-1]]
    return Case(*whens, default=Value(BMI_BANDS[-1][0]))


def category_rows(queryset, categories):
    """Rows per category of the ``category`` annotation, in the order of ``categories``."""
    counted = {key: counts[0] for key, counts in by_value(queryset, "category", visits=Count("id")).items()}
    return choice_rows(counted, [(key, label) for key, label, _ in categories])


def patient_type_rows(queryset, total):
    counted = by_value(queryset, "patient__patient_type", visits=Count("id"), patients=Count("patient", distinct=True))
    rows = []
    for value, label in selectors.PATIENT_TYPE_CHOICES:
        visit_count, patient_count = counted.get(value, (0, 0))
        rows.append([str(label), visit_count, patient_count, rate(visit_count, total)])
    return rows


def build(params):
    queryset = visits(params)
    figures = summary(params)
    total = figures["medical_visits"]
    params.progress(0.15)

    diagnoses = top_diagnoses_rows(queryset, total)
    params.progress(0.3)

    with_bp = queryset.filter(systolic_bp__isnull=False, diastolic_bp__isnull=False)
    blood_pressure = category_rows(with_bp.annotate(category=blood_pressure_category()), BP_CATEGORIES)
    params.progress(0.45)

    with_bmi = queryset.filter(weight_kg__isnull=False, height_cm__isnull=False).annotate(bmi=bmi())
    bmi_bands = category_rows(with_bmi.annotate(category=bmi_band()), BMI_BANDS)
    params.progress(0.6)

    by_type = patient_type_rows(queryset, total)
    params.progress(0.75)

    monthly = by_month(
        queryset, "visit_date", params.period, visits=Count("id"), patients=Count("patient", distinct=True)
    )
    params.progress(0.9)

    return base.document(
        params,
        REPORT_TYPE,
        NAME,
        record_count=total,
        summary=figures,
        sections=[
            Section("top_diagnoses", "Top diagnoses", ["diagnosis", "visits", "patients", "share"], diagnoses),
            Section("blood_pressure", "Blood-pressure categories", ["category", "visits", "share"], blood_pressure),
            Section("bmi_bands", "BMI bands", ["band", "visits", "share"], bmi_bands),
            Section("by_patient_type", "By patient type", ["patient_type", "visits", "patients", "share"], by_type),
            Section("monthly", "Monthly", ["month", "visits", "patients"], monthly),
        ],
        charts=[
            Chart("top_diagnoses", "Top diagnoses", "bar", "top_diagnoses", "diagnosis", ["visits"]),
            Chart("blood_pressure", "Blood-pressure categories", "bar", "blood_pressure", "category", ["visits"]),
            Chart("bmi_bands", "BMI bands", "bar", "bmi_bands", "band", ["visits"]),
            Chart("by_patient_type", "Visits by patient type", "pie", "by_patient_type", "patient_type", ["visits"]),
            Chart("monthly", "Visits per month", "line", "monthly", "month", ["visits", "patients"]),
        ],
        notes=[] if total else ["No data in this period."],
        labels=LABELS,
    )
