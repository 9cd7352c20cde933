import datetime as dt
import random
import shutil
import subprocess
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Avg, Count, Max, Min
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from campaigns.models import CampaignParticipant, HealthCampaign
from demo.management.commands.seed_demo import Command as SeedDemo
from demo.seed import seed_demo
from feedback.models import Feedback
from patients.models import Patient
from reports.models import ReportTemplate
from reports.periods import local_zone
from uscpis.roles import Role, user_roles
from visits.models import DentalVisit, MedicalVisit

TODAY = dt.date(2025, 11, 20)


def ordered(queryset, *fields):
    return list(queryset.order_by(*fields).values_list(*fields))


def dump():
    """Everything seeded, in an order that does not depend on primary keys."""
    return (
        ordered(
            Patient.objects,
            "patient_number", "first_name", "last_name", "sex", "date_of_birth", "patient_type", "department",
            "phone", "email", "registered_at", "user__username",
        ),
        ordered(
            MedicalVisit.objects,
            "patient__patient_number", "visit_date", "concern", "diagnosis", "diagnosis_code", "outcome",
            "follow_up_date", "temperature_c", "systolic_bp", "weight_kg", "attended_by__username",
        ),
        ordered(
            DentalVisit.objects,
            "patient__patient_number", "visit_date", "procedure", "tooth_numbers", "pain_level", "priority",
        ),
        ordered(Feedback.objects, "patient__patient_number", "submitted_at", "rating", "comments", "responded_at"),
        ordered(HealthCampaign.objects, "title", "start_date", "end_date", "view_count"),
        ordered(CampaignParticipant.objects, "campaign__title", "patient__patient_number", "attended"),
    )  # fmt: skip


def printed_login(output, username):
    """(username, password) as the command printed them."""
    for line in output.split("Demo logins")[1].splitlines():
        if line.split()[:1] == [username]:
            return tuple(line.split()[:2])
    raise AssertionError(f"{username} was not printed")


def counts():
    models = (User, Patient, MedicalVisit, DentalVisit, Feedback, HealthCampaign, CampaignParticipant)
    return [model.objects.count() for model in models]


@pytest.mark.django_db
def test_same_seed_gives_same_data():
    first_logins = seed_demo(patients=60, seed=7, today=TODAY).logins
    first = dump()
    second_logins = seed_demo(patients=60, seed=7, today=TODAY, flush=True).logins
    assert dump() == first
    assert [(username, role) for username, _, role in second_logins] == [(u, r) for u, _, r in first_logins]
    assert len(first[0]) == 60


@pytest.mark.django_db
def test_different_seed_gives_different_data():
    first_logins = seed_demo(patients=60, seed=7, today=TODAY).logins
    patients, visits, *_ = dump()
    second_logins = seed_demo(patients=60, seed=8, today=TODAY, flush=True).logins
    other_patients, other_visits, *_ = dump()
    assert [row[1:3] for row in patients] != [row[1:3] for row in other_patients]
    assert visits != other_visits
    assert [username for username, *_ in first_logins] == [username for username, *_ in second_logins]


def logs_in(username, password):
    """The user the login page would log in (the login lockout needs each login's request)."""
    return authenticate(RequestFactory().post("/accounts/login/"), username=username, password=password)


@pytest.mark.django_db
def test_every_role_has_a_login_with_the_printed_password():
    result = seed_demo(patients=60, seed=3, today=TODAY)
    assert [role for _, _, role in result.logins] == list(Role.values)
    for username, password, role in result.logins:
        user = logs_in(username, password)
        assert user is not None and user.username == username
        assert user.groups.filter(name=role).exists()
        assert user_roles(user) == {role}
        validate_password(password, user)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and not admin.is_superuser  # the ADMIN role, not every power over the site
    assert admin.has_perm("reports.change_generatedreport") and not admin.has_perm("auth.change_user")
    assert admin.has_perms(["axes.delete_accessattempt", "knox.delete_authtoken"])  # unlocks and revokes
    assert not User.objects.filter(is_superuser=True).exists()
    assert list(User.objects.filter(is_staff=True).values_list("username", flat=True)) == ["admin"]
    assert User.objects.get(username="student").patient.patient_type == "STUDENT"
    assert User.objects.get(username="faculty").patient.patient_type == "FACULTY"
    attending = set(MedicalVisit.objects.values_list("attended_by__username", flat=True))
    assert attending == {"doctor", "nurse"}
    assert set(DentalVisit.objects.values_list("attended_by__username", flat=True)) == {"dentist"}
    patient_logins = User.objects.filter(patient__isnull=False).exclude(username__in=["student", "faculty"])
    assert patient_logins.filter(last_login__isnull=False).exists()
    assert not any(user.has_usable_password() for user in patient_logins)


