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
ATTENDING = (Role.DOCTOR, Role.DENTIST, Role.NURSE)  # the roles that attend visits


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


def patient_accounts(history, patients, users, share, ids):
    """Patients' logins: ``(model, row)`` for the new users, their group memberships and logins.

    The demo student and faculty logins get a patient each; ``share`` of the other students and
    faculty get a login of their own. Each patient's ``user_id`` is set as its login is drawn.
    """
    unlinked = {kind: users[role] for kind, role in PATIENT_ROLES.items()}
    groups = {kind: Group.objects.get(name=role).pk for kind, role in PATIENT_ROLES.items()}
    logins = []
    for patient in patients:
        demo = unlinked.pop(patient["patient_type"], None)
        if demo:
            demo.first_name, demo.last_name = patient["first_name"], patient["last_name"]
            demo.save(update_fields=["first_name", "last_name"])
            patient["user_id"] = demo.pk
        elif patient["patient_type"] in PATIENT_ROLES and history.rng.random() < share:
            user = _account(history, patient, ids)
            patient["user_id"] = user["id"]
            yield User, user
            yield User.groups.through, _membership(ids, user, groups[patient["patient_type"]])
            if user["last_login"]:
                logins.append(user)
    for user in logins:  # after the memberships, in the users' order
        yield UserLogin, {"id": ids(UserLogin), "user_id": user["id"], "logged_in_at": user["last_login"]}


def _membership(ids, user, group):
    return {"id": ids(User.groups.through), "user_id": user["id"], "group_id": group}


def _account(history, patient, ids):
    """A patient's own login: no usable password; most have logged in lately."""
    last_login = None
    if history.rng.random() < 0.6:
        minutes = history.rng.randint(1, 90 * 1440)
        last_login = max(patient["registered_at"], history.cutoff - dt.timedelta(minutes=minutes))
    return {
        "id": ids(User),
        "username": patient["patient_number"].lower(),
        "first_name": patient["first_name"],
        "last_name": patient["last_name"],
        "email": patient["email"],
        "password": make_password(None),
        "date_joined": patient["registered_at"],
        "last_login": last_login,
    }


def clinicians(history, users, count, logins_a_year, ids):
    """Who attends visits, by role: the demo doctor, nurse and dentist, then more up to ``count``.

    Also ``(model, row)`` for the added clinicians, their memberships and, at ``logins_a_year``
    each, every clinician's logins over the history.
    """
    staff = {role: [users[role].pk] for role in ATTENDING}
    roles = [role for _ in range(count) for role in ATTENDING][len(ATTENDING) : count]
    groups = {role: Group.objects.get(name=role).pk for role in ATTENDING}
    joined = dt.datetime.combine(history.days[0], dt.time(8), tzinfo=history.zone)
    added = []
    for number, role in enumerate(roles, start=2):
        user = {"id": ids(User), "username": f"{role.lower()}{number}", "password": make_password(None)}
        user |= {"first_name": role.title(), "last_name": str(number), "is_active": True, "date_joined": joined}
        staff[role].append(user["id"])
        added.append((role, user))
    return staff, _clinician_rows(history, staff, added, groups, logins_a_year, ids)


def _clinician_rows(history, staff, added, groups, logins_a_year, ids):
    logins = round(logins_a_year * len(history.days) / 365.25)
    moments = {
        user: sorted(history.at(history.pick_day(history.medical_days)) for _ in range(logins))
        for user in sorted(user for users in staff.values() for user in users)
    }
    for role, user in added:
        yield User, user | {"last_login": moments[user["id"]][-1] if logins else None}
        yield User.groups.through, _membership(ids, user, groups[role])
    for user, times in moments.items():
        for at in times:
            yield UserLogin, {"id": ids(UserLogin), "user_id": user, "logged_in_at": at}
