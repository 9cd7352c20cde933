"""Patients' feedback on their visits, and the clinic's responses."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Feedback(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT)
    medical_visit = models.ForeignKey("visits.MedicalVisit", null=True, blank=True, on_delete=models.SET_NULL)
    dental_visit = models.ForeignKey("visits.DentalVisit", null=True, blank=True, on_delete=models.SET_NULL)
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    courteous = models.BooleanField(null=True, blank=True)
    recommend = models.BooleanField(null=True, blank=True)
    comments = models.TextField(blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name_plural = "feedback"
        indexes = [models.Index(fields=["submitted_at"], name="feedback_submitted_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(responded_at__gte=models.F("submitted_at")),
                name="feedback_response_after_submission",
            ),
        ]

    def __str__(self):
        return f"Feedback #{self.pk} ({self.rating}/5)"
