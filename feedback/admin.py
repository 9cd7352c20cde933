from django.contrib import admin

from feedback.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "patient", "rating", "recommend", "submitted_at", "responded_at"]
    list_filter = ["rating", "recommend", "courteous", "submitted_at"]
    search_fields = ["patient__patient_number", "comments"]
    date_hierarchy = "submitted_at"
    list_select_related = ["patient"]
    raw_id_fields = ["patient", "medical_visit", "dental_visit", "responded_by"]
