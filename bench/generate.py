"""A synthetic clinic network loaded into PostgreSQL with COPY, at sizes S, M and L.

The demo data's generators (``demo/``) at larger volumes, over five years (2021-2025): the same
seasonal months, weekday clinic hours with a late-morning peak, repeat patients, seasonal
diagnoses, vitals on most medical visits, feedback and yearly campaigns. A size and seed always
give the same data.

Loading replaces all clinic data, users and generated reports of the database it
runs on: point it at a database of its own (``make bench`` uses ``uscpis_bench``).
"""

import datetime as dt
import time

from django.db import connection, transaction

from demo.seed import Volume, populate

FIRST_DAY = dt.date(2021, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
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
# Visits per patient over the five years; each yearly campaign once a year. XS is the smoke test's toy size.
SIZES = {
    name: Volume(patients, medical_visits=12.3, dental_visits=3.8, feedback_share=0.16, campaign_years=5)
    for name, patients in (("XS", 300), ("S", 10_000), ("M", 50_000), ("L", 100_000))
}


class _Copier:
    """``populate``'s writer: COPY each kind into its table, with the ids after those already there."""

    def __init__(self, cursor, log):
        self.cursor, self.log = cursor, log
        self.tables, self.since = [], time.monotonic()

    def __call__(self, model, objects):
        table, fields = model._meta.db_table, model._meta.concrete_fields
        self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        for pk, row in enumerate(objects, start=self.cursor.fetchone()[0] + 1):
            row.pk = pk
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        with self.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in objects:
                copy.write_row([_value(row, field) for field in fields])
        self.tables.append(table)
        self.log(f"  {table}: {len(objects):,} rows, drawn and copied in {time.monotonic() - self.since:.1f}s")
        self.since = time.monotonic()

    def reset_sequences(self):
        for table in self.tables:
            self.cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
            )


def _value(row, field):
    """What ``bulk_create`` would save: ``auto_now_add`` set, a foreign key from its saved related object."""
    value = field.pre_save(row, add=True)
    if value is None and field.is_relation and field.is_cached(row):
        return field.get_cached_value(row).pk
    return value


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
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does to a settled table: statistics, visibility map
        figures["vacuum_analyze"] = round(time.monotonic() - step, 1)
    figures["total"] = round(time.monotonic() - began, 1)
    return figures
