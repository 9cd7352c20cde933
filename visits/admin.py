from django.contrib import admin

from visits.models import DentalVisit, MedicalVisit


@admin.register(MedicalVisit)
class MedicalVisitAdmin(admin.ModelAdmin):
    list_display = ["id", "patient", "visit_date", "diagnosis_code", "outcome", "follow_up_required"]
    list_filter = ["outcome", "follow_up_required", "visit_date"]
    search_fields = ["patient__patient_number", "diagnosis", "diagnosis_code"]
    date_hierarchy = "visit_date"
    list_select_related = ["patient"]
    raw_id_fields = ["patient", "attended_by"]


@admin.register(DentalVisit)
class DentalVisitAdmin(admin.ModelAdmin):
    list_display = ["id", "patient", "visit_date", "procedure", "priority", "outcome"]
    list_filter = ["procedure", "priority", "outcome", "oral_hygiene", "gum_condition"]
    search_fields = ["patient__patient_number", "diagnosis"]
    date_hierarchy = "visit_date"
    list_select_related = ["patient"]
    raw_id_fields = ["patient", "attended_by"]
