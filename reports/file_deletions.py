"""Report files to delete: recorded durably with the change that forgets them, then deleted from every tier.

``discard`` records a PendingFileDeletion in the current transaction (the one that deletes the
report, or drops the file's name from it) and deletes the file once that commits. The record is
removed only when every tier confirmed; otherwise ``retry_pending`` (run by ``reports_cleanup``)
tries again, until the storage confirms.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from reports import tiers
from reports.models import PendingFileDeletion


def discard(name):
    """Delete the file ``name`` from every tier once the current transaction commits (at once outside one)."""
    if not name:
        return
    record([name])
    transaction.on_commit(lambda: attempt(name), robust=True)


def record(names):
    """Record files to delete, to be tried by the next ``retry_pending``."""
    PendingFileDeletion.objects.bulk_create([PendingFileDeletion(name=name) for name in names], ignore_conflicts=True)


def attempt(name):
    """Try deleting ``name`` from every tier; forget it once all confirmed. True when done."""
    failed = tiers.delete_everywhere(name)
    pending = PendingFileDeletion.objects.filter(name=name)
    if failed:
        pending.update(attempts=F("attempts") + 1, last_attempt_at=timezone.now(), failed_tiers=", ".join(failed))
        return False
    pending.delete()
    return True


def retry_pending():
    """Try every recorded deletion again. Returns the names still pending."""
    names = PendingFileDeletion.objects.values_list("name", flat=True)
    return {name for name in list(names) if not attempt(name)}
