"""Seeding: the demo logins and every kind of clinic data, drawn in order from one seeded ``random.Random``.

A seeded Faker draws the names too, so the same seed, volume and period give the same data.
"""

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from faker import Faker
from faker.config import AVAILABLE_LOCALES

from campaigns.models import CampaignParticipant, HealthCampaign
from demo.campaigns import make_campaigns
from demo.feedback import make_feedback
from demo.history import History
from demo.logins import DEMO_USERNAMES, demo_users, patient_accounts
from demo.patients import make_patients
from demo.visits import make_visits
from feedback.models import Feedback
from patients.models import Patient
from reports.models import UserLogin
from uscpis.roles import CLINICAL_ROLES, Role
from visits.models import DentalVisit, MedicalVisit

MAX_PATIENTS = 200_000
HISTORY_DAYS = 548  # about 18 months, ending yesterday
BATCH_SIZE = 1000


class DemoDataExists(Exception):
    """Clinic data or demo logins are already present and ``flush`` was not asked for."""


@dataclass(frozen=True)
class Volume:
    """How much is seeded: per-patient figures are over the whole history, for a patient there all along."""

    patients: int = 300
    medical_visits: float = 5.0  # late registrants get fewer
    dental_visits: float = 1.4
    feedback_share: float = 0.22
    account_share: float = 0.15  # students and faculty with a login of their own
    campaign_years: int = 1  # each yearly campaign's latest runs


@dataclass(frozen=True)
class SeedResult:
    counts: dict  # what was created, by kind
    logins: list  # (username, password, role)


def seed_demo(patients=300, seed=42, today=None, flush=False):
    """Create demo data for ``patients`` patients covering the ~18 months before ``today``, in one transaction."""
    if isinstance(patients, bool) or not isinstance(patients, int) or not 1 <= patients <= MAX_PATIENTS:
        raise ValueError(f"patients must be a whole number from 1 to {MAX_PATIENTS}")
    today = today or timezone.localdate()
    with transaction.atomic():
        if flush:
            delete_demo_data()
        elif clinic_data_exists():
            raise DemoDataExists("Clinic data or demo logins already exist.")
        return populate(Volume(patients=patients), today - dt.timedelta(days=HISTORY_DAYS), today, seed)


def bulk_create(model, objects):
    """Save ``objects`` in batches, setting their primary keys."""
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)


def populate(volume, first_day, today, seed, write=bulk_create):
    """The demo logins and ``volume``'s clinic data from ``first_day`` to the day before ``today``.

    The logins are saved at once; ``write(model, objects)`` saves each kind of data before the
    kinds that refer to it are drawn.
    """
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data by design)
    fake = Faker("en_PH" if "en_PH" in AVAILABLE_LOCALES else "en_US")
    fake.seed_instance(seed)
    history = History(rng, first_day, today)
    users, logins = demo_users(fake)
    patients, profiles = make_patients(history, fake, volume.patients)
    accounts, memberships, user_logins = patient_accounts(history, patients, users, volume.account_share)
    write(User, accounts)
    write(User.groups.through, memberships)
    write(UserLogin, user_logins)
    write(Patient, patients)
    medical, dental = make_visits(history, patients, profiles, users, volume.medical_visits, volume.dental_visits)
    write(MedicalVisit, medical)
    write(DentalVisit, dental)
    responders = (users[Role.STAFF], users[Role.ADMIN])
    feedback = make_feedback(history, [*medical, *dental], responders, volume.feedback_share)
    write(Feedback, feedback)
    campaigns, participants = make_campaigns(history, patients, volume.campaign_years)
    write(HealthCampaign, campaigns)
    write(CampaignParticipant, participants)
    counts = {
        "users": len(users) + len(accounts),
        "patients": len(patients),
        "medical visits": len(medical),
        "dental visits": len(dental),
        "feedback": len(feedback),
        "campaigns": len(campaigns),
        "campaign participants": len(participants),
    }
    return SeedResult(counts, logins)


def clinic_data_exists():
    return (
        Patient.objects.exists()
        or MedicalVisit.objects.exists()
        or DentalVisit.objects.exists()
        or Feedback.objects.exists()
        or HealthCampaign.objects.exists()
        or User.objects.filter(username__in=DEMO_USERNAMES).exists()
    )


def delete_demo_data():
    """Delete clinic data and patients' own logins; keep report templates and staff accounts."""
    Feedback.objects.all().delete()
    MedicalVisit.objects.all().delete()
    DentalVisit.objects.all().delete()
    HealthCampaign.objects.all().delete()
    staff_groups = [Role.ADMIN, *CLINICAL_ROLES]
    User.objects.filter(patient__isnull=False, is_staff=False, is_superuser=False).exclude(
        username__in=DEMO_USERNAMES
    ).exclude(groups__name__in=staff_groups).delete()
    Patient.objects.all().delete()
