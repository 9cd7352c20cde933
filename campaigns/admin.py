from django.contrib import admin

from campaigns.models import CampaignParticipant, HealthCampaign


class ParticipantInline(admin.TabularInline):
    model = CampaignParticipant
    raw_id_fields = ["patient"]
    extra = 0


@admin.register(HealthCampaign)
class HealthCampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign_type", "start_date", "end_date", "view_count"]
    list_filter = ["campaign_type", "start_date"]
    search_fields = ["title"]
    inlines = [ParticipantInline]


@admin.register(CampaignParticipant)
class CampaignParticipantAdmin(admin.ModelAdmin):
    list_display = ["id", "campaign", "patient", "registered_at", "attended"]
    list_filter = ["attended", "campaign"]
    search_fields = ["patient__patient_number", "campaign__title"]
    list_select_related = ["campaign", "patient"]
    raw_id_fields = ["campaign", "patient"]
