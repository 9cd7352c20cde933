"""Seeding: the demo logins and every kind of clinic data, drawn in order from one seeded ``random.Random``.

A seeded Faker draws the names too, so the same seed, volume and period give the same data.
"""

import datetime as dt
import itertools
import random
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from faker import Faker
from faker.config import AVAILABLE_LOCALES

from campaigns.models import CampaignParticipant, HealthCampaign
from demo.campaigns import make_campaigns
from demo.feedback import make_feedback
from demo.history import History
from demo.logins import DEMO_USERNAMES, clinicians, demo_users, patient_accounts
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
SEEDED = (
    User, User.groups.through, UserLogin, Patient, MedicalVisit, DentalVisit, Feedback, HealthCampaign,
    CampaignParticipant,
)  # fmt: skip


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
    campaigns: int = 0  # how many campaign runs over those years; 0: each yearly campaign once a year
    clinicians: int = 3  # who attend visits: the demo doctor, dentist and nurse, then more in turn
    clinician_logins: int = 0  # logins a year of each clinician
    visit_tail: float = 0.0  # the Pareto shape of how often a patient comes; 0: exponential, capped


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


def bulk_create(rows):
    """Save ``(model, row)`` pairs, each model's rows in batches and in order: how many of each model."""
    objects = {}
    for model, row in rows:
        objects.setdefault(model, []).append(model(**row))
    for model, batch in objects.items():
        model.objects.bulk_create(batch, batch_size=BATCH_SIZE)
    with connection.cursor() as cursor:  # the rows came with their ids
        for sql in connection.ops.sequence_reset_sql(no_style(), list(objects)):
            cursor.execute(sql)
    return Counter({model: len(batch) for model, batch in objects.items()})


class Ids:
    """The next id of each model seeded, after those already saved."""

    def __init__(self, models):
        self.first = {model: (model.objects.aggregate(last=Max("pk"))["last"] or 0) + 1 for model in models}
        self.next = {model: itertools.count(first) for model, first in self.first.items()}

    def __call__(self, model):
        return next(self.next[model])


def populate(volume, first_day, today, seed, write=bulk_create):
    """The demo logins and ``volume``'s clinic data from ``first_day`` to the day before ``today``.

    The logins are saved at once; the data is drawn as ``(model, row)`` pairs, with their ids, and
    ``write(pairs)`` saves each kind (returning how many of each model) before the kinds that
    refer to it are drawn. Visits are read back to draw feedback on them.
    """
    rng = random.Random(seed)  # noqa: S311 (reproducible demo data by design)
    fake = Faker("en_PH" if "en_PH" in AVAILABLE_LOCALES else "en_US")
    fake.seed_instance(seed)
    history = History(rng, first_day, today)
    users, logins = demo_users(fake)
    ids = Ids(SEEDED)
    patients, profiles = make_patients(history, fake, volume.patients, ids)
    written = write(patient_accounts(history, patients, users, volume.account_share, ids))
    staff, staff_rows = clinicians(history, users, volume.clinicians, volume.clinician_logins, ids)
    written += write(staff_rows)
    written += write((Patient, patient) for patient in patients)
    written += write(make_visits(history, patients, profiles, staff, volume, ids))
    visits = itertools.chain.from_iterable(
        ((model, *visit) for visit in _saved(model, ids.first[model], "id", "patient_id", "visit_date"))
        for model in (MedicalVisit, DentalVisit)
    )
    responders = (users[Role.STAFF].pk, users[Role.ADMIN].pk)
    written += write(make_feedback(history, visits, responders, volume.feedback_share, ids))
    written += write(make_campaigns(history, patients, volume.campaign_years, volume.campaigns, ids))
    counts = {
        "users": len(users) + written[User],
        "patients": written[Patient],
        "medical visits": written[MedicalVisit],
        "dental visits": written[DentalVisit],
        "feedback": written[Feedback],
        "campaigns": written[HealthCampaign],
        "campaign participants": written[CampaignParticipant],
    }
    return SeedResult(counts, logins)


def _saved(model, first, *fields):
    """``fields`` of the rows of ``model`` from the id ``first`` on, in the order of their ids, a batch at a time."""
    return model.objects.filter(pk__gte=first).order_by("pk").values_list(*fields).iterator(chunk_size=10 * BATCH_SIZE)


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
