from django_tasks_db.management.commands import db_worker

from reports.services.maintenance import recovering


class Command(db_worker.Command):
    help = (
        "Run a database background worker. It first recovers reports interrupted by a dead worker, "
        "then keeps checking for them every half lease while it runs."
    )

    def handle(self, *args, **options):
        with recovering(self.stdout):
            super().handle(*args, **options)
