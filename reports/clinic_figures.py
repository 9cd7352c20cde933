"""The clinic's figures on the dashboard: report types' own headline figures over a period and its steps.

Each figure is a summary figure a report type declares (``FIGURES``), computed by that type's
``compute(params, headline_only=True)`` over the whole period and over each step of it (its
trend), with the type's suppression rules for its summary applied at ``SMALL_CELL_THRESHOLD``.
A period has at most ``MAX_STEPS`` steps (days, weeks, months, quarters or years), so the
dashboard runs a fixed number of queries whatever the size of the data. The figures are
cached under the data versions of the tables their report types read (``reports.cache``).
"""

from dataclasses import dataclass

from django.conf import settings

from reports import catalog, suppression
from reports.cache import cached_clinic_figures
from reports.catalog.report_type import ReportParams
from reports.document import HIDDEN, ReportDocument
from reports.periods import unit_of_at_most
from reports.presentation import present

MAX_STEPS = 12
PRESETS = ("this_month", "last_30_days", "this_year")  # relative periods (``reports.relative_periods``)


@dataclass(frozen=True)
class Figure:
    """A dashboard figure: the summary figure ``summary_key`` of the report type ``report_type``."""

    key: str
    label: str
    hint: str
    report_type: str
    summary_key: str


FIGURES = (
    Figure("visits", "Visits", "medical and dental", "VISIT_TRENDS", "total_visits"),
    Figure("patients_seen", "Patients seen", "with a medical or dental visit", "VISIT_TRENDS", "unique_patients"),
    Figure(
        "treatment_success",
        "Treatment success",
        "resolved or improved, of cases with an outcome",
        "TREATMENT_OUTCOMES",
        "success_rate",
    ),
    Figure("satisfaction", "Patient satisfaction", "feedback rated 4 or 5", "FEEDBACK_ANALYSIS", "satisfaction_rate"),
)


def steps(period):
    """``(unit, [Period])``: the period cut at calendar days, weeks (from Monday), months, quarters or years.

    The finest unit that gives at most ``MAX_STEPS`` steps; the first and last steps are clipped to the period.
    """
    unit = unit_of_at_most(period, MAX_STEPS)
    return unit, period.steps(unit)


def step_label(part, unit):
    """A step in words: ``Mar 5`` (a day, or the week from that day), ``Mar 2025``, ``Q1 2025``, ``2025``."""
    if unit in ("day", "week"):
        return f"{part.start:%b} {part.start.day}"
    if unit == "month":
        return f"{part.start:%b %Y}"
    if unit == "quarter":
        return f"Q{(part.start.month - 1) // 3 + 1} {part.start.year}"
    return str(part.start.year)


def summary_rules(rules):
    """A report type's suppression rules for its summary alone (a headline has no sections)."""
    alone = suppression.Rules(record_count=rules.record_count)
    return suppression.combine({None: rules}, lambda figures: figures[None], alone)


def headline(report_type, params, threshold):
    """The report type's summary figures for ``params``, small counts hidden by its rules."""
    content = report_type.compute(params, headline_only=True)
    document = ReportDocument(
        report_type=report_type.key,
        title=report_type.name,
        generated_at="",
        period=params.period.as_dict(),
        filters={},
        summary_kinds=dict(report_type.summary_kinds),
        **content.as_kwargs(),
    )
    return suppression.suppress(document, summary_rules(report_type.suppression), threshold).summary


def shown(kind, value):
    """``{value, text, suppressed}``: a hidden count shows its marker, any other hidden figure "not shown"."""
    if isinstance(value, HIDDEN):
        return {"value": None, "text": str(value), "suppressed": True}
    cell = present(kind, value)
    return {"value": cell.value, "text": cell.text, "suppressed": False}


def clinic_figures(report_type_keys, period):
    """The figures of ``FIGURES`` whose report types are among ``report_type_keys``, over ``period`` and its steps."""
    figures = [figure for figure in FIGURES if figure.report_type in report_type_keys]
    report_types = [catalog.get(key) for key in dict.fromkeys(figure.report_type for figure in figures)]
    threshold = settings.SMALL_CELL_THRESHOLD
    unit, parts = steps(period)
    body = {"period": period, "step": unit, "small_cell_threshold": threshold, "figures": []}
    if not figures:
        return body

    def compute():
        return _compute(figures, report_types, period, unit, parts, threshold)

    return {**body, "figures": cached_clinic_figures(report_types, period, threshold, compute)}


def _compute(figures, report_types, period, unit, parts, threshold):
    summaries = []
    for part in [period, *parts]:
        params = ReportParams(period=part)  # shared: a figure two types show (patients seen) is counted once
        summaries.append({rt.key: headline(rt, params, threshold) for rt in report_types})
    whole, by_step = summaries[0], summaries[1:]
    result = []
    for figure in figures:
        kind = str(catalog.get(figure.report_type).summary_kinds[figure.summary_key])
        value = whole[figure.report_type][figure.summary_key]
        trend = [
            {
                "start": part.start,
                "end": part.end,
                "label": step_label(part, unit),
                **shown(kind, summary[figure.report_type][figure.summary_key]),
            }
            for part, summary in zip(parts, by_step, strict=True)
        ]
        result.append(
            {
                "key": figure.key,
                "label": figure.label,
                "hint": figure.hint,
                "report_type": figure.report_type,
                "kind": kind,
                **shown(kind, value),
                "trend": trend,
            }
        )
    return result
