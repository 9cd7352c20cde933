"""The clinic's roles: Django auth groups, with superusers counting as ADMIN."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "ADMIN", "Administrator"
    DOCTOR = "DOCTOR", "Doctor"
    DENTIST = "DENTIST", "Dentist"
    NURSE = "NURSE", "Nurse"
    STAFF = "STAFF", "Staff"
    STUDENT = "STUDENT", "Student"
    FACULTY = "FACULTY", "Faculty"


CLINICAL_ROLES = frozenset({Role.DOCTOR, Role.DENTIST, Role.NURSE, Role.STAFF})


def user_roles(user):
    """The set of role names a user holds (cached on the user object)."""
    if not user or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_clinic_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(names)
        user._clinic_roles = cached
    return cached


def is_admin(user):
    return Role.ADMIN in user_roles(user)


def may_use_reports(user):
    """Admins and clinical staff may use reports; patients with a login may not."""
    roles = user_roles(user)
    return Role.ADMIN in roles or bool(roles & CLINICAL_ROLES)
