from django.contrib import admin

from patients.models import Patient


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    list_display = ["patient_number", "last_name", "first_name", "sex", "patient_type", "department", "registered_at"]
    list_filter = ["patient_type", "sex", "department"]
    search_fields = ["patient_number", "last_name", "first_name"]
    date_hierarchy = "registered_at"
    raw_id_fields = ["user"]
