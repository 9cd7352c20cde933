"""Background tasks, run by a worker through the Django Tasks API."""

from django_tasks import task

from reports import services


@task()
def generate_report(report_id: int) -> None:
    """Generate one requested report; safe to run more than once."""
    services.run_report(report_id)
