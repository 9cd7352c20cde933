"""PDF: an A4 report with a cover block, the summary, every section as a table and vector charts.

Everything the document says goes through ``_escaped`` before it reaches
reportlab's paragraph markup, so clinic text prints literally.
"""

import functools
import html
import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import HRFlowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports import charts
from reports.document import COUNT
from reports.models import ExportFormat
from reports.presentation import is_numeric, present

from . import FILE_TYPES
from .cells import filters_text, generated_text, period_text

EXTENSION, CONTENT_TYPE = FILE_TYPES[ExportFormat.PDF]

MARGIN = 18 * mm
FRAME_PADDING = 6
WIDTH = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
LEFT, RIGHT = MARGIN + FRAME_PADDING, A4[0] - MARGIN - FRAME_PADDING
NAVY = colors.HexColor("#1F3A5F")
INK = colors.HexColor("#263238")
MUTED = colors.HexColor("#5F6F7F")
RULE = colors.HexColor("#C9D3DD")
ZEBRA = colors.HexColor("#F2F5F8")
NOTE_FILL = colors.HexColor("#FFF4D6")
NOTE_EDGE = colors.HexColor("#D9A441")
CELL_PADDING = 14


def _style(name, **options):
    return ParagraphStyle(name, **{"fontName": "Helvetica", "fontSize": 9, "leading": 12, "textColor": INK, **options})


TITLE = _style("title", fontName="Helvetica-Bold", fontSize=20, leading=24, textColor=NAVY, spaceAfter=4)
HEADING = _style(
    "heading", fontName="Helvetica-Bold", fontSize=13, leading=16, textColor=NAVY, spaceBefore=14, spaceAfter=4
)
CHART_TITLE = _style("chart", fontName="Helvetica-Bold", fontSize=10, textColor=INK, spaceBefore=10, spaceAfter=2)
BODY = _style("body")
MUTED_BODY = _style("muted", textColor=MUTED)
META_LABEL = _style("meta", fontName="Helvetica-Bold", fontSize=8, textColor=MUTED)
NOTE = _style("note", fontName="Helvetica-Bold", fontSize=10, leading=13, textColor=colors.HexColor("#6B4A00"))
CELL = _style("cell", fontSize=8.5, leading=11)
CELL_RIGHT = _style("cell_right", fontSize=8.5, leading=11, alignment=TA_RIGHT)
HEAD = _style("head", fontName="Helvetica-Bold", fontSize=8.5, leading=11, textColor=colors.white)
HEAD_RIGHT = _style(
    "head_right", fontName="Helvetica-Bold", fontSize=8.5, leading=11, textColor=colors.white, alignment=TA_RIGHT
)


def render(document):
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 4 * mm,
        title=document.title,
        author="USC-PIS",
    )
    footer = functools.partial(_footer, document.title)
    template.build(_story(document), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _escaped(value):
    return html.escape(str(value), quote=False)


def _paragraph(value, style):
    return Paragraph(_escaped(value), style)


def _footer(title, canvas, template):
    canvas.saveState()
    canvas.setStrokeColor(RULE)
    canvas.line(LEFT, 14 * mm, RIGHT, 14 * mm)
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(LEFT, 10 * mm, title if len(title) <= 90 else title[:89] + "…")
    canvas.drawRightString(RIGHT, 10 * mm, f"Page {template.page}")
    canvas.restoreState()


def _story(document):
    story = [*_cover(document), *_notes(document), *_summary(document)]
    for section in document.sections:
        story += _section(document, section)
        for chart in document.charts:
            if chart.section == section.key and section.rows:
                story += _chart(document, chart)
    return story


def _cover(document):
    time_zone = document.period.get("time_zone")
    details = [
        ("Period", period_text(document.period) + (f"  ({time_zone})" if time_zone else "")),
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
    kinds = document.summary_kinds
    rows = [
        [_paragraph(document.label(key), CELL), _paragraph(present(kinds[key], value).text, CELL_RIGHT)]
        for key, value in document.summary.items()
    ]
    rows.insert(0, [_paragraph("Metric", HEAD), _paragraph("Value", HEAD_RIGHT)])
    return [_paragraph("Summary", HEADING), _table(rows, [WIDTH * 0.5, WIDTH * 0.25])]


def _section(document, section):
    heading = _paragraph(section.title, HEADING)
    heading.keepWithNext = True
    if not section.rows:
        return [heading, _paragraph("No rows in this period.", MUTED_BODY)]
    kinds = [section.kinds[key] for key in section.columns]
    numeric = [is_numeric(kind) for kind in kinds]
    header = [document.label(key) for key in section.columns]
    body = [[present(kind, value).text for kind, value in zip(kinds, row, strict=True)] for row in section.rows]
    rows = [
        [_paragraph(cell, CELL_RIGHT if right else CELL) for cell, right in zip(texts, numeric, strict=True)]
        for texts in body
    ]
    rows.insert(
        0, [_paragraph(label, HEAD_RIGHT if right else HEAD) for label, right in zip(header, numeric, strict=True)]
    )
    return [heading, _table(rows, _widths([header, *body]))]


def _widths(texts):
    """Column widths filling the page: each column's longest word fits, the rest is shared by need."""
    columns = list(zip(*texts, strict=True))
    needed = [max(_text_width(cell) for cell in column) for column in columns]
    words = [max(_text_width(word) for cell in column for word in cell.split() or [""]) for column in columns]
    if sum(needed) <= WIDTH or sum(words) >= WIDTH:
        return [WIDTH * width / sum(needed) for width in needed]
    share = (WIDTH - sum(words)) / (sum(needed) - sum(words))
    return [word + (width - word) * share for word, width in zip(words, needed, strict=True)]


def _text_width(value):
    return stringWidth(value, "Helvetica-Bold", CELL.fontSize) + CELL_PADDING


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
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _chart(document, chart):
    """A chart's title and its drawing from ``reports.charts``, kept together, or why it is left out."""
    drawing = charts.document_chart(document, chart, WIDTH)
    if drawing is None:
        reason = charts.left_out(document, chart)
        return [KeepTogether([_paragraph(chart.title, CHART_TITLE), _paragraph(reason, MUTED_BODY)])] if reason else []
    return [KeepTogether([_paragraph(chart.title, CHART_TITLE), drawing])]
