"""The clinic's yearly health campaigns and the patients who register for them."""

import bisect
import datetime as dt
from typing import NamedTuple

from campaigns.models import CampaignParticipant, CampaignType, HealthCampaign


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


def make_campaigns(history, patients, years, runs, ids):
    """``(model, row)`` for campaigns and their participants: each yearly campaign's latest ``years`` runs.

    The latest run may start up to three weeks ahead. With ``runs``, that many instead, spread
    over those: some campaigns then run again, a week later each time.
    """
    rng = history.rng
    registered = [patient["registered_at"].date() for patient in patients]  # in order of registration
    for spec, start, again in _runs(history, years, runs):
        campaign = {
            "id": ids(HealthCampaign),
            "title": f"{spec.title} {start.year}" + (f" ({again + 1})" if again else ""),
            "campaign_type": spec.campaign_type,
            "description": spec.description,
            "start_date": start,
            "end_date": start + dt.timedelta(days=spec.days - 1),
        }
        eligible = patients[: bisect.bisect_right(registered, start)]
        chosen = rng.sample(eligible, min(len(eligible), round(len(eligible) * spec.reach * rng.uniform(0.7, 1.3))))
        participants = []
        for patient in chosen:
            registered_at = history.at(start - dt.timedelta(days=rng.randint(0, 14)))
            registered_at = min(max(registered_at, patient["registered_at"]), history.cutoff - dt.timedelta(minutes=1))
            participants.append(
                {
                    "id": ids(CampaignParticipant),
                    "campaign_id": campaign["id"],
                    "patient_id": patient["id"],
                    "registered_at": registered_at,
                    "attended": start < history.today and rng.random() < 0.72,
                }
            )
        campaign["view_count"] = round(len(chosen) * rng.uniform(2.5, 6)) + rng.randint(20, 200)
        yield HealthCampaign, campaign
        for participant in participants:
            yield CampaignParticipant, participant


def _runs(history, years, runs):
    """(campaign, start, how many times it ran before) of each run."""
    starts = []
    for spec in CAMPAIGNS:
        latest = dt.date(history.today.year, spec.month, spec.day)
        if latest > history.today + dt.timedelta(days=21):
            latest = latest.replace(year=latest.year - 1)
        starts += [(spec, latest.replace(year=latest.year - back)) for back in range(years)]
    if not runs:
        return [(spec, start, 0) for spec, start in starts]
    times = -(-runs // len(starts))  # rounded up
    again = [(spec, start + dt.timedelta(weeks=time), time) for time in range(times) for spec, start in starts]
    return [again[index * len(again) // runs] for index in range(runs)]
