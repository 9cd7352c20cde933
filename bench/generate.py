"""A synthetic clinic network loaded into PostgreSQL with COPY, at sizes S, M and L.

The demo data's generators (``demo/``) at larger volumes, over five years (2021-2025): the same
seasonal months, weekday clinic hours with a late-morning peak, repeat patients, seasonal
diagnoses, vitals on most medical visits, feedback and yearly campaigns. A size and seed always
give the same data.

Loading replaces all clinic data, users and generated reports of the database it
runs on: point it at a database of its own (``make bench`` uses ``uscpis_bench``).
"""

import datetime as dt
import pickle
import tempfile
import time
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from demo.seed import Volume, populate

FIRST_DAY = dt.date(2021, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
# The tables whose rows a clinic writes in time order, and the index of that order.
TIME_ORDER = (
    ("visits_medicalvisit", "medical_date_patient_idx"),
    ("visits_dentalvisit", "dental_date_patient_idx"),
    ("feedback_feedback", "feedback_submitted_idx"),
)
CLINIC_TABLES = (
    "campaigns_campaignparticipant",
    "campaigns_healthcampaign",
    "feedback_feedback",
    "visits_dentalvisit",
    "visits_medicalvisit",
    "patients_patient",
    "auth_user",
    "reports_userlogin",
)
# Visits per patient over the five years, with a Pareto tail. XS is the smoke test's toy size.
SIZES = {
    name: Volume(
        patients,
        medical_visits=12.3,
        dental_visits=3.8,
        feedback_share=0.16,
        campaign_years=5,
        campaigns=campaigns,
        clinicians=40,
        clinician_logins=50,
        visit_tail=1.5,
    )
    for name, patients, campaigns in (("XS", 300, 4), ("S", 10_000, 20), ("M", 50_000, 100), ("L", 100_000, 200))
}
CHUNK = 10_000  # rows spooled at a time


class _Copier:
    """``populate``'s writer: spool the pairs drawn to files, a chunk at a time, then COPY each model's rows.

    The rows come with their ids; a column a row leaves out gets the field's default.
    """

    def __init__(self, cursor, log):
        self.cursor, self.log = cursor, log
        self.tables, self.since = [], time.monotonic()

    def __call__(self, rows):
        spools = {}
        for model, row in rows:
            spool = spools.get(model) or spools.setdefault(model, _Spool(model))
            spool.add(row)
        for model, spool in spools.items():
            columns = ", ".join(connection.ops.quote_name(column) for column in spool.columns)
            with self.cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
                for row in spool.rows():
                    copy.write_row(row)
            self.tables.append(model._meta.db_table)
            self.log(f"  {model._meta.db_table}: {spool.count:,} rows")
        self.log(f"    drawn and copied in {time.monotonic() - self.since:.1f}s")
        self.since = time.monotonic()
        return Counter({model: spool.count for model, spool in spools.items()})

    def reset_sequences(self):
        for table in self.tables:
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            )


class _Spool:
    """One model's rows as tuples of its columns, pickled a chunk at a time to a temporary file."""

    def __init__(self, model):
        fields = model._meta.concrete_fields
        now = timezone.now()
        self.columns = [field.column for field in fields]
        self.attnames = [field.attname for field in fields]
        self.defaults = [now if getattr(field, "auto_now_add", False) else field.get_default() for field in fields]
        self.file, self.chunk, self.count = tempfile.TemporaryFile(), [], 0

    def add(self, row):
        self.chunk.append(tuple(map(row.get, self.attnames, self.defaults)))
        if len(self.chunk) >= CHUNK:
            self._dump()

    def _dump(self):
        pickle.dump(self.chunk, self.file, pickle.HIGHEST_PROTOCOL)
        self.count += len(self.chunk)
        self.chunk = []

    def rows(self):
        self._dump()
        self.file.seek(0)
        with self.file:
            while chunk := _next_chunk(self.file):
                yield from chunk


def _next_chunk(file):
    try:
        return pickle.load(file)  # noqa: S301 (the file this process just wrote)
    except EOFError:
        return None


def load(size_name, seed=6, log=print):
    """Replace the database's clinic data by a synthetic dataset of ``size_name``: what was loaded, and seconds."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the benchmark generator loads PostgreSQL only (it uses COPY)")
    began = time.monotonic()
    with transaction.atomic(), connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute(f"TRUNCATE {', '.join(CLINIC_TABLES)} RESTART IDENTITY CASCADE")
        copier = _Copier(cursor, log)
        counts = populate(SIZES[size_name], FIRST_DAY, LAST_DAY + dt.timedelta(days=1), seed, copier).counts
        copier.reset_sequences()
    figures = {"counts": counts}
    with connection.cursor() as cursor:
        step = time.monotonic()
        # The generators draw each patient's history in turn; a clinic's rows arrive as they happen.
        for table, index in TIME_ORDER:
            cursor.execute(f"CLUSTER {table} USING {index}")
        figures["time_order"] = round(time.monotonic() - step, 1)
        step = time.monotonic()
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does to a settled table: statistics, visibility map
        figures["vacuum_analyze"] = round(time.monotonic() - step, 1)
    figures["total"] = round(time.monotonic() - began, 1)
    return figures
