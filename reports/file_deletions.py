"""Report files to delete: recorded durably with the change that forgets them, then deleted from every tier.

``discard`` records a PendingFileDeletion in the current transaction (the one that deletes the
report, or drops the file's name from it) and deletes the file once that commits. The record is
removed only when every tier confirmed; otherwise ``retry_pending`` (run by ``reports_cleanup``)
tries again, until the storage confirms.
"""

import logging

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reports import delivery
from reports.models import PendingFileDeletion

logger = logging.getLogger(__name__)


def discard(name):
    """Delete the file ``name`` from every tier once the current transaction commits (at once outside one)."""
    if not name:
        return
    PendingFileDeletion.objects.bulk_create([PendingFileDeletion(name=name)], ignore_conflicts=True)
    transaction.on_commit(lambda: attempt(name), robust=True)


def attempt(name):
    """Try deleting ``name`` from every tier; forget it once all confirmed. True when done."""
    failed = delivery.delete_everywhere(name)
    pending = PendingFileDeletion.objects.filter(name=name)
    if failed:
        pending.update(attempts=F("attempts") + 1, last_attempt_at=timezone.now(), failed_tiers=", ".join(failed))
        return False
    pending.delete()
    return True


def retry_pending():
    """Try every recorded deletion again. Returns (done, still pending)."""
    names = list(PendingFileDeletion.objects.values_list("name", flat=True))
    done = sum(attempt(name) for name in names)
    left = len(names) - done
    if left:
        logger.warning(
            "Cleanup could not delete %d file(s) of deleted or replaced reports; the next cleanup tries again", left
        )
    return done, left
