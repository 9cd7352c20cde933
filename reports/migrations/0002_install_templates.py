"""Install the eight report templates, each offering all four formats.

Who may use which template (admins may use all):
- clinical reports for doctors, dentists and nurses; dental statistics for dentists only,
  medical statistics for doctors and nurses;
- staff (clinic administration) get patient summary, visit trends, feedback and campaigns.
"""

from django.db import migrations

FORMATS = ["PDF", "EXCEL", "CSV", "JSON"]

TEMPLATES = [
    (
        "PATIENT_SUMMARY",
        "Patient summary",
        "Registered, new and active patients, by sex, age band and patient type.",
        ["ADMIN", "DOCTOR", "DENTIST", "NURSE", "STAFF"],
    ),
    (
        "VISIT_TRENDS",
        "Visit trends",
        "Medical and dental visits per month, weekday and hour, with the busiest times.",
        ["ADMIN", "DOCTOR", "DENTIST", "NURSE", "STAFF"],
    ),
    (
        "TREATMENT_OUTCOMES",
        "Treatment outcomes",
        "How cases ended, success and follow-up rates, and the most common diagnoses.",
        ["ADMIN", "DOCTOR", "DENTIST", "NURSE"],
    ),
    (
        "FEEDBACK_ANALYSIS",
        "Feedback analysis",
        "Patient ratings, satisfaction and recommendation rates, and response times.",
        ["ADMIN", "DOCTOR", "DENTIST", "NURSE", "STAFF"],
    ),
    (
        "COMPREHENSIVE_ANALYTICS",
        "Comprehensive analytics",
        "The headline figures of every report, user activity and clinic efficiency.",
        ["ADMIN", "DOCTOR"],
    ),
    (
        "MEDICAL_STATISTICS",
        "Medical statistics",
        "Medical visits, diagnoses and vital signs: fever, blood pressure and BMI.",
        ["ADMIN", "DOCTOR", "NURSE"],
    ),
    (
        "DENTAL_STATISTICS",
        "Dental statistics",
        "Dental procedures, preventive care, oral hygiene, gum condition and pain.",
        ["ADMIN", "DENTIST"],
    ),
    (
        "CAMPAIGN_PERFORMANCE",
        "Campaign performance",
        "Health campaigns' reach, participation and attendance, and system adoption.",
        ["ADMIN", "STAFF", "DOCTOR", "NURSE"],
    ),
]


def install(apps, schema_editor):
    ReportTemplate = apps.get_model("reports", "ReportTemplate")
    for report_type, name, description, roles in TEMPLATES:
        ReportTemplate.objects.update_or_create(
            report_type=report_type,
            defaults={
                "name": name,
                "description": description,
                "supported_formats": FORMATS,
                "allowed_roles": roles,
                "requires_date_range": True,
            },
        )


def uninstall(apps, schema_editor):
    apps.get_model("reports", "ReportTemplate").objects.filter(
        report_type__in=[template[0] for template in TEMPLATES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
