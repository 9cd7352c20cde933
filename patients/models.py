"""Patients of the clinic: students, faculty, staff and their dependents."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    OTHER = "O", "Other"


class PatientType(models.TextChoices):
    STUDENT = "STUDENT", "Student"
    FACULTY = "FACULTY", "Faculty"
    STAFF = "STAFF", "Staff"
    DEPENDENT = "DEPENDENT", "Dependent"
    OTHER = "OTHER", "Other"


class Patient(models.Model):
    patient_number = models.CharField(max_length=32, unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    sex = models.CharField(max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField()
    patient_type = models.CharField(max_length=16, choices=PatientType.choices)
    department = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    registered_at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="patient",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["patient_type", "sex"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(sex__in=Sex.values), name="patient_sex_valid"),
            models.CheckConstraint(
                condition=models.Q(patient_type__in=PatientType.values),
                name="patient_type_valid",
            ),
        ]

    def __str__(self):
        # Named by database id only: this string reaches the admin's history log.
        return f"Patient #{self.pk}"
