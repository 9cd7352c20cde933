from django.core.management.base import BaseCommand

from reports.services.scheduling import dispatch_due


class Command(BaseCommand):
    help = "Run the report schedules that are due, each occurrence once (safe beside the workers, which do it too)."

    def handle(self, *args, **options):
        self.stdout.write(f"{dispatch_due()} scheduled report(s) requested.")
