"""Realistic, reproducible demo data: patients, visits, feedback, campaigns and one login per role.

Everything is drawn from a seeded ``random.Random`` and a seeded Faker, so the same
seed and day give the same data. ``seed_demo`` writes in batches, in one transaction.
The demo logins' passwords are not data: each seeding draws new ones from ``secrets``,
and only the caller (the ``seed_demo`` command, which prints them once) ever sees them.
"""

import bisect
import datetime as dt
import itertools
import random
import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction
from django.utils import timezone
from faker import Faker
from faker.config import AVAILABLE_LOCALES

from campaigns.models import CampaignParticipant, CampaignType, HealthCampaign
from feedback.models import Feedback
from patients.models import Patient, PatientType, Sex
from reports.models import UserLogin
from reports.periods import local_zone
from uscpis.roles import CLINICAL_ROLES, Role
from visits.models import DentalProcedure, DentalVisit, GumCondition, MedicalVisit, OralHygiene, Outcome, Priority

MAX_PATIENTS = 200_000
HISTORY_DAYS = 548  # about 18 months, ending yesterday
BATCH_SIZE = 1000
DEMO_USERNAMES = tuple(role.lower() for role in Role)
# The demo ADMIN's Django admin powers besides the audit trail: the reports, unlocking logins and revoking API tokens
# (django-axes' access attempts, knox's tokens). Not users: `change user` could make itself a superuser.
ADMIN_PERMISSIONS = {
    "reports": ("view_reporttemplate", "change_reporttemplate", "view_generatedreport", "change_generatedreport"),
    "axes": ("view_accessattempt", "delete_accessattempt"),
    "knox": ("view_authtoken", "delete_authtoken"),
}

MEDICAL_VISITS_PER_PATIENT = 5.0  # over the whole history; late registrants get fewer
DENTAL_VISITS_PER_PATIENT = 1.4
FEEDBACK_SHARE = 0.22
PATIENT_ACCOUNT_SHARE = 0.15

# Month weights: the rainy season (June to October) brings colds, fever and dengue;
# April and May are the summer break; late December to early January the campus is closed.
MEDICAL_MONTHS = {
    1: 1.0,
    2: 1.0,
    3: 1.1,
    4: 0.55,
    5: 0.65,
    6: 1.3,
    7: 1.45,
    8: 1.6,
    9: 1.55,
    10: 1.45,
    11: 1.0,
    12: 0.8,
}
DENTAL_MONTHS = {1: 1.0, 2: 1.4, 3: 1.0, 4: 0.6, 5: 0.7, 6: 1.0, 7: 1.0, 8: 1.2, 9: 1.1, 10: 1.0, 11: 1.0, 12: 0.7}
REGISTRATION_MONTHS = {1: 2.5, 6: 1.5, 7: 2.0, 8: 3.5}  # enrolment; other months 0.5
WEEKDAYS = (1.0, 1.0, 1.0, 1.0, 0.95, 0.15, 0.02)  # Monday to Sunday
CLINIC_HOURS = ((8, 9, 10, 11, 12, 13, 14, 15, 16), (6, 10, 14, 13, 4, 7, 8, 7, 5))  # late-morning peak
WEEKEND_HOURS = ((8, 9, 10, 11), (3, 4, 4, 2))
SEASON_MONTHS = {"rainy": {6, 7, 8, 9, 10}, "exam": {3, 5, 10, 12}, "enrolment": {1, 7, 8}}

