"""PDF: an A4 report with a cover block, the summary, every section as a table and vector charts.

A summary in groups is printed as two columns of small tables, one a group under its heading. A
section shown only by trend charts prints those charts, small and side by side, and not its table.

A table is as wide as its content needs, never stretched (``_layout``): each column is at least as
wide as its longest word, so text wraps only at spaces and no number, date or word is split. A
table too wide for the page is set in smaller type, down to ``FONT_SIZES[-1]``, or else on landscape
pages. A heading starts a page when its table's first rows would not fit under it; a chart that does
not fit in the rest of a page is drawn lower there (``charts.document_chart``'s ``scale``) before it
moves to the next. Every page's footer names the report, says "Page N of M" and carries
``settings.REPORT_CONFIDENTIALITY_NOTICE``.

Everything the document says goes through ``_escaped`` before it reaches
reportlab's paragraph markup, so clinic text prints literally.
"""

import functools
import html
import io
from dataclasses import dataclass

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    HRFlowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from reports import charts, comparison
from reports.document import COUNT, TEXT
from reports.models import ExportFormat
from reports.presentation import is_numeric, present

from . import FILE_TYPES
from .cells import filters_text, generated_text, period_text

EXTENSION, CONTENT_TYPE = FILE_TYPES[ExportFormat.PDF]

MARGIN = 18 * mm
BOTTOM_MARGIN = MARGIN + 4 * mm
FRAME_PADDING = 6
PORTRAIT, LANDSCAPE = "portrait", "landscape"
PAGE_SIZES = {PORTRAIT: A4, LANDSCAPE: landscape(A4)}
WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
LEFT = MARGIN + FRAME_PADDING
NAVY = colors.HexColor("#1F3A5F")
INK = colors.HexColor("#263238")
MUTED = colors.HexColor("#5F6F7F")
RULE = colors.HexColor("#C9D3DD")
ZEBRA = colors.HexColor("#F2F5F8")
NOTE_FILL = colors.HexColor("#FFF4D6")
NOTE_EDGE = colors.HexColor("#D9A441")

# A table's type, largest first: the last is the smallest a table is printed in.
FONT_SIZES = (8.5, 8, 7.5)
FONT, FONT_BOLD = "Helvetica", "Helvetica-Bold"
CELL_PADDING = 5  # on each side of a cell's text
EMPTY_SECTION = "Nothing was counted here in this period."
NOTHING_COUNTED = "There is no data for this period and these filters: nothing to count, so no tables or charts."
GAP = 4  # a column's room beyond its longest text, so that neighbouring columns do not touch
COMFORTABLE = 100  # points: a text column gets this much, if it needs it, before a table turns smaller
OPENING_ROWS = 3  # a heading starts a page unless its table's header and this many rows fit under it
KEEP_WHOLE = 160  # points: a table this short starts a page unless it fits whole under its heading
OPENING_LIMIT = 220  # points: however tall a table's first rows, a heading asks no more room under it
COMPACT_CHART = 0.65  # a chart that does not fit in the rest of a page may be drawn this much lower
GUTTER = 14  # points between the columns of a grouped summary, and of trend charts
PADDINGS = ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")


def _style(name, **options):
    return ParagraphStyle(name, **{"fontName": FONT, "fontSize": 9, "leading": 12, "textColor": INK, **options})


TITLE = _style("title", fontName=FONT_BOLD, fontSize=20, leading=24, textColor=NAVY, spaceAfter=4)
HEADING = _style("heading", fontName=FONT_BOLD, fontSize=13, leading=16, textColor=NAVY, spaceBefore=14, spaceAfter=4)
CHART_TITLE = _style("chart", fontName=FONT_BOLD, fontSize=10, textColor=INK, spaceBefore=10, spaceAfter=2)
BODY = _style("body")
MUTED_BODY = _style("muted", textColor=MUTED)
META_LABEL = _style("meta", fontName=FONT_BOLD, fontSize=8, textColor=MUTED)
NOTE = _style("note", fontName=FONT_BOLD, fontSize=10, leading=13, textColor=colors.HexColor("#6B4A00"))


