"""Medical and dental visits: seasonal conditions, vitals, dental care, outcomes and follow-ups."""

import bisect
import datetime as dt
import functools
from decimal import Decimal

from demo.conditions import CONDITIONS, DENTAL_CARE, HYPERTENSION
from demo.history import SEASON_MONTHS, Weighted, cumulative
from patients.models import Sex
from uscpis.roles import Role
from visits.models import DentalProcedure, DentalVisit, GumCondition, MedicalVisit, OralHygiene, Outcome, Priority

DENTAL_WEIGHTS = cumulative(care.weight for care in DENTAL_CARE)
OUTCOME = Weighted(
    (Outcome.RESOLVED, Outcome.IMPROVED, Outcome.UNCHANGED, Outcome.WORSENED, Outcome.PENDING), (55, 30, 7, 2, 6)
)
MEDICAL_ROLE = Weighted((Role.DOCTOR, Role.NURSE), (7, 3))
ORAL_HYGIENE = Weighted((*OralHygiene.values, ""), (10, 45, 30, 10, 5))
GUM_CONDITION = Weighted((*GumCondition.values, ""), (60, 25, 3, 7, 5))


def make_visits(history, patients, profiles, clinicians, volume, ids):
    """``(model, row)`` for medical and dental visits after each patient registered, attended by ``clinicians``.

    On average a patient who was there the whole history comes ``volume.medical_visits`` and
    ``volume.dental_visits`` times; a few come often (a Pareto tail of shape ``volume.visit_tail``
    if set, else capped at four times the average), and chronic patients come back. ``clinicians``
    are their ids by role.
    """
    rng = history.rng
    for patient, profile in zip(patients, profiles, strict=True):
        first = bisect.bisect_right(history.days, patient["registered_at"].date())
        if first >= len(history.days):
            continue
        activity = _activity(rng, volume.visit_tail)
        share = history.share_after(history.medical_days, first)
        visits = round(activity * volume.medical_visits * share)
        if profile.chronic:
            visits += round(rng.randint(2, 6) * share)
        for _ in range(visits):
            day = history.pick_day(history.medical_days, first)
            yield MedicalVisit, _medical_visit(history, patient, profile, day, clinicians, ids)
        share = history.share_after(history.dental_days, first)
        for _ in range(round(rng.expovariate(1.0) * volume.dental_visits * share)):
            day = history.pick_day(history.dental_days, first)
            yield DentalVisit, _dental_visit(history, patient, day, clinicians[Role.DENTIST], ids)


def _activity(rng, tail):
    """How often a patient comes, as a multiple of the average."""
    if tail:
        return rng.paretovariate(tail) * (tail - 1) / tail
    return min(4.0, rng.expovariate(1.0))


def _attending(rng, staff):
    return staff[0] if len(staff) == 1 else rng.choice(staff)


def _medical_visit(history, patient, profile, day, clinicians, ids):
    rng = history.rng
    condition = _condition(rng, patient, profile, day.month)
    diagnosis, code = _diagnosis(rng, condition)
    return {
        "id": ids(MedicalVisit),
        "patient_id": patient["id"],
        "visit_date": history.at(day),
        "concern": rng.choice(condition.concerns),
        "diagnosis": diagnosis,
        "diagnosis_code": code,
        "treatment": condition.treatment,
        "outcome": _outcome(history, condition.referral, day),
        "attended_by_id": _attending(rng, clinicians[MEDICAL_ROLE(rng)]),
        **_follow_up(rng, condition.follow_up, day),
        **_vitals(rng, profile, condition),
    }


def _condition(rng, patient, profile, month):
    if profile.chronic and rng.random() < 0.4:
        return profile.chronic
    weights = _condition_weights(month, patient["sex"] == Sex.FEMALE, profile.age >= 35)
    return rng.choices(CONDITIONS, cum_weights=weights)[0]


@functools.cache
def _condition_weights(month, female, older):
    """The conditions' cumulative weights in ``month`` for a patient of that sex and age."""
    return cumulative(_condition_weight(condition, month, female, older) for condition in CONDITIONS)


