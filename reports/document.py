"""The format-neutral report document that every report type produces.

A report type turns parameters into a ``ReportDocument``; a renderer turns any
document into a file. The document's ``as_dict()`` is the canonical JSON form
and is stored on the ``GeneratedReport`` so a lost file can be rebuilt with the
same numbers.

Every value has a declared ``Kind``: each section says the kind of its columns and the
document the kind of its summary figures, and the formats show a value by its kind
(``reports.presentation``). A count hidden by small-cell suppression is ``Suppressed``,
stored in JSON as its marker ("<11"); a rate, average or other figure hidden with it (it
would give the count away) is ``Withheld``, stored as "not shown", so that nothing but a
count ever reads as one. A key's label is the key in words unless ``labels`` names it otherwise.

The filters are kept twice: as given (``filters``, the values the API accepts) and in words
(``filter_labels``, each filter's label and its value's, from the report type's declaration
when the report was made), which is what every format shows. A document made before it held
``filter_labels`` shows them as it did then: each key in words, each value as given.

A document may group its summary figures under headings (``summary_groups``: heading → keys,
every figure in exactly one group), which every format shows; a document without groups (every
report made before them) shows its figures as one list, as it always did. A chart of kind
"trend" is a small chart of one series over the period's steps: the PDF draws trends side by
side in place of their section's table, which the other formats keep.

A document made with a comparison (``reports.comparison``) holds both periods: ``comparison``
has the earlier period, its record count, its summary figures and each figure's change
(absolute, and relative: a ``Kind.CHANGE``, or ``NEW`` from nothing); its compared sections
hold the earlier period's values and their changes in columns of their own, and its charts
name the earlier period's series (``Chart.earlier``), drawn lighter.

Text enters every format through here, so a document holds no bidirectional controls
(``reports.bidi``): they are stripped from every string when it is made, from the catalog or from
a stored document alike.
"""

import re
from dataclasses import dataclass, field, fields
from enum import StrEnum

from reports.bidi import strip_bidi_all

RATE_DIGITS = 4
MARKER = re.compile(r"<([1-9][0-9]*)")
WITHHELD_TEXT = "not shown"


class Kind(StrEnum):
    """What a value is, which says how every format shows it."""

    COUNT = "count"  # a whole number of patients, visits, ...
    NUMBER = "number"  # any other number without a unit: an average, a rating given
    RATE = "rate"  # a fraction 0-1, shown as a percentage
    MONEY = "money"
    PER_DAY = "per_day"  # an average a day
    HOURS = "hours"  # a duration in hours
    HOUR = "hour"  # an hour of the day, 0-23, standing for the hour it starts
    RATING = "rating"  # an average of ratings from 1 to 5
    PAIN = "pain"  # an average of pain levels from 0 to 10
    BPM = "bpm"  # a heart rate, in beats per minute
    DATE = "date"  # an ISO date, "2025-01-31"
    WEEK = "week"  # a week from Monday, as its Monday's ISO date, "2025-01-27"
    MONTH = "month"  # a calendar month, ISO "2025-01"
    QUARTER = "quarter"  # a calendar quarter, "2025-Q1"
    TEXT = "text"
    DIFFERENCE = "difference"  # a figure's change between two periods, shown with its sign: "+12", "-0.25"
    POINTS = "points"  # a rate's change between two periods, a fraction shown in percentage points: "+2.3 pp"
    CHANGE = "change"  # a relative change, a fraction shown as a signed percentage: "+12.5%", or NEW


COUNT, NUMBER, RATE, MONEY, DATE, MONTH, TEXT = (
    Kind.COUNT,
    Kind.NUMBER,
    Kind.RATE,
    Kind.MONEY,
    Kind.DATE,
    Kind.MONTH,
    Kind.TEXT,
)
PER_DAY, HOURS, HOUR, RATING, PAIN, BPM = Kind.PER_DAY, Kind.HOURS, Kind.HOUR, Kind.RATING, Kind.PAIN, Kind.BPM
WEEK, QUARTER = Kind.WEEK, Kind.QUARTER
DIFFERENCE, POINTS, CHANGE = Kind.DIFFERENCE, Kind.POINTS, Kind.CHANGE
CALENDAR = frozenset({DATE, WEEK, MONTH, QUARTER})
# The kind of a time series' step column, by the step's unit (``reports.periods.Series``).
STEP_KINDS = {"day": DATE, "week": WEEK, "month": MONTH, "quarter": QUARTER}
NUMERIC = frozenset(set(Kind) - CALENDAR - {TEXT})
# The document's fields whose text is stripped of bidirectional controls as it is made (sections and charts too).
STRIPPED = (
    "title",
    "generated_at",
    "period",
    "filters",
    "filter_labels",
    "record_count",
    "summary",
    "summary_kinds",
    "summary_groups",
    "notes",
    "labels",
    "comparison",
)


