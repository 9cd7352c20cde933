"""The format-neutral report document that every report type produces.

A report type turns parameters into a ``ReportDocument``; a renderer turns any
document into a file. The document's ``as_dict()`` is the canonical JSON form
and is stored on the ``GeneratedReport`` so a lost file can be rebuilt with the
same numbers.

Presentation follows the keys, in this one place: a summary key or a column
named ``*_rate`` or ``share`` holds a fraction 0-1 shown as a percentage, and a
key's label is the key in words unless ``labels`` names it otherwise.

Text enters every format through here, so a document holds no bidirectional controls
(``reports.bidi``): they are stripped from every string when it is made, from the catalog or from
a stored document alike.
"""

from dataclasses import dataclass, field

from reports.bidi import strip_bidi_all

RATE_DIGITS = 4


def is_rate(key):
    return key.endswith("_rate") or key == "share"


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
    key: str
    title: str
    columns: list
    rows: list

    def as_dict(self):
        return {"key": self.key, "title": self.title, "columns": list(self.columns), "rows": self.rows}


@dataclass
class Chart:
    """A chart of one section: categories from one column, one series per value column."""

    key: str
    title: str
    kind: str  # "bar", "line", "pie" or "heatmap" (rows × value columns, shaded by value)
    section: str
    category: str
    values: list

    def as_dict(self):
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "section": self.section,
            "category": self.category,
            "values": list(self.values),
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
            "record_count": self.record_count,
            "summary": dict(self.summary),
            "sections": [section.as_dict() for section in self.sections],
            "charts": [chart.as_dict() for chart in self.charts],
            "notes": list(self.notes),
            "labels": dict(self.labels),
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            record_count=data["record_count"],
            summary=data["summary"],
            sections=[Section(**section) for section in data["sections"]],
            charts=[Chart(**chart) for chart in data["charts"]],
            notes=data["notes"],
            labels=data["labels"],
        )


@dataclass
class ReportDocument:
    report_type: str
    title: str
    generated_at: str
    period: dict
    filters: dict
    record_count: int
    summary: dict
    sections: list = field(default_factory=list)
    charts: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    labels: dict = field(default_factory=dict)
    suppression: dict | None = None  # {"threshold": N} once small counts are hidden (reports.suppression)

    def __post_init__(self):
        for name in ("title", "generated_at", "period", "filters", "record_count", "summary", "notes", "labels"):
            setattr(self, name, strip_bidi_all(getattr(self, name)))
        self.sections = [Section(**strip_bidi_all(section.as_dict())) for section in self.sections]
        self.charts = [Chart(**strip_bidi_all(chart.as_dict())) for chart in self.charts]

    def label(self, key):
        return self.labels.get(key) or humanize(key)

    def section(self, key):
        return next(section for section in self.sections if section.key == key)

    def chart_data(self, chart):
        """(categories, [(series label, values)]) for a chart, read from its section.

        A missing value is 0; a suppressed one stays its marker text (charts leave it out).
        """
        section = self.section(chart.section)
        index = {column: position for position, column in enumerate(section.columns)}
        categories = [str(row[index[chart.category]]) for row in section.rows]
        series = [(self.label(column), [row[index[column]] or 0 for row in section.rows]) for column in chart.values]
        return categories, series

    def as_dict(self):
        return {
            "report_type": self.report_type,
            "title": self.title,
            "generated_at": self.generated_at,
            "period": dict(self.period),
            "filters": dict(self.filters),
            "record_count": self.record_count,
            "summary": dict(self.summary),
            "sections": [section.as_dict() for section in self.sections],
            "charts": [chart.as_dict() for chart in self.charts],
            "notes": list(self.notes),
            "labels": dict(self.labels),
            **({"suppression": dict(self.suppression)} if self.suppression else {}),
        }

    @classmethod
    def from_dict(cls, data):
        return cls(
            report_type=data["report_type"],
            title=data["title"],
            generated_at=data["generated_at"],
            period=data["period"],
            filters=data.get("filters", {}),
            record_count=data.get("record_count", 0),
            summary=data.get("summary", {}),
            sections=[Section(**section) for section in data.get("sections", [])],
            charts=[Chart(**chart) for chart in data.get("charts", [])],
            notes=data.get("notes", []),
            labels=data.get("labels", {}),
            suppression=data.get("suppression"),
        )