def render(document):
    buffer = io.BytesIO()
    template = BaseDocTemplate(buffer, pagesize=A4, title=document.title, author="USC-PIS")
    footer = functools.partial(_footer, document.title, settings.REPORT_CONFIDENTIALITY_NOTICE)
    template.addPageTemplates([_page_template(page, footer) for page in PAGE_SIZES])
    template.build(_story(document), canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _page_template(page, footer):
    """The pages of one orientation: one frame within the margins, and the footer."""
    width, height = PAGE_SIZES[page]
    frame = Frame(MARGIN, BOTTOM_MARGIN, width - 2 * MARGIN, height - MARGIN - BOTTOM_MARGIN, id=page)
    return PageTemplate(id=page, frames=[frame], pagesize=PAGE_SIZES[page], onPage=footer)


def _escaped(value):
    return html.escape(str(value), quote=False)


def _paragraph(value, style):
    return Paragraph(_escaped(value), style)


def _right(canvas):
    """The x of the right edge of the text on the canvas's current page."""
    return canvas._pagesize[0] - MARGIN - FRAME_PADDING


def _footer(title, notice, canvas, template):
    """A rule, the report's title and the confidentiality notice; the page number comes at the end."""
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.line(LEFT, 14 * mm, _right(canvas), 14 * mm)
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(LEFT, 10 * mm, title if len(title) <= 90 else title[:89] + "…")
    if notice:
        canvas.setFont(FONT_BOLD, 7)
        canvas.drawString(LEFT, 6.5 * mm, notice)
    canvas.restoreState()


class _NumberedCanvas(Canvas):
    """A canvas that keeps its pages until the end, to print "Page N of M" on each."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.drawRightString(_right(self), 10 * mm, f"Page {number} of {len(self._pages)}")
            super().showPage()
        super().save()


def _story(document):
    """The cover, notes and summary, then each section, turning the page when the orientation changes.

    A report that counted nothing is its cover and a line saying so: no tables of zeros, no empty charts.
    """
    story = [*_cover(document), *_notes(document)]
    if document.is_empty:
        return [*story, Spacer(1, 10), _paragraph(NOTHING_COUNTED, BODY)]
    story += _summary(document)
    current = PORTRAIT
    trends = []
    for section in document.sections:
        if document.trends_only(section):
            trends += [chart for chart in document.charts if chart.section == section.key]
            continue
        story += _trends(document, trends)
        trends = []
        page, flowables = _section(document, section)
        if page != current:
            story += [NextPageTemplate(page), PageBreak()]
            current = page
        story += flowables
        for chart in document.charts:
            if chart.section == section.key and not section.is_empty:
                story += _chart(document, chart)
    return story + _trends(document, trends)


def _cover(document):
    time_zone = document.period.get("time_zone")
    details = [
        ("Period", period_text(document.period) + (f"  ({time_zone})" if time_zone else "")),
        *([("Compared with", period_text(document.comparison["period"]))] if document.comparison else []),
        ("Filters", filters_text(document)),
        ("Generated", generated_text(document)),
        ("Records", present(COUNT, document.record_count).text),
    ]
    rows = [[_paragraph(label.upper(), META_LABEL), _paragraph(value, BODY)] for label, value in details]
    table = Table(rows, colWidths=[28 * mm, WIDTH - 28 * mm])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), ZEBRA),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, 0), 8),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 8),
            ]
        )
    )
    rule = HRFlowable(width="100%", thickness=2, color=NAVY, spaceBefore=2, spaceAfter=8)
    return [_paragraph(document.title, TITLE), rule, table]


def _notes(document):
    if not document.notes:
        return []
    table = Table([[_paragraph(note, NOTE)] for note in document.notes], colWidths=[WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), NOTE_FILL),
                ("LINEBEFORE", (0, 0), (0, -1), 3, NOTE_EDGE),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return [Spacer(1, 10), table]


def _summary(document):
    if not document.summary:
        return []
    if document.comparison:
        return _compared_summary(document)
    if document.summary_groups:
        return _headed(_paragraph("Summary", HEADING), _grouped_summary(document), WIDTH)
    kinds = document.summary_kinds
    body = [[document.label(key), present(kinds[key], value).text] for key, value in document.summary.items()]
    columns = [Column("Metric", TEXT), Column("Value", COUNT)]
    table, _ = _grid(columns, body, pages=(PORTRAIT,))
    return _headed(_paragraph("Summary", HEADING), table, WIDTH)


def _compared_summary(document):
    """The headline figures beside the earlier period's, with their changes: a table a group of figures."""
    titles, cells = comparison.headline(document)
    tables = []
    for heading, keys in document.grouped_summary():
        columns = [Column(heading or "Metric", TEXT), *(Column(title, COUNT) for title in titles)]  # right-aligned
        body = [[document.label(key), *(present(kind, value).text for kind, value in cells[key])] for key in keys]
        tables += [_grid(columns, body, pages=(PORTRAIT,))[0], Spacer(1, 6)]
    return _headed(_paragraph("Summary", HEADING), tables[0], WIDTH) + tables[1:-1]


def _grouped_summary(document):
    """The summary's groups in two columns, each group a small table under its heading, the columns about as long."""
    groups = list(document.summary_groups.items())
    texts = {key: present(document.summary_kinds[key], value).text for key, value in document.summary.items()}
    size = FONT_SIZES[0]
    column = (WIDTH - GUTTER) / 2
    value_width = max(stringWidth(text, FONT, size) for text in texts.values()) + 2 * CELL_PADDING + GAP
    widths = [column - value_width, value_width]
    tables = [_group_table(document, heading, keys, texts, widths, size) for heading, keys in groups]
    lengths = [len(keys) + 1 for _, keys in groups]
    split = min(range(1, len(groups) + 1), key=lambda at: max(sum(lengths[:at]), sum(lengths[at:])))
    stacks = [_stacked(tables[:split]), _stacked(tables[split:])]
    outer = Table([stacks], colWidths=[column + GUTTER, column], hAlign="LEFT")
    outer.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *((side, (0, 0), (-1, -1), 0) for side in PADDINGS)])
    )
    return outer


