"""The declaration of a report type (``ReportType``), its parameters and what it computes.

A report type is one subclass of ``ReportType`` in a module of ``reports.catalog.types``:
its attributes say what it is (key, name, description, the card's contents, the models
it reads, the kind of each summary figure and optionally their groups, filters, suppression rules, default roles and
formats) and ``compute`` turns parameters into its figures and sections (each section
declaring the kind of its columns). Everything else reads the declaration: the
templates installed after ``migrate``, the page's cards, the cache (the tables it reads)
and the API (the filters).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType

from reports import catalog
from reports.cache import cached_content
from reports.catalog.breakdowns import STEP
from reports.catalog.filters import filter_labels
from reports.data_versions import TRACKED
from reports.document import Kind, ReportDocument
from reports.models import ExportFormat
from reports.periods import Period
from reports.suppression import Rules, suppress


def _ignore_progress(fraction):
    """Progress sink for runs nobody watches (tests, previews)."""


@dataclass(frozen=True)
class ReportParams:
    """Validated parameters of one report run, and the figures shared within that run."""

    period: Period
    filters: dict = field(default_factory=dict)
    title: str = ""
    progress: Callable[[float], None] = _ignore_progress
    measures: dict = field(default_factory=dict, compare=False, repr=False)

    def measure(self, name, compute):
        """``compute()``, once per run: a figure several report types of one run share (``queries``)."""
        if name not in self.measures:
            self.measures[name] = compute()
        return self.measures[name]


class ReportType:
    """A report type, declared once; a subclass is registered in ``reports.catalog`` when it is defined.

    Subclasses declare every attribute below and implement ``compute``.
    """

    key: str = ""  # stable, upper case: stored on templates and reports
    name: str = ""
    description: str = ""  # a sentence: the template's description
    contents: str = ""  # one line for the page's card: what the report holds
    reads: tuple = ()  # the models whose rows it counts: their changes make the cache compute it again
    summary_kinds = MappingProxyType({})  # summary key -> reports.document.Kind, for every summary figure
    summary_groups = MappingProxyType({})  # optional: heading -> summary keys, every figure in one group
    filters = MappingProxyType({})  # name -> ChoiceFilter or TextFilter (``reports.catalog.filters``)
    suppression: Rules | None = None  # how small counts are hidden (``reports.suppression``)
    roles: tuple = ()  # the roles a newly installed template allows
    formats: tuple = tuple(ExportFormat.values)  # the formats a newly installed template offers

    DECLARED = ("key", "name", "description", "contents", "reads", "summary_kinds", "suppression", "roles", "formats")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        missing = [name for name in cls.DECLARED if not getattr(cls, name)]
        if missing:
            raise TypeError(f"{cls.__name__} declares no {', '.join(missing)}.")
        if not all(isinstance(kind, Kind) for kind in cls.summary_kinds.values()):
            raise TypeError(f"{cls.__name__}.summary_kinds holds a kind that is not a reports.document.Kind.")
        grouped = [key for keys in cls.summary_groups.values() for key in keys]
        if cls.summary_groups and sorted(grouped) != sorted(cls.summary_kinds):
            raise TypeError(f"{cls.__name__}.summary_groups do not hold every summary figure exactly once.")
        if not isinstance(cls.suppression, Rules):
            raise TypeError(f"{cls.__name__}.suppression is not a reports.suppression.Rules.")
        untracked = set(cls.tables()) - {name for name, _, _ in TRACKED}
        if untracked:
            raise TypeError(
                f"{cls.__name__} reads tables whose changes are not tracked: {', '.join(sorted(untracked))}."
            )
        catalog.register(cls())

    def __str__(self):
        return self.name

    @classmethod
    def tables(cls):
        """The database tables of the models it reads, sorted."""
        return tuple(sorted({model._meta.db_table for model in cls.reads}))

    @classmethod
    def flows(cls):
        """The summary counts that add up over time: those a time series' column totals to (``suppression``), which a
        comparison of periods of different lengths shows per day too."""
        return tuple(
            total
            for table in cls.suppression.sections.values()
            if table.shown[:1] == (STEP,)
            for total in table.totals.values()
            if total in cls.summary_kinds
        )

    def compute(self, params, *, headline_only=False):
        """The ``Content`` for ``params``; with ``headline_only``, its summary figures and record count alone."""
        raise NotImplementedError(f"{type(self).__name__} must implement compute().")

    def headline(self, params):
        """The summary figures alone, for a report made of other reports' figures."""
        return self.compute(params, headline_only=True).summary

    def build(self, params, *, cached=False):
        """The ``ReportDocument``, stamped with the time it is finished in the report's zone.

        Its filters are kept as given and in words (``filter_labels``), so that a stored document
        shows them as it was made. ``cached``: the same figures computed earlier from the same
        data, when there are any.
        """
        content = cached_content(self, params, self.compute) if cached else self.compute(params)
        return ReportDocument(
            report_type=self.key,
            title=params.title or self.name,
            generated_at=params.period.now_stamp(),
            period=params.period.as_dict(),
            filters=dict(params.filters),
            filter_labels=filter_labels(self.filters, params.filters),
            summary_kinds=dict(self.summary_kinds),
            summary_groups={heading: list(keys) for heading, keys in self.summary_groups.items()},
            **content.as_kwargs(),
        )

    def suppress(self, document, threshold):
        """A copy of ``document`` with small counts hidden by this type's rules."""
        return suppress(document, self.suppression, threshold)