@pytest.mark.django_db
def test_visits_follow_clinic_hours_and_seasons():
    seed_demo(patients=200, seed=5, today=TODAY)
    zone = local_zone()
    visits = MedicalVisit.objects.all()
    hours = visits.aggregate(
        first=Min(ExtractHour("visit_date", tzinfo=zone)), last=Max(ExtractHour("visit_date", tzinfo=zone))
    )
    assert hours["first"] >= 8 and hours["last"] <= 17
    weekend = visits.annotate(day=ExtractIsoWeekDay("visit_date", tzinfo=zone)).filter(day__gte=6)
    assert weekend.count() < visits.count() * 0.1

    by_month = dict(
        visits.annotate(month=TruncMonth("visit_date", tzinfo=zone)).values_list("month").annotate(Count("id"))
    )
    del by_month[min(by_month)], by_month[max(by_month)]  # partly covered months
    rainy = [number for month, number in by_month.items() if 6 <= month.month <= 10]
    dry = [number for month, number in by_month.items() if not 6 <= month.month <= 10]
    assert sum(rainy) / len(rainy) > 1.2 * sum(dry) / len(dry)

    assert visits.exclude(diagnosis_code="").count() > 0.8 * visits.count()
    assert visits.filter(diagnosis_code="J06.9").exists()
    assert Feedback.objects.aggregate(rating=Avg("rating"))["rating"] >= 4
    assert Feedback.objects.exclude(response="").filter(responded_at__isnull=False).exists()
    assert Feedback.objects.exclude(comments="").exists()
    assert 8 <= HealthCampaign.objects.count() <= 10
    assert CampaignParticipant.objects.filter(attended=True).exists()


@pytest.mark.django_db
def test_command_prints_counts_and_logins_but_no_patient_data():
    out = StringIO()
    call_command("seed_demo", "--patients", "40", "--seed", "9", stdout=out)
    output = out.getvalue()
    assert "patients: 40" in output
    assert "http://127.0.0.1:8000/accounts/login/" in output
    assert logs_in(*printed_login(output, "admin")) is not None
    for first_name, last_name, number in Patient.objects.values_list("first_name", "last_name", "patient_number"):
        assert f"{first_name} {last_name}" not in output and number not in output


@pytest.mark.django_db
def test_the_login_link_names_where_the_system_is_served():
    out = StringIO()
    call_command("seed_demo", "--patients", "10", "--site", "http://127.0.0.1:8101/", stdout=out)
    assert "Log in at http://127.0.0.1:8101/accounts/login/" in out.getvalue()


