from django.core.management.base import BaseCommand

from reports.services.maintenance import cleanup_expired_reports


class Command(BaseCommand):
    help = "Expire reports past their expiry date and delete their files."

    def handle(self, *args, **options):
        self.stdout.write(f"{cleanup_expired_reports()} report(s) expired.")