def _condition_weight(condition, month, female, older):
    if condition.female_only and not female:
        return 0.0
    weight = condition.weight
    if condition.season and month in SEASON_MONTHS[condition.season]:
        weight *= 1.8
    if condition.older:
        weight *= 4 if older else 0.15
    return weight


def _diagnosis(rng, condition):
    """Mostly the coded diagnosis; sometimes free text as clinicians type it."""
    if rng.random() >= 0.12:
        return condition.diagnosis, condition.code
    text = rng.choice((condition.diagnosis, *condition.aliases))
    variant = rng.choice((text, text.lower(), text.upper(), f" {text}", f"{text}  ", text.replace(" ", "  ", 1)))
    return variant, ""


def _outcome(history, referral, day):
    rng = history.rng
    if (history.today - day).days <= 7 and rng.random() < 0.6:
        return Outcome.PENDING
    if rng.random() < referral:
        return Outcome.REFERRED
    return OUTCOME(rng)


def _follow_up(rng, chance, day):
    if rng.random() >= chance:
        return {}
    return {"follow_up_required": True, "follow_up_date": day + dt.timedelta(days=rng.choice((3, 5, 7, 14)))}


def _vitals(rng, profile, condition):
    """Vitals within the database's plausibility checks; missing for a few visits."""
    if rng.random() < 0.08:
        return {}
    fever = rng.random() < condition.fever
    temperature = rng.uniform(37.8, 39.6) if fever else min(37.4, max(35.9, rng.gauss(36.7, 0.3)))
    vitals = {
        "temperature_c": _decimal(temperature),
        "heart_rate": min(140, max(50, round(rng.gauss(90 if fever else 76, 9)))),
        "weight_kg": _decimal(profile.weight + rng.uniform(-1.5, 1.5)),
        "height_cm": _decimal(profile.height),
    }
    if profile.age >= 12:
        if condition.code == HYPERTENSION:
            systolic, diastolic = rng.randint(140, 172), rng.randint(88, 104)
        else:
            systolic = min(160, max(88, round(rng.gauss(124 if profile.age >= 35 else 112, 9))))
            diastolic = min(100, max(55, round(systolic * 0.64 + rng.gauss(0, 4))))
        vitals |= {"systolic_bp": systolic, "diastolic_bp": diastolic}
    return vitals


def _decimal(value):
    return Decimal(f"{value:.1f}")


def _dental_visit(history, patient, day, dentists, ids):
    rng = history.rng
    care = rng.choices(DENTAL_CARE, cum_weights=DENTAL_WEIGHTS)[0]
    diagnosis = rng.choice(care.diagnoses)
    pain = rng.randint(*care.pain) if rng.random() < 0.9 else None
    hygiene = ORAL_HYGIENE(rng)
    gum = GumCondition.PERIODONTITIS
    if care.procedure != DentalProcedure.PERIODONTAL:
        gum = GUM_CONDITION(rng)
    return {
        "id": ids(DentalVisit),
        "patient_id": patient["id"],
        "visit_date": history.at(day),
        "procedure": care.procedure,
        "diagnosis": diagnosis,
        "treatment": care.treatment,
        "tooth_numbers": _teeth(rng, care.teeth, third_molar="third molar" in diagnosis),
        "pain_level": pain,
        "oral_hygiene": hygiene,
        "gum_condition": gum,
        "priority": _priority(pain),
        "outcome": _outcome(history, care.referral, day),
        "attended_by_id": _attending(rng, dentists),
        **_follow_up(rng, care.follow_up, day),
    }


def _teeth(rng, count, third_molar):
    """FDI tooth numbers, molars most often."""
    quadrants = "1234"
    if third_molar:
        return f"{rng.choice(quadrants)}8"
    teeth = {f"{rng.choice(quadrants)}{rng.choice('123456667777')}" for _ in range(count)}
    return ",".join(sorted(teeth))


def _priority(pain):
    if pain is None or pain < 3:
        return Priority.LOW
    return Priority.URGENT if pain >= 8 else Priority.HIGH if pain >= 6 else Priority.MEDIUM