def test_make_run_passes_its_host_and_port_to_the_login_link():
    dry_run = subprocess.run(  # noqa: S603 (make, with fixed arguments)
        [shutil.which("make"), "--dry-run", "--always-make", "run", "PORT=8101", "HOST=0.0.0.0"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    seeding = next(line for line in dry_run.splitlines() if "seed_demo" in line)
    assert seeding.endswith("--site http://0.0.0.0:8101")


@pytest.mark.django_db
def test_command_refuses_a_second_run_without_flush():
    call_command("seed_demo", "--patients", "20", stdout=StringIO())
    before, password = counts(), User.objects.get(username="admin").password
    with pytest.raises(CommandError, match="--flush"):
        call_command("seed_demo", "--patients", "30", stdout=StringIO())
    assert counts() == before
    assert User.objects.get(username="admin").password == password


@pytest.mark.django_db
def test_if_empty_seeds_once_and_then_prints_no_password_but_how_to_get_new_ones():
    first = StringIO()
    call_command("seed_demo", "--patients", "20", "--if-empty", stdout=first)
    before = counts()
    again = StringIO()
    call_command("seed_demo", "--patients", "20", "--if-empty", stdout=again)
    assert counts() == before
    assert "nothing was seeded" in again.getvalue()
    assert "Demo logins" not in again.getvalue() and "seed_demo --reset-passwords" in again.getvalue()
    assert logs_in(*printed_login(first.getvalue(), "doctor")) is not None


@pytest.mark.django_db
def test_demo_passwords_are_random_at_each_seeding_not_derived_from_the_seed():
    fixed = f"demo-admin-{random.Random('42:ADMIN').randrange(1000, 10000)}"  # what the code once derived
    first = {username: password for username, password, _ in seed_demo(patients=20, seed=42).logins}
    second = {username: password for username, password, _ in seed_demo(patients=20, seed=42, flush=True).logins}
    assert logs_in("admin", fixed) is None
    assert all(first[username] != second[username] for username in first)
    assert len(set(first.values())) == len(first)
    assert logs_in("admin", first["admin"]) is None and logs_in("admin", second["admin"]) is not None


@pytest.mark.django_db
def test_reset_passwords_prints_new_working_passwords_once_and_changes_nothing_else():
    with pytest.raises(CommandError, match="no demo logins"):
        call_command("seed_demo", "--reset-passwords", stdout=StringIO())
    seeded = StringIO()
    call_command("seed_demo", "--patients", "20", stdout=seeded)
    before, dumped = counts(), dump()
    reset = StringIO()
    call_command("seed_demo", "--reset-passwords", stdout=reset)
    assert (counts(), dump()) == (before, dumped)
    for role in Role:
        username = role.lower()
        assert logs_in(*printed_login(reset.getvalue(), username)) is not None
        assert logs_in(*printed_login(seeded.getvalue(), username)) is None


@pytest.mark.django_db
def test_flush_replaces_clinic_data_and_keeps_report_templates():
    templates = ReportTemplate.objects.count()
    call_command("seed_demo", "--patients", "30", stdout=StringIO())
    users = User.objects.count()
    call_command("seed_demo", "--patients", "30", "--flush", stdout=StringIO())
    assert Patient.objects.count() == 30
    assert User.objects.count() == users
    assert ReportTemplate.objects.count() == templates


@pytest.mark.parametrize("value", ["0", "-5", "200001", "abc", "2.5", ""])
def test_bad_patient_counts_are_refused_without_touching_the_database(value):
    with pytest.raises(CommandError, match="--patients"):
        call_command("seed_demo", "--patients", value, stdout=StringIO())


def test_bad_input_gives_one_line_on_stderr_and_a_failing_exit():
    err = StringIO()
    with pytest.raises(SystemExit) as exit:
        SeedDemo(stdout=StringIO(), stderr=err).run_from_argv(["manage.py", "seed_demo", "--patients", "many"])
    assert exit.value.code == 1
    assert err.getvalue().strip().count("\n") == 0
    assert "--patients" in err.getvalue()


class Rollback(Exception):
    pass


def seeding_queries(patients):
    """The queries seeding makes, and the rows it creates; rolled back afterwards."""
    with CaptureQueriesContext(connection) as context:
        try:
            with transaction.atomic():
                rows = sum(seed_demo(patients=patients, seed=11, today=TODAY).counts.values())
                raise Rollback
        except Rollback:
            pass
    inserts = sum(query["sql"].startswith("INSERT") for query in context.captured_queries)
    return len(context.captured_queries) - inserts, inserts, rows


@pytest.mark.django_db
def test_query_count_does_not_grow_per_patient():
    small_other, small_inserts, small_rows = seeding_queries(50)
    large_other, large_inserts, large_rows = seeding_queries(200)
    assert large_rows > 3 * small_rows
    assert large_other == small_other
    # Only INSERT batches grow, each of many rows (SQLite allows 999 parameters a statement).
    assert large_inserts - small_inserts <= (large_rows - small_rows) / 20
