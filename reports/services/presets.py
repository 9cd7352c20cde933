"""Saved presets: save, change and delete one; run one as a report request."""

import logging

from django.db import IntegrityError, transaction

from reports.api.serializers import preset_parameters
from reports.models import ReportPreset
from reports.services.requesting import request_report

logger = logging.getLogger(__name__)


class PresetNameTaken(Exception):
    """The owner already has a preset of that name."""


class PresetNotRunnable(Exception):
    """The preset cannot run as saved; ``problems`` says why, in words, each a sentence."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def save_preset(preset):
    """Insert or update ``preset``; ``PresetNameTaken`` if its owner has another of that name.

    Its fields were validated by the caller (``PresetSerializer``); the database's unique
    constraint settles two saves of one name at the same moment.
    """
    try:
        with transaction.atomic():
            preset.save()
    except IntegrityError:
        taken = ReportPreset.objects.filter(owner=preset.owner_id, name=preset.name).exclude(pk=preset.pk).exists()
        if taken:
            raise PresetNameTaken from None
        raise
    logger.info("Report preset %s saved", preset.pk)
    return preset


def delete_preset(preset):
    preset.delete()
    logger.info("Report preset deleted")


def run_preset(preset, *, user, at=None):
    """Request the report ``preset`` describes, for ``user``, its relative period resolved at ``at`` (or now).

    Sharing grants no data: the run is ``user``'s own request, refused if their roles may not use
    the template. A filter or format no longer offered refuses the run (``PresetNotRunnable``)
    rather than running it without that filter.
    """
    parameters, problems = preset_parameters(preset, user, at)
    if problems:
        raise PresetNotRunnable(problems)
    report = request_report(user=user, template=preset.template, **parameters)
    logger.info("Report preset %s run as report %s", preset.pk, report.pk)
    return report