SURNAMES = (
    "Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Tomas", "Andrada",
    "Castillo", "Flores", "Villanueva", "Ramos", "Castro", "Rivera", "Aquino", "Navarro", "Salazar", "Mercado",
    "Dela Cruz", "De Leon", "Del Rosario", "Gonzales", "Lopez", "Fernandez", "Aguilar", "Pascual", "Domingo",
    "Soriano", "Manalo", "Dizon", "Gutierrez", "Villareal", "Tan", "Lim", "Go", "Sy", "Uy", "Chua", "Abellana",
    "Cabahug", "Alcantara", "Ybañez", "Sarmiento", "Pacquiao", "Macaraeg", "Lacson", "Panganiban", "Magbanua",
    "Dimaculangan", "Bacalso", "Enriquez", "Padilla", "Jimenez", "Morales", "Rosales", "Velasco", "Evangelista",
)  # fmt: skip
FILIPINO_FIRST_NAMES = {
    Sex.FEMALE: (
        "Maria Clara", "Mary Grace", "Kristine", "Angelica", "Princess", "Jasmine", "Rhea", "Joy", "Ma. Theresa",
        "Lovely", "Czarina", "Bea", "Janelle", "Precious", "Maricel", "Rosalie", "Kathryn", "Liza", "Nicole",
    ),
    Sex.MALE: (
        "Juan", "Jose", "John Paul", "Mark Anthony", "Christian", "Jerome", "Rodel", "Jericho", "Paolo", "Miguel",
        "Carlo", "Renz", "Angelo", "Jhon Lloyd", "Rommel", "Dindo", "Nathaniel", "Emmanuel", "Kenneth",
    ),
}  # fmt: skip
COLLEGES = (
    ("College of Engineering", 18), ("College of Computer Studies", 14), ("College of Nursing", 12),
    ("College of Business and Accountancy", 16), ("College of Arts and Sciences", 12), ("College of Education", 9),
    ("College of Architecture and Fine Arts", 7), ("College of Pharmacy", 6), ("College of Law", 4),
)  # fmt: skip
OFFICES = (
    "Registrar's Office", "Finance Office", "University Library", "Campus Security", "Facilities Management",
    "Human Resources", "Information Technology Office", "Guidance Center",
)  # fmt: skip
PATIENT_TYPES = (
    (PatientType.STUDENT, 70), (PatientType.FACULTY, 8), (PatientType.STAFF, 10),
    (PatientType.DEPENDENT, 8), (PatientType.OTHER, 4),
)  # fmt: skip


class Condition(NamedTuple):
    code: str  # ICD-10
    diagnosis: str
    concerns: tuple
    treatment: str
    weight: float
    season: str = ""  # a key of SEASON_MONTHS: more common then
    fever: float = 0.0  # share of visits with a fever
    follow_up: float = 0.08
    referral: float = 0.01
    aliases: tuple = ()  # what clinicians also write instead
    female_only: bool = False
    older: bool = False  # mostly in patients of 35 and over


HYPERTENSION = "I10"
CONDITIONS = (
    Condition("J06.9", "Acute upper respiratory infection", ("Cough and colds", "Runny nose", "Cough"),
              "Paracetamol 500 mg as needed; rest and fluids", 22, "rainy", 0.3, aliases=("URTI", "Acute URTI")),
    Condition("J02.9", "Acute pharyngitis", ("Sore throat", "Painful swallowing"),
              "Warm saline gargle; lozenges", 7, "rainy", 0.25),
    Condition("R50.9", "Fever, unspecified", ("Fever", "Chills and fever"),
              "Paracetamol 500 mg every 4 hours; monitor temperature", 6, "rainy", 1.0, 0.3),
    Condition("A90", "Dengue fever", ("High fever and body aches", "Fever with rashes"),
              "Referred for CBC and platelet count; oral rehydration", 1.2, "rainy", 1.0, 0.9, 0.45),
    Condition("A09", "Acute gastroenteritis", ("Diarrhea", "Loose bowel movement", "Vomiting and diarrhea"),
              "Oral rehydration salts; bland diet", 9, "rainy", 0.15, aliases=("AGE", "LBM", "Gastroenteritis")),
    Condition("J45.9", "Asthma", ("Difficulty of breathing", "Wheezing"),
              "Salbutamol nebulization", 4, "rainy", 0.05, 0.3, 0.05, ("Bronchial asthma",)),
    Condition("R51", "Headache", ("Headache",), "Paracetamol 500 mg; rest", 10, "exam", aliases=("Tension headache",)),
    Condition("G43.9", "Migraine", ("Severe headache", "Headache with nausea"),
              "Mefenamic acid 500 mg; dark quiet room", 3, "exam"),
    Condition("K30", "Dyspepsia", ("Stomach ache", "Epigastric pain", "Hyperacidity"),
              "Antacid after meals; regular meals", 8, "exam", aliases=("Hyperacidity", "Gastritis")),
    Condition("F41.9", "Anxiety disorder, unspecified", ("Stress", "Palpitations", "Cannot sleep"),
              "Counselling; referred to the Guidance Center", 3, "exam", 0, 0.4, 0.3, ("Anxiety",)),
    Condition("R42", "Dizziness", ("Dizziness", "Lightheadedness"), "Rest; fluids; check blood pressure", 5),
    Condition("M54.5", "Low back pain", ("Back pain", "Lower back pain"),
              "Mefenamic acid; posture advice", 5, aliases=("LBP", "Lumbago"), older=True),
    Condition(HYPERTENSION, "Essential hypertension", ("Blood pressure check", "Nape pain", "Dizziness"),
              "Amlodipine 5 mg daily; low-salt diet", 5, follow_up=0.6, referral=0.08, aliases=("HPN", "Hypertension"),
              older=True),
    Condition("L30.9", "Dermatitis", ("Skin rash", "Itchy skin"),
              "Hydrocortisone cream; avoid irritants", 5, aliases=("Contact dermatitis", "Allergic dermatitis")),
    Condition("H10.9", "Conjunctivitis", ("Sore eyes", "Red eyes"), "Antibiotic eye drops; avoid touching eyes", 3,
              "rainy", aliases=("Sore eyes",)),
    Condition("N39.0", "Urinary tract infection", ("Painful urination",),
              "Increase fluid intake; urinalysis requested", 3, follow_up=0.3, aliases=("UTI",)),
    Condition("N94.6", "Dysmenorrhea", ("Menstrual cramps",), "Mefenamic acid 500 mg; warm compress", 6,
              female_only=True),
    Condition("T14.0", "Superficial injury", ("Minor cut", "Wound dressing", "Abrasion from sports"),
              "Wound cleaning and dressing", 6, follow_up=0.2, aliases=("Abrasion", "Wound")),
    Condition("Z00.0", "General medical examination", ("Annual physical exam", "Medical certificate"),
              "Physical examination done; fit to attend classes", 8, "enrolment", aliases=("PE", "Medical clearance")),
)  # fmt: skip
CONDITION_BY_CODE = {condition.code: condition for condition in CONDITIONS}


