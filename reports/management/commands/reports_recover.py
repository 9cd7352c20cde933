from django.core.management.base import BaseCommand

from reports.services.maintenance import recover_stale_reports


class Command(BaseCommand):
    help = "Re-queue reports whose worker died mid-run; fail those out of attempts."

    def handle(self, *args, **options):
        requeued, failed = recover_stale_reports()
        self.stdout.write(f"{requeued} report(s) re-queued, {failed} failed after too many attempts.")