@dataclass(frozen=True, eq=False)
class Suppressed:
    """A value hidden by small-cell suppression (``reports.suppression``): its text is the marker ``<threshold + 1``.

    It equals another of the same threshold and its marker text, the form JSON stores it in.
    """

    threshold: int

    def __str__(self):
        return f"<{self.threshold + 1}"

    def __eq__(self, other):
        if isinstance(other, Suppressed):
            return self.threshold == other.threshold
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __hash__(self):
        return hash(str(self))


@dataclass(frozen=True, eq=False)
class Withheld:
    """A rate, average or other figure that is not a count, left out by small-cell suppression.

    It would give a hidden count away. Its text is ``WITHHELD_TEXT``, never a count-like marker;
    it equals another ``Withheld`` and that text, the form JSON stores it in.
    """

    def __str__(self):
        return WITHHELD_TEXT

    def __eq__(self, other):
        if isinstance(other, Withheld):
            return True
        if isinstance(other, str):
            return other == WITHHELD_TEXT
        return NotImplemented

    def __hash__(self):
        return hash(WITHHELD_TEXT)


WITHHELD = Withheld()
HIDDEN = (Suppressed, Withheld)
NEW_TEXT = "new"


@dataclass(frozen=True, eq=False)
class New:
    """The relative change of a figure that was 0 in the earlier period: its text is "new", as JSON stores it."""

    def __str__(self):
        return NEW_TEXT

    def __eq__(self, other):
        if isinstance(other, New):
            return True
        if isinstance(other, str):
            return other == NEW_TEXT
        return NotImplemented

    def __hash__(self):
        return hash(NEW_TEXT)


NEW = New()
MARKS = (*HIDDEN, New)  # the values that stand in for a number: shown as their text


def stored(value):
    """A value as JSON holds it: a suppressed, withheld or new one as its text."""
    return str(value) if isinstance(value, MARKS) else value


def change_kind(kind):
    """The kind of a figure's change between two periods: points for a rate, a difference for any other number
    that is an amount; None for a figure that does not change by a number (an hour of the day, a text, a date)."""
    if kind == RATE:
        return POINTS
    if kind in NUMERIC and kind not in (HOUR, DIFFERENCE, POINTS, CHANGE):
        return DIFFERENCE
    return None


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def _typed(kind, value, where):
    """``value`` as a value of ``kind``; a stored marker is ``Suppressed`` (a count) or ``Withheld`` again.

    Raises ValueError for a value that is not of its kind.
    """
    if kind == TEXT:
        if isinstance(value, HIDDEN):
            raise ValueError(f"{where} is text: it cannot hold the hidden value {value}")
        return value
    if isinstance(value, str) and (marker := MARKER.fullmatch(value)):
        value = Suppressed(int(marker[1]) - 1)
    elif value == WITHHELD_TEXT:
        value = WITHHELD
    elif value == NEW_TEXT and kind == CHANGE:
        value = NEW
    if isinstance(value, New) and kind != CHANGE:
        raise ValueError(f"{where} is a {kind}: only a relative change can be new")
    if isinstance(value, Suppressed) and kind != COUNT:
        raise ValueError(f"{where} is a {kind}: the marker {value} of a hidden count would read as its value")
    if isinstance(value, Withheld) and kind == COUNT:
        raise ValueError(f"{where} is a count: a hidden count is Suppressed, with its marker")
    if value is None or isinstance(value, MARKS):
        return value
    if (kind in NUMERIC and _is_number(value)) or (kind in CALENDAR and isinstance(value, str)):
        return value
    raise ValueError(f"{where} is a {kind}, not {value!r}")


def _declared(where, keys, kinds):
    """``{key: Kind}`` for ``keys``; ValueError naming the keys without a kind."""
    missing = [key for key in keys if key not in kinds]
    if missing:
        raise ValueError(f"{where}: no kind declared for {', '.join(map(repr, missing))}")
    return {key: Kind(kinds[key]) for key in keys}


def step_value(unit, start):
    """The value of the step of ``unit`` starting on ``start``, as a column of its ``STEP_KINDS`` kind holds it."""
    if unit == "quarter":
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return start.strftime("%Y-%m") if unit == "month" else start.isoformat()