class DentalCare(NamedTuple):
    procedure: str
    weight: float
    diagnoses: tuple
    treatment: str
    pain: tuple  # lowest and highest pain level
    teeth: int  # how many teeth it usually touches (0: the whole mouth)
    follow_up: float = 0.05
    referral: float = 0.0


DENTAL_CARE = (
    DentalCare(DentalProcedure.CONSULTATION, 18, ("Toothache", "Dental check-up"), "Oral examination", (0, 6), 1),
    DentalCare(DentalProcedure.CLEANING, 16, ("Calculus deposits", "Dental plaque"), "Scaling", (0, 2), 0),
    DentalCare(DentalProcedure.PROPHYLAXIS, 10, ("Dental plaque", "Gingivitis"), "Oral prophylaxis", (0, 2), 0),
    DentalCare(DentalProcedure.FLUORIDE, 4, ("Caries prevention",), "Topical fluoride varnish", (0, 0), 0),
    DentalCare(DentalProcedure.SEALANT, 3, ("Deep pits and fissures",), "Pit and fissure sealant", (0, 1), 2),
    DentalCare(DentalProcedure.FILLING, 16, ("Dental caries",), "Composite restoration", (1, 6), 2),
    DentalCare(DentalProcedure.EXTRACTION, 10, ("Non-restorable tooth", "Impacted third molar"),
               "Tooth extraction under local anesthesia", (4, 9), 1, 0.3),
    DentalCare(DentalProcedure.ROOT_CANAL, 3, ("Irreversible pulpitis",), "Root canal therapy", (5, 10), 1, 0.8, 0.3),
    DentalCare(DentalProcedure.CROWN, 2, ("Fractured tooth",), "Crown preparation", (1, 4), 1, 0.7, 0.4),
    DentalCare(DentalProcedure.ORTHODONTIC, 3, ("Malocclusion",), "Orthodontic assessment", (0, 3), 0, 0.6, 0.6),
    DentalCare(DentalProcedure.PERIODONTAL, 4, ("Periodontitis",), "Deep scaling and root planing", (2, 6), 0, 0.5),
    DentalCare(DentalProcedure.XRAY, 6, ("Suspected caries", "Impacted third molar"), "Periapical X-ray", (0, 5), 1),
    DentalCare(DentalProcedure.OTHER, 2, ("Sensitive teeth", "Mouth ulcer"), "Desensitizing paste advised", (0, 4), 0),
)  # fmt: skip

COMMENTS = {
    "good": (
        "Very accommodating staff.", "Quick service, thank you!", "The nurse was very kind.",
        "Salamat po sa maayos na serbisyo.", "Clean clinic and a friendly doctor.", "The dentist explained everything.",
    ),
    "fair": ("Waiting time was a bit long.", "Okay naman.", "Please add more chairs in the waiting area."),
    "poor": (
        "Waited more than an hour.", "The medicine I needed was out of stock.", "Staff seemed in a hurry.",
    ),
}  # fmt: skip
RESPONSES = {
    "good": ("Thank you for your kind words!",),
    "fair": ("Thank you; we are adding a second nurse during peak hours.",),
    "poor": ("We are sorry about your experience; the clinic head will follow this up.",),
}


