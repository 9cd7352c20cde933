"""A synthetic clinic network loaded into PostgreSQL with COPY, at sizes S, M and L.

Five years of history (2021-2025) with the demo data's skew: rainy-season and
enrolment months, weekday clinic hours with a late-morning peak, a long tail of
repeat patients (a few patients come back often), seasonal diagnoses, vitals on
most medical visits, feedback on about a fifth of the visits. Everything is drawn
from one seeded ``random.Random``, so a size and seed always give the same data.

Loading replaces all clinic data, users and generated reports of the database it
runs on: point it at a database of its own (``make bench`` uses ``uscpis_bench``).
"""

import bisect
import datetime as dt
import itertools
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from campaigns.models import CampaignType
from demo.conditions import CONDITIONS, DENTAL_CARE
from demo.history import CLINIC_HOURS, DENTAL_MONTHS, MEDICAL_MONTHS, REGISTRATION_MONTHS, WEEKDAYS
from demo.patients import PATIENT_TYPES
from reports.periods import local_zone
from uscpis.roles import Role
from visits.models import GumCondition, OralHygiene, Outcome, Priority

FIRST_DAY = dt.date(2021, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
CLINICIANS = 40  # doctors, dentists and nurses who attend visits
PATIENT_LOGIN_SHARE = 0.15
CLINIC_TABLES = (
    "campaigns_campaignparticipant",
    "campaigns_healthcampaign",
    "feedback_feedback",
    "visits_dentalvisit",
    "visits_medicalvisit",
    "patients_patient",
    "auth_user",
    "reports_userlogin",
)


@dataclass(frozen=True)
class Size:
    name: str
    patients: int
    medical: int
    dental: int
    feedback: int
    campaigns: int
    participants: int


SIZES = {
    "XS": Size("XS", 300, 3_000, 900, 600, 4, 300),  # the smoke test's toy size
    "S": Size("S", 10_000, 100_000, 30_000, 20_000, 20, 10_000),
    "M": Size("M", 50_000, 500_000, 150_000, 100_000, 100, 50_000),
    "L": Size("L", 100_000, 1_000_000, 300_000, 200_000, 200, 100_000),
}


def _cumulative(weights):
    return list(itertools.accumulate(weights))


def _day_weight(day, months, other=0.5):
    if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 3):
        return 0.01  # Christmas break
    return months.get(day.month, other) * WEEKDAYS[day.weekday()]


