"""Health campaigns the clinic runs, and who took part."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class CampaignType(models.TextChoices):
    VACCINATION = "VACCINATION", "Vaccination"
    SCREENING = "SCREENING", "Screening"
    AWARENESS = "AWARENESS", "Awareness"
    DENTAL = "DENTAL", "Dental health"
    MENTAL_HEALTH = "MENTAL_HEALTH", "Mental health"
    NUTRITION = "NUTRITION", "Nutrition"
    OTHER = "OTHER", "Other"


class HealthCampaign(models.Model):
    title = models.CharField(max_length=200)
    campaign_type = models.CharField(max_length=16, choices=CampaignType.choices)
    description = models.TextField(blank=True)
    start_date = models.DateField()
    end_date = models.DateField()
    view_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["start_date", "end_date"], name="campaign_dates_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="campaign_ends_after_start"),
            models.CheckConstraint(condition=Q(campaign_type__in=CampaignType.values), name="campaign_type_valid"),
        ]

    def __str__(self):
        return self.title


class CampaignParticipant(models.Model):
    # Indexed by the unique (campaign, patient) constraint: a separate campaign index would repeat it.
    campaign = models.ForeignKey(HealthCampaign, on_delete=models.CASCADE, related_name="participants", db_index=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="campaigns")
    registered_at = models.DateTimeField(default=timezone.now)
    attended = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "patient"], name="participant_once_per_campaign"),
        ]

    def __str__(self):
        return f"Participant #{self.pk} of campaign #{self.campaign_id}"