class Campaign(NamedTuple):
    title: str
    campaign_type: str
    month: int
    day: int
    days: int
    reach: float  # share of patients who register
    description: str


CAMPAIGNS = (
    Campaign("Free Dental Check-up Month", CampaignType.DENTAL, 2, 1, 28, 0.08,
             "National Dental Health Month: free check-ups and oral prophylaxis."),
    Campaign("Flu Vaccination Drive", CampaignType.VACCINATION, 4, 21, 10, 0.12,
             "Free seasonal influenza vaccine for students and employees."),
    Campaign("Blood Pressure Screening Week", CampaignType.SCREENING, 5, 12, 5, 0.06,
             "Hypertension Awareness Month: free blood pressure and blood sugar screening."),
    Campaign("Dengue Awareness Drive", CampaignType.AWARENESS, 6, 16, 14, 0.05,
             "Search and destroy breeding sites, and know the warning signs."),
    Campaign("Nutrition Month: Healthy Campus Meals", CampaignType.NUTRITION, 7, 1, 31, 0.04,
             "Talks on balanced meals and a healthy-canteen challenge."),
    Campaign("Mental Health Week: Kumusta Ka?", CampaignType.MENTAL_HEALTH, 10, 6, 7, 0.07,
             "Free counselling sessions and stress management before midterms."),
    Campaign("Hepatitis B Screening", CampaignType.SCREENING, 11, 10, 5, 0.05,
             "Free HBsAg screening and vaccination advice."),
    Campaign("World AIDS Day: Know Your Status", CampaignType.AWARENESS, 12, 1, 5, 0.03,
             "HIV awareness talks and free, confidential testing."),
    Campaign("Blood Donation Drive", CampaignType.OTHER, 1, 20, 3, 0.03,
             "With the Philippine Red Cross, at the university gym."),
)  # fmt: skip


class DemoDataExists(Exception):
    """Clinic data or demo logins are already present and ``flush`` was not asked for."""


@dataclass(frozen=True)
class SeedResult:
    counts: dict  # what was created, by kind
    logins: list  # (username, password, role)


def seed_demo(patients=300, seed=42, today=None, flush=False):
    """Create demo data for ``patients`` patients covering the ~18 months before ``today``."""
    if isinstance(patients, bool) or not isinstance(patients, int) or not 1 <= patients <= MAX_PATIENTS:
        raise ValueError(f"patients must be a whole number from 1 to {MAX_PATIENTS}")
    with transaction.atomic():
        if flush:
            delete_demo_data()
        elif clinic_data_exists():
            raise DemoDataExists("Clinic data or demo logins already exist.")
        return _Seeder(seed, today or timezone.localdate()).run(patients)


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


class _Profile(NamedTuple):
    age: int
    height: float
    weight: float
    chronic: Condition | None


def _cumulative(weights):
    return list(itertools.accumulate(weights))


def _day_weight(day, months, other_months=0.0):
    if (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 3):
        return 0.01  # Christmas break
    return months.get(day.month, other_months) * WEEKDAYS[day.weekday()]


def _dec(value):
    return Decimal(f"{value:.1f}")


def _slug(text):
    return re.sub(r"[^a-z]", "", text.lower())


def _bucket(rating):
    return "good" if rating >= 4 else "fair" if rating == 3 else "poor"


