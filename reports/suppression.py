"""Small-cell suppression: counts of few people hidden, with every value that would give them away.

Each report module declares its values in ``SUPPRESSION`` (a ``Rules``): which are
counts, which are shown as they are (categories such as months, hours or ratings,
and numbers that count no patients), which are rates or averages computed from
which counts, and which counts add up to which totals. ``suppress`` applies the
rule of docs/reports.md, "Small-cell suppression":

1. every count from 1 to the threshold is hidden;
2. a relation (parts adding up to a total) with exactly one hidden member would
   give it away, so its smallest shown non-zero member is hidden too, until no
   relation has exactly one;
3. every rate or average computed from a hidden count is hidden;
4. a section of free text whose base count is hidden is left out.

A hidden count becomes ``Suppressed(threshold)``, shown as the marker ``"<{threshold + 1}"``;
a hidden rate or average becomes ``Withheld``, shown as "not shown", never as a count.
A value a declaration does not account for is an error (``ImproperlyConfigured``), never
shown unchecked.

In a ``Table`` a name is a column of the same row when the section has that
column, otherwise a summary key.
"""

import copy
from dataclasses import dataclass, field
from fractions import Fraction

from django.core.exceptions import ImproperlyConfigured

from reports.document import COUNT, WITHHELD, ReportDocument, Suppressed

# A column total the report does not show as a figure but reveals all the same (through the shares).
IMPLIED = None
NOTE = (
    "Small-cell suppression: counts from 1 to {threshold} are shown as {marker}, and so is every other "
    "count from which such a count could be worked out; a rate or average that would give one away is not shown."
)

LEFT_OUT = "{title} are left out: they come from so few people that their words could tell who wrote them."


@dataclass(frozen=True)
class Cells:
    """The cells of a section's column: every row, or the rows whose ``match`` column is one of ``rows``.

    ``match`` is the section's first column unless named; values are compared as text.
    ``exclude`` selects the rows *not* listed.
    """

    section: str
    column: str
    rows: tuple = None
    match: str = None
    exclude: bool = False


@dataclass(frozen=True)
class Group:
    """``parts`` add up to ``total`` (summary keys or ``Cells``)."""

    parts: tuple
    total: object


@dataclass(frozen=True)
class Derived:
    """A rate or an average, hidden when any count it is computed from is hidden.

    ``base``: its numerator is not shown, so the rate stands for the count rate × base.
    ``bound``: its base is not shown either, and is at most this count.
    """

    inputs: tuple
    base: object = None
    bound: object = None


def rate(numerator=None, over=None, *, within=None):
    """A rate: ``numerator`` ÷ ``over``; without a numerator it stands for a count; ``within`` bounds an unshown base.

    Without ``over`` or ``within`` the base is the total of the numerator's column.
    """
    if within is not None:
        return Derived((within,), bound=within)
    if numerator is None:
        return Derived((over,), base=over)
    return Derived(tuple(name for name in (numerator, over) if name is not None))


def computed_from(*counts):
    """An average or another figure computed from these counts (or ``Cells``)."""
    return Derived(counts)


@dataclass(frozen=True)
class Table:
    """The columns of a section, and the relations among its cells.

    ``totals``: column → the summary key its cells add up to (or ``IMPLIED``);
    ``row_totals``: column → the columns of the same row that add up to it;
    ``within``: count column → the column of the same row it is a part of;
    ``left_out_with``: a summary count; when it is hidden the whole section is left out (free
    text from so few people could tell who wrote it), and a note says so.
    """

    shown: tuple = ()
    counts: tuple = ()
    derived: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)
    row_totals: dict = field(default_factory=dict)
    within: dict = field(default_factory=dict)
    left_out_with: str = None


@dataclass(frozen=True)
class Rules:
    """A report type's values and relations.

    ``totals``: summary key → the summary keys that add up to it; ``within``: count →
    the count it is a part of (the rest is a count too); ``record_count``: the summary
    keys that add up to the record count; ``groups``: other relations, across sections.
    """

    counts: tuple = ()
    shown: tuple = ()
    derived: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)
    within: dict = field(default_factory=dict)
    record_count: tuple = ()
    sections: dict = field(default_factory=dict)
    groups: tuple = ()

    def summary_keys(self):
        return [*self.counts, *self.shown, *self.derived]


def combine(sources, merge, own):
    """``own`` with the summary rules of ``sources`` ({report type: Rules}), keys renamed as ``merge`` renames them.

    ``merge`` turns ``{report type: {key: value}}`` into one dict (see comprehensive analytics).
    Relations that involve sections stay behind with their sections.
    """
    origins = merge({kind: {key: (kind, key) for key in rules.summary_keys()} for kind, rules in sources.items()})
    names = {origin: name for name, origin in origins.items()}
    every = [own, *(_summary_of(rules, lambda key, kind=kind: names[kind, key]) for kind, rules in sources.items())]
    return Rules(
        counts=tuple(key for rules in every for key in rules.counts),
        shown=tuple(key for rules in every for key in rules.shown),
        derived={key: spec for rules in every for key, spec in rules.derived.items()},
        totals={key: parts for rules in every for key, parts in rules.totals.items()},
        within={key: whole for rules in every for key, whole in rules.within.items()},
        record_count=own.record_count,
        sections=own.sections,
        groups=tuple(group for rules in every for group in rules.groups),
    )