def _group_table(document, heading, keys, texts, widths, size):
    """A group of figures: its heading across the table, then a row a figure, the value flush right."""
    header = [_paragraph(heading, _cell_style(size, True, False)), ""]
    rows = [_row([document.label(key), texts[key]], [False, True], size, bold=False) for key in keys]
    table = _table([header, *rows], widths)
    table.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0))]))
    return table


def _stacked(tables):
    """Tables one under the other, a small gap between them."""
    return [flowable for table in tables for flowable in (table, Spacer(1, 6))][:-1]


def _trends(document, trends):
    """Trend charts side by side, two a row, each titled; a trend not drawn says why."""
    if not trends:
        return []
    width = (WIDTH - GUTTER) / 2
    cells = []
    for chart in trends:
        drawing = charts.document_chart(document, chart, width)
        reason = charts.left_out(document, chart) or EMPTY_SECTION
        cells.append([_paragraph(chart.title, CHART_TITLE), drawing or _paragraph(reason, MUTED_BODY)])
    rows = [cells[start : start + 2] for start in range(0, len(cells), 2)]
    rows[-1] += [""] * (2 - len(rows[-1]))
    table = Table(rows, colWidths=[width + GUTTER, width], hAlign="LEFT")
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), *((side, (0, 0), (-1, -1), 0) for side in PADDINGS)])
    )
    return [KeepTogether([Spacer(1, 4), table])]


def _section(document, section):
    """The section's orientation and its heading with its table, or with a line saying it counted nothing."""
    heading = _paragraph(section.title, HEADING)
    if section.is_empty:
        return PORTRAIT, _headed(heading, _paragraph(EMPTY_SECTION, MUTED_BODY), WIDTH)
    kinds = [section.kinds[key] for key in section.columns]
    columns = [Column(document.label(key), kind) for key, kind in zip(section.columns, kinds, strict=True)]
    body = [[present(kind, value).text for kind, value in zip(kinds, row, strict=True)] for row in section.rows]
    table, layout = _grid(columns, body)
    return layout.page, _headed(heading, table, _frame_width(layout.page))


def _frame_width(page):
    return PAGE_SIZES[page][0] - 2 * MARGIN - 2 * FRAME_PADDING


def _headed(heading, content, width):
    """A heading and what it heads, on a new page unless the heading and the start of that fit in this one."""
    opening = min(_height(heading, width) + _opening_height(content, width), OPENING_LIMIT)
    return [CondPageBreak(opening), heading, content]


