"""What every report type module shares: its parameters and document assembly."""

from collections.abc import Callable
from dataclasses import dataclass, field

from reports.document import ReportDocument
from reports.periods import Period


def _ignore_progress(fraction):
    """Progress sink for runs nobody watches (tests, previews)."""


@dataclass(frozen=True)
class ReportParams:
    """Validated parameters of one report run."""

    period: Period
    filters: dict = field(default_factory=dict)
    title: str = ""
    progress: Callable[[float], None] = _ignore_progress


def document(params, report_type, default_title, **content):
    """A ReportDocument for ``params`` stamped with the generation time."""
    return ReportDocument(
        report_type=report_type,
        title=params.title or default_title,
        generated_at=params.period.now_stamp(),
        period=params.period.as_dict(),
        filters=dict(params.filters),
        **content,
    )
