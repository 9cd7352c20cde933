"""Page images of every report type, for readers who want to see a report before generating one."""

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min
from django.utils.timezone import localdate

from reports import catalog
from reports.catalog.report_type import ReportParams
from reports.periods import Period, local_today, local_zone
from reports.renderers import pdf
from visits.models import MedicalVisit

PDFTOPPM_MISSING = "pdftoppm is missing: `make tools` installs it (Debian's poppler-utils)."


def last_twelve_months(today):
    """The twelve whole months before this one."""
    end = today.replace(day=1) - dt.timedelta(days=1)
    return Period(end.replace(year=end.year - 1) + dt.timedelta(days=1), end)


def empty_week(first_record):
    """The Monday-to-Sunday week that ends before the clinic's first record."""
    monday = first_record - dt.timedelta(days=first_record.weekday() + 7)
    return Period(monday, monday + dt.timedelta(days=6))


class Command(BaseCommand):
    help = (
        "Render the first PDF page of every report type over the last twelve whole months and over a week "
        "without records, as PNG images named <report type>-year.png and <report type>-empty-week.png."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", default="docs/samples", help="the folder of the images (default docs/samples)")
        parser.add_argument("--resolution", type=int, default=60, help="dots per inch (default 60)")

    def handle(self, *args, output, resolution, **options):
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is None:
            raise CommandError(PDFTOPPM_MISSING)
        if not 20 <= resolution <= 300:
            raise CommandError(f"--resolution must be from 20 to 300 dots per inch, not {resolution}.")
        first = MedicalVisit.objects.aggregate(first=Min("visit_date"))["first"]
        if first is None:
            raise CommandError("There are no visits to show: seed the demo data first (python manage.py seed_demo).")
        folder = Path(output)
        folder.mkdir(parents=True, exist_ok=True)
        periods = {"year": last_twelve_months(local_today()), "empty-week": empty_week(localdate(first, local_zone()))}
        with tempfile.TemporaryDirectory() as scratch:
            for report_type in catalog.all_types():
                for name, period in periods.items():
                    document = report_type.build(ReportParams(period=period))
                    source = Path(scratch) / "report.pdf"
                    source.write_bytes(pdf.render(document))
                    image = folder / f"{report_type.key.lower().replace('_', '-')}-{name}"
                    command = [pdftoppm, "-png", "-r", str(resolution), "-f", "1", "-l", "1", "-singlefile"]
                    subprocess.run([*command, str(source), str(image)], check=True)  # noqa: S603
                    self.stdout.write(f"{image}.png")
