"""Patients: names, colleges and offices, types and ages, when they registered, and their bodies."""

import datetime as dt
import re
from typing import NamedTuple

from demo.conditions import CONDITION_BY_CODE, HYPERTENSION, Condition
from patients.models import Patient, PatientType, Sex

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


class Profile(NamedTuple):
    """What a patient's visits depend on beyond the patient record."""

    age: int
    height: float
    weight: float
    chronic: Condition | None


def make_patients(history, fake, count, ids):
    """``count`` patients numbered in order of registration (rows for ``Patient``), and their profiles."""
    rng = history.rng
    forced = (PatientType.STUDENT, PatientType.FACULTY)  # so both demo patient logins have a patient
    types, type_weights = zip(*PATIENT_TYPES, strict=True)
    rows = []
    for index in range(count):
        kind = forced[index] if index < len(forced) else rng.choices(types, type_weights)[0]
        sex = rng.choices((Sex.FEMALE, Sex.MALE, Sex.OTHER), (51, 48, 1))[0]
        age = _age(rng, kind)
        first_name, last_name = _first_name(rng, fake, sex), fake.random_element(SURNAMES)
        rows.append(
            (
                _registered_at(history, age),
                {
                    "first_name": first_name,
                    "last_name": last_name,
                    "sex": sex,
                    "date_of_birth": history.today - dt.timedelta(days=int(age * 365.25) + rng.randrange(365)),
                    "patient_type": kind,
                    "department": _department(rng, kind),
                    "phone": fake.mobile_number() if rng.random() < 0.85 else "",
                    "email": f"{_slug(first_name)}.{_slug(last_name)}{index}@example.edu" if rng.random() < 0.8 else "",
                },
                _profile(rng, sex, age),
            )
        )
    rows.sort(key=lambda row: row[0])
    for number, (registered_at, patient, _) in enumerate(rows, start=1):
        patient["id"] = ids(Patient)
        patient["patient_number"] = f"P{number:06d}"
        patient["registered_at"] = registered_at
    return [row[1] for row in rows], [row[2] for row in rows]


def _age(rng, kind):
    if kind == PatientType.STUDENT:
        return rng.choices(range(17, 31), (3, 10, 12, 12, 11, 8, 4, 2, 1, 1, 1, 1, 0.5, 0.5))[0]
    if kind == PatientType.DEPENDENT:
        return rng.randint(1, 17) if rng.random() < 0.75 else rng.randint(25, 60)
    low, high = {PatientType.FACULTY: (26, 65), PatientType.STAFF: (21, 60)}.get(kind, (18, 70))
    return rng.randint(low, high)


def _first_name(rng, fake, sex):
    if sex == Sex.OTHER:
        sex = rng.choice((Sex.FEMALE, Sex.MALE))
    if rng.random() < 0.45:
        return fake.random_element(FILIPINO_FIRST_NAMES[sex])
    return fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male()


def _department(rng, kind):
    if kind in (PatientType.STUDENT, PatientType.FACULTY):
        names, weights = zip(*COLLEGES, strict=True)
        return rng.choices(names, weights)[0]
    return rng.choice(OFFICES) if kind == PatientType.STAFF else ""


def _registered_at(history, age):
    """Most patients registered before the history starts, the others mostly at enrolment."""
    if history.rng.random() < 0.6:
        years_back = max(1, min(4, age - 16))
        day = history.days[0] - dt.timedelta(days=history.rng.randint(1, 365 * years_back))
    else:
        day = history.pick_day(history.registration_days)
    return history.at(day)


def _profile(rng, sex, age):
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
    return Profile(age, height, weight, chronic)


def _slug(text):
    return re.sub(r"[^a-z]", "", text.lower())