class _Generator:
    def __init__(self, size, seed):
        self.size = size
        self.rng = random.Random(seed)
        self.zone = local_zone()
        self.days = [FIRST_DAY + dt.timedelta(days=i) for i in range((LAST_DAY - FIRST_DAY).days + 1)]
        # Repeat patients: visit weights follow a Pareto tail, so some patients come back often.
        self.patient_weights = _cumulative(self.rng.paretovariate(1.5) for _ in range(size.patients))
        self.hours = _cumulative(CLINIC_HOURS[1])

    def _moments(self, count, months):
        """``count`` aware datetimes over the history, skewed by month, weekday and clinic hour."""
        days = self.rng.choices(self.days, cum_weights=_cumulative(_day_weight(d, months) for d in self.days), k=count)
        hours = self.rng.choices(CLINIC_HOURS[0], cum_weights=self.hours, k=count)
        combine, zone, minute = dt.datetime.combine, self.zone, self.rng.randrange
        return sorted(
            combine(day, dt.time(hour, minute(60)), tzinfo=zone) for day, hour in zip(days, hours, strict=True)
        )

    def _patients_for(self, count):
        return self.rng.choices(range(1, self.size.patients + 1), cum_weights=self.patient_weights, k=count)

    def users(self):
        """Clinicians (id 1..CLINICIANS), patients' logins (after them), and each one's logins over the history.

        Clinicians log in on most working days; seven in ten patients with a login have used it,
        a few times each, more often in busy months.
        """
        joined = dt.datetime(2020, 6, 1, tzinfo=self.zone)
        accounts = int(self.size.patients * PATIENT_LOGIN_SHARE)
        patient_logins = self._moments(accounts * 3, MEDICAL_MONTHS)
        clinician_logins = self._moments(CLINICIANS * 250 * len(self.days) // 1826, MEDICAL_MONTHS)
        logins = [(self.rng.randint(1, CLINICIANS), at) for at in clinician_logins]
        active = self.rng.sample(range(CLINICIANS + 1, CLINICIANS + 1 + accounts), int(accounts * 0.7))
        logins += [(self.rng.choice(active), at) for at in patient_logins]
        last = {}
        for user_id, at in logins:
            last[user_id] = max(at, last.get(user_id, at))
        rows = [
            (user_id, "!", last.get(user_id), False, f"user{user_id}", "", "", "", user_id <= CLINICIANS, True, joined)
            for user_id in range(1, CLINICIANS + 1 + accounts)
        ]
        return rows, accounts, logins

    def memberships(self):
        roles = (Role.DOCTOR, Role.DENTIST, Role.NURSE)
        return [(user_id, (user_id - 1) % len(roles) + 1) for user_id in range(1, CLINICIANS + 1)], roles

    def patients(self, logins):
        kinds, kind_weights = zip(*PATIENT_TYPES, strict=True)
        registration = _cumulative(_day_weight(d, REGISTRATION_MONTHS) for d in self.days)
        login_patients = set(self.rng.sample(range(1, self.size.patients + 1), logins))
        user_ids = itertools.count(CLINICIANS + 1)
        rows = []
        for patient_id in range(1, self.size.patients + 1):
            kind = self.rng.choices(kinds, kind_weights)[0]
            age = self.rng.randint(17, 24) if kind == "STUDENT" else self.rng.randint(1, 70)
            # A third were registered before the history; the rest enrol over it, mostly in enrolment months.
            if self.rng.random() < 0.35:
                registered = dt.datetime(2020, self.rng.randint(1, 12), self.rng.randint(1, 28), 9, tzinfo=self.zone)
            else:
                day = self.rng.choices(self.days, cum_weights=registration)[0]
                registered = dt.datetime.combine(day, dt.time(self.rng.randint(8, 16)), tzinfo=self.zone)
            rows.append(
                (
                    patient_id,
                    f"B{patient_id:08d}",
                    "Synthetic",
                    f"Patient{patient_id}",
                    self.rng.choices("MFO", (48, 50, 2))[0],
                    dt.date(2025 - age, self.rng.randint(1, 12), self.rng.randint(1, 28)),
                    kind,
                    f"Department {self.rng.randint(1, 12)}",
                    "",
                    "",
                    registered,
                    next(user_ids) if patient_id in login_patients else None,
                )
            )
        return rows

    def _outcome(self, referral):
        if self.rng.random() < referral:
            return Outcome.REFERRED
        return self.rng.choices(
            (Outcome.RESOLVED, Outcome.IMPROVED, Outcome.UNCHANGED, Outcome.WORSENED, Outcome.PENDING),
            (55, 30, 7, 2, 6),
        )[0]

    def medical(self):
        conditions = _cumulative(condition.weight for condition in CONDITIONS)
        rows = []
        moments = self._moments(self.size.medical, MEDICAL_MONTHS)
        patients = self._patients_for(self.size.medical)
        for visit_id, (at, patient_id) in enumerate(zip(moments, patients, strict=True), start=1):
            condition = CONDITIONS[bisect.bisect(conditions, self.rng.random() * conditions[-1])]
            coded = self.rng.random() < 0.8
            diagnosis = condition.diagnosis if coded or not condition.aliases else self.rng.choice(condition.aliases)
            fever = self.rng.random() < condition.fever
            has_bp = self.rng.random() < 0.7
            has_bmi = self.rng.random() < 0.5
            systolic = self.rng.randint(95, 165) if has_bp else None
            rows.append(
                (
                    visit_id,
                    patient_id,
                    at,
                    diagnosis,
                    condition.treatment,
                    self._outcome(condition.referral),
                    self.rng.random() < condition.follow_up,
                    None,
                    self.rng.randint(1, CLINICIANS) if self.rng.random() < 0.95 else None,
                    at,
                    self.rng.choice(condition.concerns),
                    condition.code if coded else "",
                    (Decimal(f"{self.rng.uniform(37.6, 39.8):.1f}") if fever else Decimal("36.6"))
                    if self.rng.random() < 0.85
                    else None,
                    systolic,
                    systolic - self.rng.randint(30, 50) if has_bp else None,
                    self.rng.randint(60, 110),
                    Decimal(f"{self.rng.uniform(42, 95):.1f}") if has_bmi else None,
                    Decimal(f"{self.rng.uniform(148, 185):.1f}") if has_bmi else None,
                )
            )
        return rows

    def dental(self):
        care_weights = _cumulative(care.weight for care in DENTAL_CARE)
        hygiene = [*OralHygiene.values, ""]
        gums = [*GumCondition.values, ""]
        rows = []
        moments = self._moments(self.size.dental, DENTAL_MONTHS)
        patients = self._patients_for(self.size.dental)
        for visit_id, (at, patient_id) in enumerate(zip(moments, patients, strict=True), start=1):
            care = DENTAL_CARE[bisect.bisect(care_weights, self.rng.random() * care_weights[-1])]
            pain = self.rng.randint(*care.pain) if self.rng.random() < 0.8 else None
            rows.append(
                (
                    visit_id,
                    patient_id,
                    at,
                    self.rng.choice(care.diagnoses),
                    care.treatment,
                    self._outcome(care.referral),
                    self.rng.random() < care.follow_up,
                    None,
                    self.rng.randint(1, CLINICIANS) if self.rng.random() < 0.95 else None,
                    at,
                    care.procedure,
                    "",
                    pain,
                    self.rng.choice(hygiene),
                    self.rng.choice(gums),
                    self.rng.choice(Priority.values),
                )
            )
        return rows

    def feedback(self):
        rows = []
        moments = self._moments(self.size.feedback, MEDICAL_MONTHS)
        patients = self._patients_for(self.size.feedback)
        medical = self.size.medical
        for feedback_id, (at, patient_id) in enumerate(zip(moments, patients, strict=True), start=1):
            rating = self.rng.choices((1, 2, 3, 4, 5), (3, 5, 12, 40, 40))[0]
            responded = at + dt.timedelta(hours=self.rng.expovariate(1 / 30)) if self.rng.random() < 0.4 else None
            rows.append(
                (
                    feedback_id,
                    patient_id,
                    self.rng.randint(1, medical),
                    None,
                    rating,
                    self.rng.choice((True, True, False, None)),
                    self.rng.choice((True, True, True, False, None)),
                    "Quick service, thank you!" if self.rng.random() < 0.3 else "",
                    at,
                    "Thank you for your feedback." if responded else "",
                    responded,
                    1 if responded else None,
                )
            )
        return rows

    def campaigns(self):
        types = CampaignType.values
        campaigns, participants = [], []
        per_campaign = self.size.participants // self.size.campaigns
        participant_ids = itertools.count(1)
        for campaign_id in range(1, self.size.campaigns + 1):
            start = self.rng.choice(self.days[:-60])
            end = start + dt.timedelta(days=self.rng.randint(1, 45))
            created = dt.datetime.combine(start, dt.time(8), tzinfo=self.zone)
            campaigns.append(
                (campaign_id, f"Campaign {campaign_id}", self.rng.choice(types), "", start, end, 0, created)
            )
            for patient_id in self.rng.sample(range(1, self.size.patients + 1), per_campaign):
                registered = created + dt.timedelta(hours=self.rng.randint(0, 24 * (end - start).days + 8))
                participants.append(
                    (next(participant_ids), campaign_id, patient_id, registered, self.rng.random() < 0.65)
                )
        views = self.rng.choices(range(100, 20_000), k=len(campaigns))
        campaigns = [(*row[:6], view, row[7]) for row, view in zip(campaigns, views, strict=True)]
        return campaigns, participants


COLUMNS = {
    "auth_user": (
        "id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, "
        "date_joined"
    ),
    "auth_user_groups": "user_id, group_id",
    "reports_userlogin": "user_id, logged_in_at",
    "patients_patient": (
        "id, patient_number, first_name, last_name, sex, date_of_birth, patient_type, department, phone, email, "
        "registered_at, user_id"
    ),
    "visits_medicalvisit": (
        "id, patient_id, visit_date, diagnosis, treatment, outcome, follow_up_required, follow_up_date, "
        "attended_by_id, created_at, concern, diagnosis_code, temperature_c, systolic_bp, diastolic_bp, heart_rate, "
        "weight_kg, height_cm"
    ),
    "visits_dentalvisit": (
        "id, patient_id, visit_date, diagnosis, treatment, outcome, follow_up_required, follow_up_date, "
        "attended_by_id, created_at, procedure, tooth_numbers, pain_level, oral_hygiene, gum_condition, priority"
    ),
    "feedback_feedback": (
        "id, patient_id, medical_visit_id, dental_visit_id, rating, courteous, recommend, comments, submitted_at, "
        "response, responded_at, responded_by_id"
    ),
    "campaigns_healthcampaign": "id, title, campaign_type, description, start_date, end_date, view_count, created_at",
    "campaigns_campaignparticipant": "id, campaign_id, patient_id, registered_at, attended",
}


def _copy(cursor, table, rows):
    with cursor.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _reset_sequences(cursor):
    for table in (*COLUMNS, "auth_group"):
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        )


