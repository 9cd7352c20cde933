"""The demo logins, one per role (the ADMIN's with its Django admin permissions), and patients' own logins.

The demo logins' passwords are not data: each seeding draws new ones from ``secrets``, and only
the caller (the ``seed_demo`` command, which prints them once) ever sees them.
"""

import datetime as dt
import secrets

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from demo.patients import SURNAMES
from patients.models import PatientType
from reports.models import UserLogin
from uscpis.roles import Role

DEMO_USERNAMES = tuple(role.lower() for role in Role)
# The demo ADMIN's Django admin powers besides the audit trail: the reports, unlocking logins and revoking API tokens
# (django-axes' access attempts, knox's tokens). Not users: `change user` could make itself a superuser.
ADMIN_PERMISSIONS = {
    "reports": ("view_reporttemplate", "change_reporttemplate", "view_generatedreport", "change_generatedreport"),
    "axes": ("view_accessattempt", "delete_accessattempt"),
    "knox": ("view_authtoken", "delete_authtoken"),
}
PATIENT_ROLES = {PatientType.STUDENT: Role.STUDENT, PatientType.FACULTY: Role.FACULTY}


def new_password():
    """A random password for a demo login (16 characters from ``secrets``)."""
    return secrets.token_urlsafe(12)


def reset_demo_passwords():
    """New random passwords for the demo logins that exist: (username, password, role), to show once."""
    logins = []
    with transaction.atomic():
        for role in Role:
            user = User.objects.filter(username=role.lower()).first()
            if user is not None:
                password = new_password()
                user.set_password(password)
                user.save(update_fields=["password"])
                logins.append((user.username, password, role.value))
    return logins


def demo_users(fake):
    """One login per role, created or reset, with a new random password: the users by role, and the logins.

    The demo ADMIN holds the ADMIN role and may use Django admin (staff), but is no
    superuser: it may see and change report templates and reports, not users or groups.
    """
    users, logins = {}, []
    for role in Role:
        username, password = role.lower(), new_password()
        user = User.objects.filter(username=username).first() or User(username=username)
        user.first_name = fake.first_name()
        user.last_name = fake.random_element(SURNAMES)
        user.email = f"{username}@example.edu"
        user.is_superuser = False
        user.is_staff = role == Role.ADMIN
        user.is_active = True
        user.set_password(password)
        user.save()
        group = Group.objects.get_or_create(name=role)[0]
        if role == Role.ADMIN:
            group.permissions.add(
                *(
                    permission
                    for app_label, codenames in ADMIN_PERMISSIONS.items()
                    for permission in Permission.objects.filter(
                        content_type__app_label=app_label, codename__in=codenames
                    )
                )
            )
        user.groups.set([group])
        users[role] = user
        logins.append((username, password, role.value))
    return users, logins


def patient_accounts(history, patients, users, share):
    """Patients' logins: the new users, their group memberships and logins, unsaved.

    The demo student and faculty logins get a patient each; ``share`` of the other students and
    faculty get a login of their own.
    """
    unlinked = {kind: users[role] for kind, role in PATIENT_ROLES.items()}
    accounts = []
    for patient in patients:
        demo = unlinked.pop(patient.patient_type, None)
        if demo:
            demo.first_name, demo.last_name = patient.first_name, patient.last_name
            demo.save(update_fields=["first_name", "last_name"])
            patient.user = demo
        elif patient.patient_type in PATIENT_ROLES and history.rng.random() < share:
            accounts.append((patient, _account(history, patient)))
    groups = {kind: Group.objects.get(name=role) for kind, role in PATIENT_ROLES.items()}
    memberships = [User.groups.through(user=user, group=groups[patient.patient_type]) for patient, user in accounts]
    logins = [UserLogin(user=user, logged_in_at=user.last_login) for _, user in accounts if user.last_login]
    for patient, user in accounts:
        patient.user = user
    return [user for _, user in accounts], memberships, logins


def _account(history, patient):
    """A patient's own login: no usable password; most have logged in lately."""
    last_login = None
    if history.rng.random() < 0.6:
        minutes = history.rng.randint(1, 90 * 1440)
        last_login = max(patient.registered_at, history.cutoff - dt.timedelta(minutes=minutes))
    return User(
        username=patient.patient_number.lower(),
        first_name=patient.first_name,
        last_name=patient.last_name,
        email=patient.email,
        password=make_password(None),
        date_joined=patient.registered_at,
        last_login=last_login,
    )
