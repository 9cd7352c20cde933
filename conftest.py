"""Fixtures shared by every app's tests: users with roles and clinic data factories."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from campaigns.models import CampaignParticipant, HealthCampaign
from feedback.models import Feedback
from patients.models import Patient
from visits.models import DentalVisit, MedicalVisit

_numbers = itertools.count(1)


def local(year, month, day, hour=10, minute=0):
    """An aware datetime in the clinic's TIME_ZONE."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users: a fast hasher instead of PBKDF2's deliberate half second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache (throttle counters, cached figures)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def report_file_folders(settings, tmp_path_factory):
    """The download tiers' local folders (copies, media) of each test are its own."""
    settings.REPORT_LOCAL_COPY_DIR = tmp_path_factory.mktemp("report-copies")
    settings.REPORT_MEDIA_DIR = tmp_path_factory.mktemp("media-reports")


@pytest.fixture
def make_user(db):
    def make(*roles, username=None, superuser=False):
        username = username or f"user{next(_numbers)}"
        user = User.objects.create_user(username=username, password="pw-" + username, is_superuser=superuser)
        for role in roles:
            user.groups.add(Group.objects.get_or_create(name=role)[0])
        return user

    return make


@pytest.fixture
def doctor(make_user):
    return make_user("DOCTOR", username="doctor")


@pytest.fixture
def admin(make_user):
    return make_user("ADMIN", username="clinicadmin")


@pytest.fixture
def api(doctor):
    client = APIClient()
    client.force_authenticate(doctor)
    return client


@pytest.fixture
def make_patient(db):
    def make(**fields):
        number = next(_numbers)
        values = {
            "patient_number": f"P{number:06d}",
            "first_name": "Test",
            "last_name": f"Patient{number}",
            "sex": "F",
            "date_of_birth": dt.date(2000, 1, 1),
            "patient_type": "STUDENT",
            "department": "Engineering",
            "registered_at": local(2024, 1, 1),
        }
        values.update(fields)
        return Patient.objects.create(**values)

    return make


@pytest.fixture
def make_medical_visit(db):
    def make(patient, visit_date, **fields):
        values = {"concern": "Check-up", "diagnosis": "", "outcome": "PENDING"}
        values.update(fields)
        return MedicalVisit.objects.create(patient=patient, visit_date=visit_date, **values)

    return make


@pytest.fixture
def make_dental_visit(db):
    def make(patient, visit_date, **fields):
        values = {"procedure": "CONSULTATION", "outcome": "PENDING"}
        values.update(fields)
        return DentalVisit.objects.create(patient=patient, visit_date=visit_date, **values)

    return make


@pytest.fixture
def make_feedback(db):
    def make(patient, submitted_at, rating, **fields):
        return Feedback.objects.create(patient=patient, submitted_at=submitted_at, rating=rating, **fields)

    return make


@pytest.fixture
def make_campaign(db):
    def make(**fields):
        values = {
            "title": f"Campaign {next(_numbers)}",
            "campaign_type": "VACCINATION",
            "start_date": dt.date(2025, 1, 1),
            "end_date": dt.date(2025, 1, 31),
        }
        values.update(fields)
        return HealthCampaign.objects.create(**values)

    return make


@pytest.fixture
def make_participant(db):
    def make(campaign, patient, **fields):
        return CampaignParticipant.objects.create(campaign=campaign, patient=patient, **fields)

    return make
