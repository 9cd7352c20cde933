"""`report_samples` renders the first page of every report type, for a year and for a week without records."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from demo.seed import Volume, populate
from reports import catalog
from reports.management.commands import report_samples
from reports.periods import local_today

PNG = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.django_db


def test_every_report_type_has_a_page_image_for_a_year_and_an_empty_week(tmp_path):
    today = local_today()
    populate(Volume(patients=40), today - dt.timedelta(days=400), today, seed=3)
    call_command("report_samples", output=str(tmp_path / "samples"), resolution=20, stdout=io.StringIO())
    images = sorted(path.name for path in (tmp_path / "samples").iterdir())
    expected = [
        f"{report_type.key.lower().replace('_', '-')}-{name}.png"
        for report_type in catalog.all_types()
        for name in ("empty-week", "year")
    ]
    assert images == sorted(expected)
    assert all((tmp_path / "samples" / name).read_bytes().startswith(PNG) for name in images)


def test_the_periods_are_the_last_twelve_months_and_the_week_before_the_first_record():
    year = report_samples.last_twelve_months(dt.date(2026, 12, 3))
    assert (year.start, year.end) == (dt.date(2025, 12, 1), dt.date(2026, 11, 30))
    week = report_samples.empty_week(dt.date(2025, 6, 4))  # a Wednesday
    assert (week.start, week.end) == (dt.date(2025, 5, 26), dt.date(2025, 6, 1))


@pytest.mark.parametrize(
    ("options", "message"),
    [({}, "There are no visits to show"), ({"resolution": 5}, "--resolution must be from 20 to 300")],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("report_samples", output=str(tmp_path / "samples"), **options)
    assert not (tmp_path / "samples").exists()


def test_without_pdftoppm_it_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(report_samples.shutil, "which", lambda name: None)
    with pytest.raises(CommandError, match="make tools"):
        call_command("report_samples", output=str(tmp_path / "samples"))