class _Seeder:
    def __init__(self, seed, today):
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 (reproducible demo data by design)
        self.fake = Faker("en_PH" if "en_PH" in AVAILABLE_LOCALES else "en_US")
        self.fake.seed_instance(seed)
        self.today = today
        self.zone = local_zone()
        self.cutoff = dt.datetime.combine(today, dt.time.min, tzinfo=self.zone)
        self.days = [today - dt.timedelta(days=HISTORY_DAYS - i) for i in range(HISTORY_DAYS)]
        self.medical_days = _cumulative(_day_weight(day, MEDICAL_MONTHS) for day in self.days)
        self.dental_days = _cumulative(_day_weight(day, DENTAL_MONTHS) for day in self.days)
        self.registration_days = _cumulative(_day_weight(day, REGISTRATION_MONTHS, 0.5) for day in self.days)
        self.condition_weights = {}
        self.dental_weights = _cumulative(care.weight for care in DENTAL_CARE)

    def run(self, count):
        users, logins = self.demo_users()
        patients, profiles = self.patients(count)
        accounts = self.patient_accounts(patients, users)
        Patient.objects.bulk_create(patients, batch_size=BATCH_SIZE)
        medical, dental = self.visits(patients, profiles, users)
        MedicalVisit.objects.bulk_create(medical, batch_size=BATCH_SIZE)
        DentalVisit.objects.bulk_create(dental, batch_size=BATCH_SIZE)
        feedback = self.feedback(medical, dental, users)
        Feedback.objects.bulk_create(feedback, batch_size=BATCH_SIZE)
        campaigns, participants = self.campaigns(patients)
        counts = {
            "users": len(users) + accounts,
            "patients": len(patients),
            "medical visits": len(medical),
            "dental visits": len(dental),
            "feedback": len(feedback),
            "campaigns": len(campaigns),
            "campaign participants": len(participants),
        }
        return SeedResult(counts, logins)

    # Time

    def _pick_day(self, cumulative, first=0):
        """A day index from ``first`` on, drawn with the given cumulative weights."""
        low = cumulative[first - 1] if first else 0.0
        return min(bisect.bisect(cumulative, self.rng.uniform(low, cumulative[-1])), len(cumulative) - 1)

    def _share_after(self, cumulative, first):
        """The share of the weight of the days from ``first`` on."""
        return 1 - (cumulative[first - 1] / cumulative[-1] if first else 0.0)

    def _at(self, day):
        """A time in clinic hours on ``day``."""
        hours, weights = WEEKEND_HOURS if day.weekday() >= 5 else CLINIC_HOURS
        hour = self.rng.choices(hours, weights)[0]
        return dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60)), tzinfo=self.zone)

    # Users and patients

    def demo_users(self):
        """One login per role, created or reset, with a new random password.

        The demo ADMIN holds the ADMIN role and may use Django admin (staff), but is no
        superuser: it may see and change report templates and reports, not users or groups.
        """
        users, logins = {}, []
        for role in Role:
            username, password = role.lower(), new_password()
            user = User.objects.filter(username=username).first() or User(username=username)
            user.first_name = self.fake.first_name()
            user.last_name = self.fake.random_element(SURNAMES)
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

    def patients(self, count):
        """Unsaved patients numbered in order of registration, and their body profiles."""
        forced = (PatientType.STUDENT, PatientType.FACULTY)  # so both demo patient logins have a patient
        types, type_weights = zip(*PATIENT_TYPES, strict=True)
        rows = []
        for index in range(count):
            kind = forced[index] if index < len(forced) else self.rng.choices(types, type_weights)[0]
            sex = self.rng.choices((Sex.FEMALE, Sex.MALE, Sex.OTHER), (51, 48, 1))[0]
            age = self._age(kind)
            first_name, last_name = self._first_name(sex), self.fake.random_element(SURNAMES)
            rows.append(
                (
                    self._registered_at(age),
                    Patient(
                        first_name=first_name,
                        last_name=last_name,
                        sex=sex,
                        date_of_birth=self.today - dt.timedelta(days=int(age * 365.25) + self.rng.randrange(365)),
                        patient_type=kind,
                        department=self._department(kind),
                        phone=self.fake.mobile_number() if self.rng.random() < 0.85 else "",
                        email=f"{_slug(first_name)}.{_slug(last_name)}{index}@example.edu"
                        if self.rng.random() < 0.8
                        else "",
                    ),
                    self._profile(sex, age),
                )
            )
        rows.sort(key=lambda row: row[0])
        for number, (registered_at, patient, _) in enumerate(rows, start=1):
            patient.patient_number = f"P{number:06d}"
            patient.registered_at = registered_at
        return [row[1] for row in rows], [row[2] for row in rows]

    def _age(self, kind):
        rng = self.rng
        if kind == PatientType.STUDENT:
            return rng.choices(range(17, 31), (3, 10, 12, 12, 11, 8, 4, 2, 1, 1, 1, 1, 0.5, 0.5))[0]
        if kind == PatientType.DEPENDENT:
            return rng.randint(1, 17) if rng.random() < 0.75 else rng.randint(25, 60)
        low, high = {PatientType.FACULTY: (26, 65), PatientType.STAFF: (21, 60)}.get(kind, (18, 70))
        return rng.randint(low, high)

    def _first_name(self, sex):
        if sex == Sex.OTHER:
            sex = self.rng.choice((Sex.FEMALE, Sex.MALE))
        if self.rng.random() < 0.45:
            return self.fake.random_element(FILIPINO_FIRST_NAMES[sex])
        return self.fake.first_name_female() if sex == Sex.FEMALE else self.fake.first_name_male()

    def _department(self, kind):
        if kind in (PatientType.STUDENT, PatientType.FACULTY):
            names, weights = zip(*COLLEGES, strict=True)
            return self.rng.choices(names, weights)[0]
        return self.rng.choice(OFFICES) if kind == PatientType.STAFF else ""

    def _registered_at(self, age):
        """Most patients registered before the history starts, the others mostly at enrolment."""
        if self.rng.random() < 0.6:
            years_back = max(1, min(4, age - 16))
            day = self.days[0] - dt.timedelta(days=self.rng.randint(1, 365 * years_back))
        else:
            day = self.days[self._pick_day(self.registration_days)]
        return self._at(day)

    def _profile(self, sex, age):
        rng = self.rng
        if age < 18:
            height = min(75 + 6 * age, 165) + rng.gauss(0, 4)
            weight = max(9.0, 8 + 2.4 * age + rng.gauss(0, 2))
        else:
            height = rng.gauss({Sex.MALE: 167, Sex.FEMALE: 155}.get(sex, 161), 6)
            weight = min(38.0, max(17.0, rng.gauss(23.5, 3.5))) * (height / 100) ** 2
        chronic = None
        if age >= 35 and rng.random() < 0.22:
            chronic = CONDITION_BY_CODE[HYPERTENSION]
        elif rng.random() < 0.05:
            chronic = CONDITION_BY_CODE["J45.9"]
        return _Profile(age, height, weight, chronic)

    def patient_accounts(self, patients, users):
        """Link the demo student and faculty logins, and give some other students and faculty a login."""
        roles = {PatientType.STUDENT: Role.STUDENT, PatientType.FACULTY: Role.FACULTY}
        unlinked = {kind: users[role] for kind, role in roles.items()}
        accounts = []
        for patient in patients:
            demo = unlinked.pop(patient.patient_type, None)
            if demo:
                demo.first_name, demo.last_name = patient.first_name, patient.last_name
                demo.save(update_fields=["first_name", "last_name"])
                patient.user = demo
            elif patient.patient_type in roles and self.rng.random() < PATIENT_ACCOUNT_SHARE:
                accounts.append((patient, self._account(patient)))
        User.objects.bulk_create([user for _, user in accounts], batch_size=BATCH_SIZE)
        groups = {kind: Group.objects.get(name=role) for kind, role in roles.items()}
        memberships = [
            User.groups.through(user_id=user.pk, group_id=groups[patient.patient_type].pk) for patient, user in accounts
        ]
        User.groups.through.objects.bulk_create(memberships, batch_size=BATCH_SIZE)
        UserLogin.objects.bulk_create(
            [UserLogin(user=user, logged_in_at=user.last_login) for _, user in accounts if user.last_login],
            batch_size=BATCH_SIZE,
        )
        for patient, user in accounts:
            patient.user = user
        return len(accounts)

    def _account(self, patient):
        """A patient's own login: no usable password; most have logged in lately."""
        last_login = None
        if self.rng.random() < 0.6:
            last_login = max(patient.registered_at, self.cutoff - dt.timedelta(minutes=self.rng.randint(1, 90 * 1440)))
        return User(
            username=patient.patient_number.lower(),
            first_name=patient.first_name,
            last_name=patient.last_name,
            email=patient.email,
            password=make_password(None),
            date_joined=patient.registered_at,
            last_login=last_login,
        )

    # Visits

    def visits(self, patients, profiles, users):
        medical, dental = [], []
        for patient, profile in zip(patients, profiles, strict=True):
            first = bisect.bisect_right(self.days, patient.registered_at.date())
            if first >= len(self.days):
                continue
            activity = min(4.0, self.rng.expovariate(1.0))  # a few patients come often
            share = self._share_after(self.medical_days, first)
            visits = round(activity * MEDICAL_VISITS_PER_PATIENT * share)
            if profile.chronic:
                visits += round(self.rng.randint(2, 6) * share)
            for _ in range(visits):
                day = self.days[self._pick_day(self.medical_days, first)]
                medical.append(self._medical_visit(patient, profile, day, users))
            share = self._share_after(self.dental_days, first)
            for _ in range(round(self.rng.expovariate(1.0) * DENTAL_VISITS_PER_PATIENT * share)):
                day = self.days[self._pick_day(self.dental_days, first)]
                dental.append(self._dental_visit(patient, day, users[Role.DENTIST]))
        return medical, dental

    def _condition(self, patient, profile, month):
        if profile.chronic and self.rng.random() < 0.4:
            return profile.chronic
        key = (month, patient.sex == Sex.FEMALE, profile.age >= 35)
        if key not in self.condition_weights:
            self.condition_weights[key] = _cumulative(
                self._condition_weight(condition, *key) for condition in CONDITIONS
            )
        return self.rng.choices(CONDITIONS, cum_weights=self.condition_weights[key])[0]

    @staticmethod
    def _condition_weight(condition, month, female, older):
        if condition.female_only and not female:
            return 0.0
        weight = condition.weight
        if condition.season and month in SEASON_MONTHS[condition.season]:
            weight *= 1.8
        if condition.older:
            weight *= 4 if older else 0.15
        return weight

    def _diagnosis(self, condition):
        """Mostly the coded diagnosis; sometimes free text as clinicians type it."""
        if self.rng.random() >= 0.12:
            return condition.diagnosis, condition.code
        text = self.rng.choice((condition.diagnosis, *condition.aliases))
        variant = self.rng.choice(
            (text, text.lower(), text.upper(), f" {text}", f"{text}  ", text.replace(" ", "  ", 1))
        )
        return variant, ""

    def _outcome(self, referral, day):
        if (self.today - day).days <= 7 and self.rng.random() < 0.6:
            return Outcome.PENDING
        if self.rng.random() < referral:
            return Outcome.REFERRED
        outcomes = (Outcome.RESOLVED, Outcome.IMPROVED, Outcome.UNCHANGED, Outcome.WORSENED, Outcome.PENDING)
        return self.rng.choices(outcomes, (55, 30, 7, 2, 6))[0]

    def _follow_up(self, chance, day):
        if self.rng.random() >= chance:
            return {}
        return {"follow_up_required": True, "follow_up_date": day + dt.timedelta(days=self.rng.choice((3, 5, 7, 14)))}

    def _medical_visit(self, patient, profile, day, users):
        condition = self._condition(patient, profile, day.month)
        diagnosis, code = self._diagnosis(condition)
        return MedicalVisit(
            patient=patient,
            visit_date=self._at(day),
            concern=self.rng.choice(condition.concerns),
            diagnosis=diagnosis,
            diagnosis_code=code,
            treatment=condition.treatment,
            outcome=self._outcome(condition.referral, day),
            attended_by=users[self.rng.choices((Role.DOCTOR, Role.NURSE), (7, 3))[0]],
            **self._follow_up(condition.follow_up, day),
            **self._vitals(profile, condition),
        )

    def _vitals(self, profile, condition):
        """Vitals within the database's plausibility checks; missing for a few visits."""
        rng = self.rng
        if rng.random() < 0.08:
            return {}
        fever = rng.random() < condition.fever
        temperature = rng.uniform(37.8, 39.6) if fever else min(37.4, max(35.9, rng.gauss(36.7, 0.3)))
        vitals = {
            "temperature_c": _dec(temperature),
            "heart_rate": min(140, max(50, round(rng.gauss(90 if fever else 76, 9)))),
            "weight_kg": _dec(profile.weight + rng.uniform(-1.5, 1.5)),
            "height_cm": _dec(profile.height),
        }
        if profile.age >= 12:
            if condition.code == HYPERTENSION:
                systolic, diastolic = rng.randint(140, 172), rng.randint(88, 104)
            else:
                systolic = min(160, max(88, round(rng.gauss(124 if profile.age >= 35 else 112, 9))))
                diastolic = min(100, max(55, round(systolic * 0.64 + rng.gauss(0, 4))))
            vitals |= {"systolic_bp": systolic, "diastolic_bp": diastolic}
        return vitals

    def _dental_visit(self, patient, day, dentist):
        rng = self.rng
        care = rng.choices(DENTAL_CARE, cum_weights=self.dental_weights)[0]
        diagnosis = rng.choice(care.diagnoses)
        pain = rng.randint(*care.pain) if rng.random() < 0.9 else None
        hygiene = rng.choices((*OralHygiene.values, ""), (10, 45, 30, 10, 5))[0]
        gum = GumCondition.PERIODONTITIS
        if care.procedure != DentalProcedure.PERIODONTAL:
            gum = rng.choices((*GumCondition.values, ""), (60, 25, 3, 7, 5))[0]
        return DentalVisit(
            patient=patient,
            visit_date=self._at(day),
            procedure=care.procedure,
            diagnosis=diagnosis,
            treatment=care.treatment,
            tooth_numbers=self._teeth(care.teeth, third_molar="third molar" in diagnosis),
            pain_level=pain,
            oral_hygiene=hygiene,
            gum_condition=gum,
            priority=self._priority(pain),
            outcome=self._outcome(care.referral, day),
            attended_by=dentist,
            **self._follow_up(care.follow_up, day),
        )

    def _teeth(self, count, third_molar):
        """FDI tooth numbers, molars most often."""
        quadrants = "1234"
        if third_molar:
            return f"{self.rng.choice(quadrants)}8"
        teeth = {f"{self.rng.choice(quadrants)}{self.rng.choice('123456667777')}" for _ in range(count)}
        return ",".join(sorted(teeth))

    @staticmethod
    def _priority(pain):
        if pain is None or pain < 3:
            return Priority.LOW
        return Priority.URGENT if pain >= 8 else Priority.HIGH if pain >= 6 else Priority.MEDIUM

    # Feedback and campaigns

    def feedback(self, medical, dental, users):
        rng = self.rng
        responders = (users[Role.STAFF], users[Role.ADMIN])
        rows = []
        for visit in itertools.chain(medical, dental):
            if rng.random() >= FEEDBACK_SHARE:
                continue
            submitted_at = visit.visit_date + dt.timedelta(minutes=rng.randint(15, 4 * 1440))
            if submitted_at >= self.cutoff:
                continue
            rating = rng.choices((5, 4, 3, 2, 1), (48, 32, 11, 5, 4))[0]
            bucket = _bucket(rating)
            feedback = Feedback(
                patient=visit.patient,
                rating=rating,
                submitted_at=submitted_at,
                courteous=None if rng.random() < 0.2 else rng.random() < (0.95 if rating >= 3 else 0.4),
                recommend=None if rng.random() < 0.25 else rng.random() < (0.9 if rating >= 4 else 0.35),
            )
            if isinstance(visit, MedicalVisit):
                feedback.medical_visit = visit
            else:
                feedback.dental_visit = visit
            if rng.random() < (0.35 if rating >= 4 else 0.8):
                feedback.comments = rng.choice(COMMENTS[bucket])
                responded_at = submitted_at + dt.timedelta(minutes=rng.randint(30, 5 * 1440))
                if rng.random() < (0.25 if rating >= 4 else 0.7) and responded_at < self.cutoff:
                    feedback.response = rng.choice(RESPONSES[bucket])
                    feedback.responded_at = responded_at
                    feedback.responded_by = rng.choice(responders)
            rows.append(feedback)
        return rows

    def campaigns(self, patients):
        """The clinic's yearly campaigns, each at its latest date up to three weeks ahead."""
        rng = self.rng
        campaigns, participants = [], []
        for spec in CAMPAIGNS:
            start = dt.date(self.today.year, spec.month, spec.day)
            if start > self.today + dt.timedelta(days=21):
                start = start.replace(year=start.year - 1)
            campaign = HealthCampaign(
                title=f"{spec.title} {start.year}",
                campaign_type=spec.campaign_type,
                description=spec.description,
                start_date=start,
                end_date=start + dt.timedelta(days=spec.days - 1),
            )
            eligible = [patient for patient in patients if patient.registered_at.date() <= start]
            chosen = rng.sample(eligible, min(len(eligible), round(len(eligible) * spec.reach * rng.uniform(0.7, 1.3))))
            for patient in chosen:
                registered_at = self._at(start - dt.timedelta(days=rng.randint(0, 14)))
                registered_at = min(max(registered_at, patient.registered_at), self.cutoff - dt.timedelta(minutes=1))
                participants.append(
                    CampaignParticipant(
                        campaign=campaign,
                        patient=patient,
                        registered_at=registered_at,
                        attended=start < self.today and rng.random() < 0.72,
                    )
                )
            campaign.view_count = round(len(chosen) * rng.uniform(2.5, 6)) + rng.randint(20, 200)
            campaigns.append(campaign)
        HealthCampaign.objects.bulk_create(campaigns)
        CampaignParticipant.objects.bulk_create(participants, batch_size=BATCH_SIZE)
        return campaigns, participants