def _summary_of(rules, name):
    """The summary rules of ``rules``, every key renamed by ``name``."""

    def renamed(key):
        return None if key is None else name(key)

    return Rules(
        counts=tuple(map(name, rules.counts)),
        shown=tuple(map(name, rules.shown)),
        derived={
            name(key): Derived(tuple(map(name, spec.inputs)), renamed(spec.base), renamed(spec.bound))
            for key, spec in rules.derived.items()
        },
        totals={name(total): tuple(map(name, parts)) for total, parts in rules.totals.items()},
        within={name(part): name(whole) for part, whole in rules.within.items()},
        groups=tuple(
            Group(tuple(map(name, group.parts)), name(group.total))
            for group in rules.groups
            if all(isinstance(ref, str) for ref in (*group.parts, group.total))
        ),
    )


def marker(threshold):
    """What a hidden value becomes: ``Suppressed``, shown as ``<{threshold + 1}``."""
    return Suppressed(threshold)


def suppress(document, rules, threshold):
    """A copy of ``document`` with small counts, and what would give them away, replaced by ``Suppressed``."""
    plan = Plan(rules, document)
    return plan.apply(plan.hidden(threshold), threshold)


def _could_be_small(value, bound, threshold):
    """Could this rate, over an unshown base of at most ``bound``, stand for a count from 1 to ``threshold``?

    The simplest fraction equal to it (the smallest base it can have) decides: its numerator
    or what the numerator leaves of the base.
    """
    fraction = Fraction(str(value)).limit_denominator(max(bound, 1))
    numerator, base = fraction.numerator, fraction.denominator
    return 1 <= numerator <= threshold or 1 <= base - numerator <= threshold


