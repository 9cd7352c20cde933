from django.conf import settings
from django.core.management.base import CommandError
from django_rq.management.commands import rqworker

from reports.services.maintenance import recovering


class Command(rqworker.Command):
    help = (
        "Run an RQ worker (TASKS_BACKEND=rq). It first recovers reports interrupted by a dead worker, "
        "then keeps checking for them every half lease while it runs."
    )

    def handle(self, *args, **options):
        if settings.TASKS["default"]["BACKEND"] != settings.TASKS_BACKENDS["rq"]:
            raise CommandError("The reports queue is not RQ (TASKS_BACKEND is not rq): run db_worker instead.")
        with recovering(self.stdout):
            super().handle(*args, **options)
