"""Patients' feedback on their visits: ratings, comments and the clinic's responses."""

import datetime as dt

from demo.history import Weighted
from feedback.models import Feedback
from visits.models import MedicalVisit

RATING = Weighted((5, 4, 3, 2, 1), (48, 32, 11, 5, 4))
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


def make_feedback(history, visits, responders, share, ids):
    """``(Feedback, row)`` on about ``share`` of ``visits``, some answered by ``responders`` (user ids).

    ``visits``: ``(model, id, patient_id, visit_date)`` of each visit.
    """
    rng = history.rng
    for model, visit_id, patient_id, visit_date in visits:
        if rng.random() >= share:
            continue
        submitted_at = visit_date + dt.timedelta(minutes=rng.randint(15, 4 * 1440))
        if submitted_at >= history.cutoff:
            continue
        rating = RATING(rng)
        bucket = _bucket(rating)
        feedback = {
            "id": ids(Feedback),
            "patient_id": patient_id,
            "rating": rating,
            "submitted_at": submitted_at,
            "courteous": None if rng.random() < 0.2 else rng.random() < (0.95 if rating >= 3 else 0.4),
            "recommend": None if rng.random() < 0.25 else rng.random() < (0.9 if rating >= 4 else 0.35),
            "medical_visit_id" if model is MedicalVisit else "dental_visit_id": visit_id,
        }
        if rng.random() < (0.35 if rating >= 4 else 0.8):
            feedback["comments"] = rng.choice(COMMENTS[bucket])
            responded_at = submitted_at + dt.timedelta(minutes=rng.randint(30, 5 * 1440))
            if rng.random() < (0.25 if rating >= 4 else 0.7) and responded_at < history.cutoff:
                feedback["response"] = rng.choice(RESPONSES[bucket])
                feedback["responded_at"] = responded_at
                feedback["responded_by_id"] = rng.choice(responders)
        yield Feedback, feedback


def _bucket(rating):
    return "good" if rating >= 4 else "fair" if rating == 3 else "poor"
