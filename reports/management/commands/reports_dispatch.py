from django.core.management.base import BaseCommand

from reports.services.scheduling import dispatch


class Command(BaseCommand):
    help = (
        "Run the report schedules that are due, each occurrence once, and send their due mails"
        " (safe beside the workers, which do it too)."
    )

    def handle(self, *args, **options):
        done = dispatch()
        self.stdout.write(
            f"{done['occurrences']} scheduled report(s) requested, {done['retries']} requested again,"
            f" {done['settled']} run(s) settled, {done['mails']} mail(s) sent."
        )