def _check_groups(groups, summary):
    """Groups, if any, hold every summary key once and nothing else; ValueError otherwise."""
    if not groups:
        return
    grouped = [key for keys in groups.values() for key in keys]
    twice = sorted({key for key in grouped if grouped.count(key) > 1})
    missing = [key for key in summary if key not in grouped]
    unknown = [key for key in grouped if key not in summary]
    if twice or missing or unknown:
        raise ValueError(f"summary groups: ungrouped {missing}, unknown {unknown}, grouped twice {twice}")


def humanize(key):
    words = key.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def rate(numerator, denominator):
    """A fraction rounded to RATE_DIGITS places, or None when nothing was counted."""
    if not denominator:
        return None
    return round(numerator / denominator, RATE_DIGITS)


@dataclass
class Section:
    """A table: its column keys in order, its rows and the ``Kind`` of every column.

    A report type gives ``columns`` as ``{key: kind}``; a stored section gives the keys and ``kinds``.
    Its first column names its rows; ``compared`` is False for a listing or a grid, which a compared
    report shows for its own period only (``reports.comparison``).
    """

    key: str
    title: str
    columns: list
    rows: list
    kinds: dict = field(default_factory=dict)
    compared: bool = True

    def __post_init__(self):
        if isinstance(self.columns, dict):
            self.columns, self.kinds = list(self.columns), dict(self.columns)
        self.kinds = _declared(f"section {self.key!r}", self.columns, self.kinds)
        self.rows = [
            [
                _typed(self.kinds[column], value, f"column {column!r} of section {self.key!r}")
                for column, value in zip(self.columns, row, strict=True)
            ]
            for row in self.rows
        ]

    @property
    def is_empty(self):
        """True when the table has no rows, or counted nothing: every number in it 0 or missing, none hidden."""
        numeric = [index for index, column in enumerate(self.columns) if self.kinds[column] in NUMERIC]
        if not self.rows or not numeric:
            return not self.rows
        return not any(row[index] for row in self.rows for index in numeric)

    def as_dict(self):
        return {
            "key": self.key,
            "title": self.title,
            "columns": list(self.columns),
            "rows": [[stored(value) for value in row] for row in self.rows],
            "kinds": {column: str(kind) for column, kind in self.kinds.items()},
            **({} if self.compared else {"compared": False}),
        }


@dataclass
class Chart:
    """A chart of one section: categories from one column, one series per value column."""

    key: str
    title: str
    kind: str  # "bar", "line", "pie", "heatmap" (rows × value columns, shaded by value) or "trend" (small bars)
    section: str
    category: str
    values: list
    value_title: str = ""  # the value axis's title, declared for several series; one series' is its label
    earlier: list = field(default_factory=list)  # the earlier period's columns of ``values``, of a compared report

    def as_dict(self):
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "section": self.section,
            "category": self.category,
            "values": list(self.values),
            **({"value_title": self.value_title} if self.value_title else {}),
            **({"earlier": list(self.earlier)} if self.earlier else {}),
        }


