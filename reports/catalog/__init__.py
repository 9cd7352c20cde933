"""The report types, each declared once by a ``ReportType`` in its own module of ``reports.catalog.types``.

Declaring a subclass registers it here. ``discover()`` imports every module of the
package when the app is ready (as the admin discovers ``admin.py`` modules), so adding
a report type is one new module plus its tests: its template, the page's card, the
cache's tables and the API all read the declaration.
"""

import pkgutil
from importlib import import_module

from reports.catalog import types

REPORT_TYPES = {}


def register(report_type):
    """Keep ``report_type`` (an instance) under its key; a key declared twice is an error."""
    if report_type.key in REPORT_TYPES:
        raise ValueError(f"Report type {report_type.key} is declared twice.")
    REPORT_TYPES[report_type.key] = report_type


def discover():
    """Import every module of ``reports.catalog.types``, which declares its report type."""
    for module in pkgutil.iter_modules(types.__path__):
        import_module(f"{types.__name__}.{module.name}")


def get(key):
    """The report type declared under ``key`` (``KeyError`` when none is)."""
    return REPORT_TYPES[key]


def all_types():
    """Every declared report type, in the order of their keys."""
    return [REPORT_TYPES[key] for key in sorted(REPORT_TYPES)]


def choices():
    """``(key, name)`` of every report type, for model fields and forms."""
    return [(report_type.key, report_type.name) for report_type in all_types()]