class Plan:
    """The cells of one document that its rules speak of, and how they relate.

    A cell is ``("summary", key)``, ``("record_count",)`` or ``("section", key, row, column)``.
    """

    def __init__(self, rules, document):
        self.document = document
        self.values = {}  # every declared cell → its value, in document order
        self.counts = []  # cells hidden when from 1 to the threshold
        self.groups = []  # (parts, total or None, whether a rest not shown completes the parts)
        self.derived = []  # (cell, the cells it is computed from)
        self.bounded = []  # (rate cell, the count bounding its unshown base)
        self.stands_for = {}  # rate cell → the count it stands for
        self._summary(rules)
        found = [section.key for section in document.sections]
        _check_declared(f"{document.report_type} sections", found, list(rules.sections))
        self.left_out = []  # (section key, the summary cell whose hiding leaves it out)
        for section in document.sections:
            self._section(rules.sections[section.key], section)
        for group in rules.groups:
            (total,) = self._cells(group.total, self._summary_cell)
            self._group([cell for part in group.parts for cell in self._cells(part, self._summary_cell)], total)

    def _summary(self, rules):
        summary = self.document.summary
        _check_declared(f"{self.document.report_type} summary", list(summary), rules.summary_keys())
        self.values["record_count",] = self.document.record_count
        self.values.update({("summary", key): value for key, value in summary.items()})
        self.counts += [("summary", key) for key in rules.counts]
        for key, spec in rules.derived.items():
            self._derive(("summary", key), spec, self._summary_cell)
        for total, parts in rules.totals.items():
            self._group([self._summary_cell(part) for part in parts], self._summary_cell(total))
        for part, whole in rules.within.items():
            self._group([self._summary_cell(part)], self._summary_cell(whole), rest=True)
        parts = (rules.record_count,) if isinstance(rules.record_count, str) else rules.record_count
        if not parts:
            raise ImproperlyConfigured(f"{self.document.report_type}: declare what the record count adds up")
        self._group([self._summary_cell(part) for part in parts], ("record_count",))

    def _section(self, table, section):
        _check_declared(
            f"{self.document.report_type} section {section.key}",
            section.columns,
            [*table.shown, *table.counts, *table.derived],
        )
        for row, values in enumerate(section.rows):

            def cell(name, row=row):
                if name in section.columns:
                    return ("section", section.key, row, name)
                return self._summary_cell(name)

            for name, value in zip(section.columns, values, strict=True):
                self.values["section", section.key, row, name] = value
            self.counts += [cell(column) for column in table.counts]
            for column, spec in table.derived.items():
                self._derive(cell(column), spec, cell)
            for total, parts in table.row_totals.items():
                self._group([cell(part) for part in parts], cell(total))
            for part, whole in table.within.items():
                self._group([cell(part)], cell(whole), rest=True)
        for column, total in table.totals.items():
            cells = [("section", section.key, row, column) for row in range(len(section.rows))]
            self._group(cells, None if total is IMPLIED else self._summary_cell(total))
        if table.left_out_with:
            self.left_out.append((section.key, self._summary_cell(table.left_out_with)))

    def _summary_cell(self, key):
        if ("summary", key) not in self.values:
            raise ImproperlyConfigured(f"{self.document.report_type}: no summary value {key!r} to relate")
        return ("summary", key)

    def _cells(self, ref, resolve):
        if not isinstance(ref, Cells):
            return [resolve(ref)]
        if ref.section not in {section.key for section in self.document.sections}:
            raise ImproperlyConfigured(f"{self.document.report_type}: no section {ref.section!r} to relate")
        section = self.document.section(ref.section)
        match = section.columns.index(ref.match or section.columns[0])
        wanted = None if ref.rows is None else {str(value) for value in ref.rows}
        return [
            ("section", ref.section, row, ref.column)
            for row, values in enumerate(section.rows)
            if wanted is None or (str(values[match]) in wanted) != ref.exclude
        ]

    def _derive(self, cell, spec, resolve):
        value = self.values[cell]
        if value is None:
            return
        self.derived.append((cell, [found for ref in spec.inputs for found in self._cells(ref, resolve)]))
        if spec.base is not None:
            base = resolve(spec.base)
            self.stands_for[cell] = round(value * self.values[base])
            self.counts.append(cell)
            self._group([cell], base, rest=True)
        if spec.bound is not None:
            self.bounded.append((cell, resolve(spec.bound)))

    def _group(self, parts, total, rest=False):
        self.groups.append((parts, total, rest))

    def number(self, cell):
        """The count a cell shows, or stands for (a rate whose numerator is not shown)."""
        return self.stands_for.get(cell, self.values[cell])

    def rest(self, parts, total):
        return self.number(total) - sum(self.number(part) for part in parts)

    def hidden(self, threshold):
        """The cells to hide: small counts, then complements until every relation is safe, and derived values."""

        def small(number):
            return 1 <= number <= threshold

        hidden = {cell for cell in self.counts if small(self.number(cell))}
        hidden |= {
            cell
            for cell, bound in self.bounded
            if cell not in hidden and _could_be_small(self.values[cell], self.values[bound], threshold)
        }
        position = {cell: index for index, cell in enumerate(self.values)}
        changed = True
        while changed:
            changed = False
            for cell, inputs in self.derived:
                if cell not in hidden and any(found in hidden for found in inputs):
                    hidden.add(cell)
                    changed = True
            for parts, total, rest in self.groups:
                members = [*parts, total] if total is not None else list(parts)
                covered = [member for member in members if member in hidden]
                if len(covered) + rest != 1 or (rest and not small(self.rest(parts, total))):
                    continue
                candidates = [member for member in members if member not in hidden and self.number(member)]
                if not candidates:
                    raise ValueError(f"{self.document.report_type}: no cell left to hide in a relation")
                hidden.add(min(candidates, key=lambda member: (self.number(member), position[member])))
                changed = True
        return hidden

    def read(self, document, cell):
        """A cell's value in ``document`` (this plan's document, or one made from it)."""
        if cell[0] == "summary":
            return document.summary[cell[1]]
        if cell[0] == "record_count":
            return document.record_count
        section = document.section(cell[1])
        return section.rows[cell[2]][section.columns.index(cell[3])]

    def apply(self, hidden, threshold):
        """A new document with the hidden counts ``Suppressed`` and the other hidden values ``Withheld``, saying so."""
        shown = marker(threshold)
        document = ReportDocument.from_dict(copy.deepcopy(self.document.as_dict()))

        def hide(kind):
            return shown if kind == COUNT else WITHHELD

        for cell in hidden:
            if cell[0] == "summary":
                document.summary[cell[1]] = hide(document.summary_kinds[cell[1]])
            elif cell[0] == "record_count":
                document.record_count = shown
            else:
                section = document.section(cell[1])
                section.rows[cell[2]][section.columns.index(cell[3])] = hide(section.kinds[cell[3]])
        for key, base in self.left_out:
            if base in hidden:
                document.notes.append(LEFT_OUT.format(title=document.section(key).title))
                document.sections = [section for section in document.sections if section.key != key]
                document.charts = [chart for chart in document.charts if chart.section != key]
        document.notes.append(NOTE.format(threshold=threshold, marker=shown))
        document.suppression = {"threshold": threshold}
        return document


def _check_declared(where, found, declared):
    """Every value found is declared exactly once, and nothing else is."""
    duplicated = sorted({name for name in declared if declared.count(name) > 1})
    missing = [name for name in found if name not in declared]
    unknown = [name for name in declared if name not in found]
    if duplicated or missing or unknown:
        raise ImproperlyConfigured(
            f"Suppression rules of {where}: undeclared {missing}, unknown {unknown}, declared twice {duplicated}"
        )
