"""Medical and dental visits: what the clinic saw, did and how it ended."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Outcome(models.TextChoices):
    RESOLVED = "RESOLVED", "Resolved"
    IMPROVED = "IMPROVED", "Improved"
    UNCHANGED = "UNCHANGED", "Unchanged"
    WORSENED = "WORSENED", "Worsened"
    REFERRED = "REFERRED", "Referred"
    PENDING = "PENDING", "Pending"


class Visit(models.Model):
    """What medical and dental visits share."""

    # Indexed by (patient, visit_date) in each table's Meta: a separate patient index would repeat it.
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, db_index=False)
    visit_date = models.DateTimeField()
    diagnosis = models.CharField(max_length=255, blank=True)
    treatment = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    follow_up_required = models.BooleanField(default=False)
    follow_up_date = models.DateField(null=True, blank=True)
    attended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-visit_date"]

    def __str__(self):
        # Visits are named by number only: a string of a visit may reach logs.
        return f"{type(self)._meta.verbose_name.capitalize()} #{self.pk}"


class MedicalVisit(Visit):
    concern = models.CharField(max_length=255)
    diagnosis_code = models.CharField(max_length=8, blank=True, help_text="ICD-10 code, e.g. J06.9")
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    systolic_bp = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic_bp = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta(Visit.Meta):
        indexes = [
            models.Index(fields=["patient", "visit_date"], name="medical_patient_date_idx"),
            models.Index(fields=["visit_date", "patient"], name="medical_date_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="medical_outcome_valid"),
            models.CheckConstraint(
                condition=Q(temperature_c__isnull=True) | Q(temperature_c__gte=25, temperature_c__lte=45),
                name="medical_temperature_plausible",
            ),
            models.CheckConstraint(
                condition=Q(systolic_bp__isnull=True) | Q(systolic_bp__gte=40, systolic_bp__lte=300),
                name="medical_systolic_plausible",
            ),
            models.CheckConstraint(
                condition=Q(diastolic_bp__isnull=True) | Q(diastolic_bp__gte=20, diastolic_bp__lte=200),
                name="medical_diastolic_plausible",
            ),
            models.CheckConstraint(
                condition=Q(weight_kg__isnull=True) | Q(weight_kg__gt=0),
                name="medical_weight_positive",
            ),
            models.CheckConstraint(
                condition=Q(height_cm__isnull=True) | Q(height_cm__gt=0),
                name="medical_height_positive",
            ),
        ]


class DentalProcedure(models.TextChoices):
    CONSULTATION = "CONSULTATION", "Consultation"
    CLEANING = "CLEANING", "Cleaning"
    PROPHYLAXIS = "PROPHYLAXIS", "Prophylaxis"
    FLUORIDE = "FLUORIDE", "Fluoride treatment"
    SEALANT = "SEALANT", "Sealant"
    FILLING = "FILLING", "Filling"
    EXTRACTION = "EXTRACTION", "Extraction"
    ROOT_CANAL = "ROOT_CANAL", "Root canal"
    CROWN = "CROWN", "Crown"
    ORTHODONTIC = "ORTHODONTIC", "Orthodontic"
    PERIODONTAL = "PERIODONTAL", "Periodontal"
    XRAY = "XRAY", "X-ray"
    OTHER = "OTHER", "Other"


PREVENTIVE_PROCEDURES = (
    DentalProcedure.CLEANING,
    DentalProcedure.PROPHYLAXIS,
    DentalProcedure.FLUORIDE,
    DentalProcedure.SEALANT,
)


class OralHygiene(models.TextChoices):
    EXCELLENT = "EXCELLENT", "Excellent"
    GOOD = "GOOD", "Good"
    FAIR = "FAIR", "Fair"
    POOR = "POOR", "Poor"


class GumCondition(models.TextChoices):
    HEALTHY = "HEALTHY", "Healthy"
    GINGIVITIS = "GINGIVITIS", "Gingivitis"
    PERIODONTITIS = "PERIODONTITIS", "Periodontitis"
    INFLAMMATION = "INFLAMMATION", "Inflammation"


class Priority(models.TextChoices):
    LOW = "LOW", "Low"
    MEDIUM = "MEDIUM", "Medium"
    HIGH = "HIGH", "High"
    URGENT = "URGENT", "Urgent"


class DentalVisit(Visit):
    procedure = models.CharField(max_length=16, choices=DentalProcedure.choices)
    tooth_numbers = models.CharField(max_length=100, blank=True, help_text="FDI tooth numbers, comma separated")
    pain_level = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(10)]
    )
    oral_hygiene = models.CharField(max_length=16, choices=OralHygiene.choices, blank=True)
    gum_condition = models.CharField(max_length=16, choices=GumCondition.choices, blank=True)
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.LOW)

    class Meta(Visit.Meta):
        indexes = [
            models.Index(fields=["patient", "visit_date"], name="dental_patient_date_idx"),
            models.Index(fields=["visit_date", "patient"], name="dental_date_patient_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="dental_outcome_valid"),
            models.CheckConstraint(condition=Q(procedure__in=DentalProcedure.values), name="dental_procedure_valid"),
            models.CheckConstraint(
                condition=Q(pain_level__isnull=True) | Q(pain_level__gte=0, pain_level__lte=10),
                name="dental_pain_level_range",
            ),
            models.CheckConstraint(
                condition=Q(oral_hygiene__in=[*OralHygiene.values, ""]), name="dental_oral_hygiene_valid"
            ),
            models.CheckConstraint(
                condition=Q(gum_condition__in=[*GumCondition.values, ""]), name="dental_gum_condition_valid"
            ),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="dental_priority_valid"),
        ]