@dataclass
class Content:
    """What a report type computes: its headline figures, sections, charts, notes and labels."""

    record_count: int
    summary: dict
    sections: list = field(default_factory=list)
    charts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)

    def as_dict(self):
        return {
            "record_count": stored(self.record_count),
            "summary": {key: stored(value) for key, value in self.summary.items()},
            "sections": [section.as_dict() for section in self.sections],
            "charts": [chart.as_dict() for chart in self.charts],
            "notes": list(self.notes),
            "labels": dict(self.labels),
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            record_count=data.get("record_count", 0),
            summary=data.get("summary", {}),
            sections=[Section(**section) for section in data.get("sections", [])],
            charts=[Chart(**chart) for chart in data.get("charts", [])],
            notes=data.get("notes", []),
            labels=data.get("labels", {}),
        )

    def as_kwargs(self):
        """The content as keyword arguments of a ``ReportDocument``."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass
class ReportDocument:
    report_type: str
    title: str
    generated_at: str
    period: dict
    filters: dict
    record_count: int  # or Suppressed
    summary: dict
    summary_kinds: dict = field(default_factory=dict)  # summary key -> Kind
    sections: list = field(default_factory=list)
    charts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)
    suppression: dict | None = None  # {"threshold": N} once small counts are hidden (reports.suppression)
    filter_labels: dict | None = None  # {name: {"label", "text"}}; None: the filters' keys and values as they are
    summary_groups: dict = field(default_factory=dict)  # heading -> summary keys; empty: one list of figures
    # The earlier period of a compared report: {"compare_to", "period", "record_count", "summary", "changes", "per_day"}
    comparison: dict | None = None

    def __post_init__(self):
        if self.filter_labels is None:
            self.filter_labels = {
                key: {"label": self.label(key), "text": str(value)} for key, value in self.filters.items()
            }
        for name in STRIPPED:
            setattr(self, name, strip_bidi_all(getattr(self, name)))
        self.summary_kinds = _declared("summary", self.summary, self.summary_kinds)
        self.summary_groups = {heading: list(keys) for heading, keys in self.summary_groups.items()}
        _check_groups(self.summary_groups, self.summary)
        self.summary = {
            key: _typed(self.summary_kinds[key], value, f"summary key {key!r}") for key, value in self.summary.items()
        }
        self.record_count = _typed(COUNT, self.record_count, "the record count")
        if self.comparison:
            self.comparison = self._typed_comparison(self.comparison)
        self.sections = [Section(**strip_bidi_all(section.as_dict())) for section in self.sections]
        self.charts = [Chart(**strip_bidi_all(chart.as_dict())) for chart in self.charts]

    def _typed_comparison(self, comparison):
        """The earlier period's figures of their summary kinds, and their changes of the kinds of changes."""
        kinds = self.summary_kinds
        changes = {}
        for key, (change, relative) in comparison.get("changes", {}).items():
            kind = change_kind(kinds[key])
            changes[key] = [
                _typed(kind, change, f"the change of {key!r}") if kind else None,
                _typed(CHANGE, relative, f"the relative change of {key!r}"),
            ]
        return {
            **comparison,
            "record_count": _typed(COUNT, comparison["record_count"], "the earlier record count"),
            "summary": {
                key: _typed(kinds[key], value, f"earlier summary key {key!r}")
                for key, value in comparison["summary"].items()
            },
            "changes": changes,
        }

    @property
    def is_empty(self):
        """True when the report counted no record for its period and filters, nor for the period it is compared with."""
        return self.record_count == 0 and (not self.comparison or self.comparison["record_count"] == 0)

    def label(self, key):
        return self.labels.get(key) or humanize(key)

    def section(self, key):
        return next(section for section in self.sections if section.key == key)

    def trends_only(self, section):
        """True when the section is charted by trends alone: the PDF draws those, not its table."""
        drawn = [chart.kind for chart in self.charts if chart.section == section.key]
        return bool(drawn) and all(kind == "trend" for kind in drawn)

    def grouped_summary(self):
        """``[(heading, [keys])]``: the summary's groups, or one group without a heading when it has none."""
        return list(self.summary_groups.items()) or [("", list(self.summary))]

    def chart_data(self, chart):
        """(categories, [(series label, values)]) for a chart, read from its section: the series of ``values``,
        then those of the earlier period (``earlier``).

        A missing value is 0; a suppressed one stays ``Suppressed`` (charts leave it out).
        """
        section = self.section(chart.section)
        index = {column: position for position, column in enumerate(section.columns)}
        categories = [str(row[index[chart.category]]) for row in section.rows]
        series = [
            (self.label(column), [row[index[column]] or 0 for row in section.rows])
            for column in [*chart.values, *chart.earlier]
        ]
        return categories, series

    def as_dict(self):
        content = Content(self.record_count, self.summary, self.sections, self.charts, self.notes, self.labels)
        return {
            "report_type": self.report_type,
            "title": self.title,
            "generated_at": self.generated_at,
            "period": dict(self.period),
            "filters": dict(self.filters),
            "filter_labels": {key: dict(shown) for key, shown in self.filter_labels.items()},
            **content.as_dict(),
            "summary_kinds": {key: str(kind) for key, kind in self.summary_kinds.items()},
            **(
                {"summary_groups": {heading: list(keys) for heading, keys in self.summary_groups.items()}}
                if self.summary_groups
                else {}
            ),
            **({"suppression": dict(self.suppression)} if self.suppression else {}),
            **({"comparison": self._stored_comparison()} if self.comparison else {}),
        }

    def _stored_comparison(self):
        comparison = self.comparison
        return {
            **comparison,
            "period": dict(comparison["period"]),
            "record_count": stored(comparison["record_count"]),
            "summary": {key: stored(value) for key, value in comparison["summary"].items()},
            "changes": {key: [stored(value) for value in pair] for key, pair in comparison["changes"].items()},
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            report_type=data["report_type"],
            title=data["title"],
            generated_at=data["generated_at"],
            period=data["period"],
            filters=data.get("filters", {}),
            filter_labels=data.get("filter_labels"),
            summary_kinds=data.get("summary_kinds", {}),
            summary_groups=data.get("summary_groups", {}),
            suppression=data.get("suppression"),
            comparison=data.get("comparison"),
            **Content.from_dict(data).as_kwargs(),
        )
