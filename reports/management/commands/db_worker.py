from django_tasks_db.management.commands import db_worker

from reports.services import recover_stale_reports


class Command(db_worker.Command):
    help = "Run a database background worker, first recovering reports interrupted by a dead worker."

    def handle(self, *args, **options):
        requeued, failed = recover_stale_reports()
        if requeued or failed:
            self.stdout.write(f"Recovered {requeued} interrupted report(s); {failed} failed after too many attempts.")
        super().handle(*args, **options)