def _height(flowable, width):
    return flowable.wrap(width, PAGE_SIZES[PORTRAIT][1])[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()


def _opening_height(content, width):
    """A short table whole; a long one's header and first OPENING_ROWS rows; a paragraph whole."""
    height = _height(content, width)
    if not isinstance(content, Table) or height <= KEEP_WHOLE:
        return height
    return sum(content._rowHeights[: 1 + OPENING_ROWS])


# --- a table's layout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    label: str
    kind: str


@dataclass(frozen=True)
class Layout:
    page: str
    font_size: float
    widths: list


@dataclass(frozen=True)
class _Measure:
    """A column's text widths at a font size of 1: its longest word, its longest cell and its header."""

    word: float
    cell: float
    header: float
    breakable: bool  # text: the last resort may split a word longer than a landscape line


def _measure(column, texts):
    header_words = [stringWidth(word, FONT_BOLD, 1) for word in column.label.split()]
    words = [stringWidth(word, FONT, 1) for text in texts for word in text.split()]
    cell = max([0, *(stringWidth(text, FONT, 1) for text in texts)])
    header = stringWidth(column.label, FONT_BOLD, 1)
    return _Measure(max([0, *header_words, *words]), cell, header, column.kind == TEXT)


def _layout(columns, body, pages=(PORTRAIT, LANDSCAPE)):
    """The first of: comfortable widths, then each column's longest word, in the largest type and on the first
    page that hold them; else the last resort: landscape, smallest type, text columns sharing what is left."""
    texts = list(zip(*body, strict=True)) or [()] * len(columns)
    measures = [_measure(column, cells) for column, cells in zip(columns, texts, strict=True)]
    for least in (_comfortable, _word):
        for page in pages:
            for size in FONT_SIZES:
                widths = _fit(measures, size, _frame_width(page), least)
                if widths:
                    return Layout(page, size, widths)
    return Layout(pages[-1], FONT_SIZES[-1], _squeezed(measures, FONT_SIZES[-1], _frame_width(pages[-1])))


def _word(measure, size):
    return measure.word * size + 2 * CELL_PADDING + 1


def _natural(measure, size):
    """Room for the column's longest cell and header on one line each."""
    return max(measure.cell, measure.header) * size + 2 * CELL_PADDING + GAP


def _comfortable(measure, size):
    """Room for its cells on one line up to COMFORTABLE points; its header may wrap."""
    cells = measure.cell * size + 2 * CELL_PADDING + GAP
    return max(_word(measure, size), min(cells, COMFORTABLE))


def _fit(measures, size, width, least):
    """Each column's natural width when all fit; else ``least`` of each plus a share of the rest; else None."""
    natural = [_natural(measure, size) for measure in measures]
    if sum(natural) <= width:
        return natural
    base = [least(measure, size) for measure in measures]
    if sum(base) > width:
        return None
    wants = [max(0, full - start) for full, start in zip(natural, base, strict=True)]
    share = (width - sum(base)) / sum(wants)
    return [start + want * share for start, want in zip(base, wants, strict=True)]


def _squeezed(measures, size, width):
    """Numbers, dates and codes keep their longest word; text columns share the rest by their longest word."""
    fixed = [0 if measure.breakable else _word(measure, size) for measure in measures]
    text = [_word(measure, size) if measure.breakable else 0 for measure in measures]
    rest = width - sum(fixed)
    if rest <= 0 or not sum(text):
        return [width * (a + b) / (sum(fixed) + sum(text)) for a, b in zip(fixed, text, strict=True)]
    return [a + rest * b / sum(text) for a, b in zip(fixed, text, strict=True)]


@functools.cache
def _cell_style(size, bold, right):
    return _style(
        f"cell-{size}-{bold}-{right}",
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=size * 1.3,
        textColor=colors.white if bold else INK,
        alignment=TA_RIGHT if right else 0,
    )


def _grid(columns, body, pages=(PORTRAIT, LANDSCAPE)):
    """The table of ``columns`` over the ``body`` texts, laid out by ``_layout``, and that layout."""
    layout = _layout(columns, body, pages)
    right = [is_numeric(column.kind) for column in columns]
    header = _row([column.label for column in columns], right, layout.font_size, bold=True)
    rows = [_row(texts, right, layout.font_size, bold=False) for texts in body]
    return _table([header, *rows], layout.widths), layout


def _row(texts, right, size, bold):
    return [_paragraph(text, _cell_style(size, bold, flush)) for text, flush in zip(texts, right, strict=True)]


def _table(rows, widths):
    """A table with a navy header row repeated on every page and zebra rows."""
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), NAVY),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


# --- charts ----------------------------------------------------------------------------------------


def _chart(document, chart):
    """A chart's title and drawing from ``reports.charts``, or why it is left out; nothing when there is nothing."""
    draw = functools.partial(charts.document_chart, document, chart, WIDTH)
    full = draw()
    if full is None:
        reason = charts.left_out(document, chart)
        return [KeepTogether([_paragraph(chart.title, CHART_TITLE), _paragraph(reason, MUTED_BODY)])] if reason else []
    return [_Chart(_paragraph(chart.title, CHART_TITLE), full, draw)]


class _Chart(Flowable):
    """A chart's title over its drawing: lower (``COMPACT_CHART``) when only that fits in the rest of the page,
    else in full, on the next page if need be."""

    def __init__(self, title, full, draw):
        super().__init__()
        self.title = title
        self.full = self.drawing = full
        self.draw_at = draw  # scale -> the drawing at that scale

    @functools.cached_property
    def compact(self):
        return self.draw_at(scale=COMPACT_CHART)

    def wrap(self, width, height):
        title = self.title.wrap(width, height)[1]
        self.drawing = self.full
        if title + self.full.height > height and title + self.compact.height <= height:
            self.drawing = self.compact
        self.width, self.height = width, title + self.drawing.height
        return self.width, self.height

    def getSpaceBefore(self):
        return self.title.getSpaceBefore()

    def draw(self):
        self.drawing.drawOn(self.canv, 0, 0)
        self.title.drawOn(self.canv, 0, self.drawing.height)