def load(size_name, seed=6, log=print):
    """Replace the database's clinic data by a synthetic dataset of ``size_name``; seconds per step."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the benchmark generator loads PostgreSQL only (it uses COPY)")
    size = SIZES[size_name]
    generator = _Generator(size, seed)
    timings = {}
    began = time.monotonic()
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(f"TRUNCATE {', '.join(CLINIC_TABLES)} RESTART IDENTITY CASCADE")
        roles = generator.memberships()[1]
        groups = {}
        for role in roles:
            cursor.execute(
                "INSERT INTO auth_group (name) VALUES (%s) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name "
                "RETURNING id",
                [role],
            )
            groups[role] = cursor.fetchone()[0]
        users, logins, user_logins = generator.users()
        _copy(cursor, "auth_user", users)
        _copy(cursor, "reports_userlogin", user_logins)
        memberships = [(user_id, groups[roles[group - 1]]) for user_id, group in generator.memberships()[0]]
        _copy(cursor, "auth_user_groups", memberships)
        steps = (
            ("patients_patient", lambda: generator.patients(logins)),
            ("visits_medicalvisit", generator.medical),
            ("visits_dentalvisit", generator.dental),
            ("feedback_feedback", generator.feedback),
        )
        for table, make in steps:
            step = time.monotonic()
            rows = make()
            _copy(cursor, table, rows)
            timings[table] = round(time.monotonic() - step, 1)
            log(f"  {table}: {len(rows):,} rows in {timings[table]}s")
        campaigns, participants = generator.campaigns()
        _copy(cursor, "campaigns_healthcampaign", campaigns)
        _copy(cursor, "campaigns_campaignparticipant", participants)
        _reset_sequences(cursor)
    with connection.cursor() as cursor:
        step = time.monotonic()
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does to a settled table: statistics, visibility map
        timings["vacuum_analyze"] = round(time.monotonic() - step, 1)
    timings["total"] = round(time.monotonic() - began, 1)
    return timings
