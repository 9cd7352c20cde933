"""Recovery of interrupted reports around a worker's life: once when it starts, then every half lease."""

import logging
import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from reports.services import recover_stale_reports

logger = logging.getLogger(__name__)


@contextmanager
def recovering(stdout):
    """Recover reports interrupted by a dead worker now, and keep doing so while the block runs."""
    requeued, failed = recover_stale_reports()
    connection.close()  # the worker opens its own when it needs one
    if requeued or failed:
        stdout.write(f"Recovered {requeued} interrupted report(s); {failed} failed after too many attempts.")
    stop = threading.Event()
    watcher = threading.Thread(target=_recover_periodically, args=(stop,), name="report-recovery", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join(timeout=30)  # let a recovery under way finish


def _recover_periodically(stop):
    """Re-queue stale runs while this worker lives (another worker may have died meanwhile)."""
    while not stop.wait(max(settings.REPORT_LEASE_SECONDS / 2, 1)):
        try:
            recover_stale_reports()
        except Exception:
            logger.exception("Periodic report recovery failed; trying again later")
        finally:
            connection.close()
