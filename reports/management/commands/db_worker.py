import logging
import threading

from django.conf import settings
from django.db import connection
from django_tasks_db.management.commands import db_worker

from reports.services import recover_stale_reports

logger = logging.getLogger(__name__)


class Command(db_worker.Command):
    help = (
        "Run a database background worker. It first recovers reports interrupted by a dead worker, "
        "then keeps checking for them every half lease while it runs."
    )

    def handle(self, *args, **options):
        requeued, failed = recover_stale_reports()
        if requeued or failed:
            self.stdout.write(f"Recovered {requeued} interrupted report(s); {failed} failed after too many attempts.")
        stop = threading.Event()
        watcher = threading.Thread(target=self.recover_periodically, args=(stop,), name="report-recovery", daemon=True)
        watcher.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()

    def recover_periodically(self, stop):
        """Re-queue stale runs while this worker lives (another worker may have died meanwhile)."""
        while not stop.wait(max(settings.REPORT_LEASE_SECONDS / 2, 1)):
            try:
                recover_stale_reports()
            except Exception:
                logger.exception("Periodic report recovery failed; trying again later")
            finally:
                connection.close()
