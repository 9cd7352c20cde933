"""The one chart definition: reportlab drawings, drawn into the PDF as they are and rendered to SVG for the page.

A report document's charts (``document_chart``) and the dashboard's
(``dashboard_charts``) are built here once; the PDF renderer adds the drawings to
its story and the page receives ``svg(drawing)``, so the two cannot disagree.
"""

import math
from dataclasses import dataclass

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Group, Rect, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from reports.document import CALENDAR, HIDDEN, RATE
from reports.presentation import present, tick, unit

FONT, FONT_BOLD = "Helvetica", "Helvetica-Bold"
SVG_FONT = "Helvetica, Arial, 'Liberation Sans', sans-serif"
INK = colors.HexColor("#263238")
MUTED = colors.HexColor("#5F6F7F")
RULE = colors.HexColor("#C9D3DD")
PALETTE = [
    colors.HexColor(code)
    for code in ("#2E5C8A", "#5FA8A0", "#E0A458", "#8E7DBE", "#C8675C", "#7A8B99", "#A3C4DC", "#B9D7A8", "#F2C6A0")
]
STATUS_COLORS = {
    "COMPLETED": colors.HexColor("#2E7D4F"),
    "FAILED": colors.HexColor("#C0392B"),
    "PENDING": colors.HexColor("#E0A458"),
    "GENERATING": colors.HexColor("#2E5C8A"),
    "EXPIRED": colors.HexColor("#9AA5B1"),
}
LABEL_LENGTH = 40
PIE_SLICES = len(PALETTE)
AXIS_FONT_SIZE = 7
TITLE_SPACE = 11  # room for an axis title
TICK_GAP = 8  # the least space between two level labels of an axis
# Page charts are drawn narrower than the PDF's so their text reads larger once scaled to the screen.
PAGE_WIDTH = 360
DASHBOARD_WIDTH, DASHBOARD_HEIGHT, DASHBOARD_FONT_SIZE = 300, 190, 9
DAY_LABEL_EVERY = 5
# The height of a document's charts: a pie, the plot of a bar or line chart, a heatmap's row.
PIE_HEIGHT, PLOT_HEIGHT, HEAT_ROW_HEIGHT = 170, 140, 16
CLINIC_CHART_WIDTH, CLINIC_CHART_HEIGHT, CLINIC_FONT_SIZE, CLINIC_TICKS = 200, 84, 8, 4
TREND_HEIGHT = 100  # a document's trend chart: small, for a one-page summary
HIDDEN_BAND = colors.HexColor("#E3E8ED")
FORMAT_NAMES = {"EXCEL": "Excel"}


def short(label, length=LABEL_LENGTH):
    return label if len(label) <= length else label[: length - 1] + "…"


def palette(index):
    return PALETTE[index % len(PALETTE)]


def faded(colour, amount=0.55):
    """``colour`` towards white by ``amount``: an earlier period's series beside the current one's."""
    return colors.Color(*(part + (1 - part) * amount for part in (colour.red, colour.green, colour.blue)))


def series_colours(count, earlier=0):
    """The colours of ``count`` series, the last ``earlier`` an earlier period's: its current series' colour, faded."""
    current = count - earlier
    return [palette(index) if index < current else faded(palette(index - current)) for index in range(count)]


# --- a report document's charts ------------------------------------------------


def document_chart(document, chart, width, scale=1):
    """The drawing of one of a document's charts, or None when there is nothing to draw.

    A ``scale`` below 1 draws it lower by that factor, its text at the same size (the PDF's compact form).
    """
    categories, series = document.chart_data(chart)
    if not categories:
        return None
    if chart.kind == "trend":
        return document_trend(document, chart, width, scale)
    section = document.section(chart.section)
    over_time = section.kinds[chart.category] in CALENDAR
    labels = [short(tick(section.kinds[chart.category], name)) for name in categories]
    kinds = [section.kinds[key] for key in [*chart.values, *chart.earlier]]
    # A suppressed value has no number: no bar, a gap in a line; a pie would misstate the shares.
    series = [
        (name, [present(kind, value).number for value in values])
        for (name, values), kind in zip(series, kinds, strict=True)
    ]
    if not any(value for _, values in series for value in values):  # all hidden, missing or 0: nothing to draw
        return None
    if chart.kind == "pie":
        return None if None in series[0][1] else pie(labels, series[0][1], width, height=PIE_HEIGHT * scale)
    if chart.kind == "heatmap":
        return heatmap(labels, series, width, cell_height=HEAT_ROW_HEIGHT * scale)
    rates = all(kind == RATE for kind in kinds)
    titles = axis_titles(document, chart)
    return xy_chart(
        chart.kind,
        labels,
        series,
        width,
        rates=rates,
        height=PLOT_HEIGHT * scale,
        titles=titles,
        thinned=over_time,
        earlier=len(chart.earlier),
    )


def document_trend(document, chart, width, scale=1):
    """A document's trend chart (``trend_bars``): its one series a bar a step, a hidden step a grey band.

    A step where nothing was counted (a rate of nothing) has no bar; None when no step has a value.
    """
    section = document.section(chart.section)
    category, column = (section.columns.index(key) for key in (chart.category, chart.values[0]))
    kind = section.kinds[chart.values[0]]
    cells = [row[column] for row in section.rows]
    values = [present(kind, value).number for value in cells]
    if not any(values):
        return None
    steps = [tick(section.kinds[chart.category], row[category]) for row in section.rows]
    hidden = [isinstance(value, HIDDEN) for value in cells]
    return trend_bars(steps, values, hidden, rates=kind == RATE, width=width, height=TREND_HEIGHT * scale)


def axis_titles(document, chart):
    """(category axis title, value axis title) of a bar or line chart: the category's label, and the declared
    value title (or the one series' label) with the unit of its kind."""
    section = document.section(chart.section)
    value = chart.value_title or (document.label(chart.values[0]) if len(chart.values) == 1 else "")
    measured = unit(section.kinds[chart.values[0]])
    return document.label(chart.category), f"{value} ({measured})" if value and measured else value


ALL_HIDDEN = "Not drawn: every value counted is hidden by small-cell suppression."
SHARES_HIDDEN = "Not drawn: some shares are hidden by small-cell suppression, so the pie would misstate the rest."


def left_out(document, chart):
    """Why a chart whose section has rows is not drawn, in words; None when it is drawn or there is nothing to draw.

    The one reason is small-cell suppression: every value hidden (or 0), or any share of a pie.
    """
    categories, series = document.chart_data(chart)
    values = [value for _, column in series for value in column]
    hidden = [isinstance(value, HIDDEN) for value in values]
    if not categories or not any(hidden):
        return None
    if not any(value for value, is_hidden in zip(values, hidden, strict=True) if not is_hidden):
        return ALL_HIDDEN  # what is not hidden is 0: the chart would show nothing but what it must not
    return SHARES_HIDDEN if chart.kind == "pie" else None


def pie(labels, values, width, fills=None, donut=False, height=PIE_HEIGHT, font_size=8):
    """A pie (or a donut with the total inside) and a legend of each slice's share; None when all are zero."""
    labels, values, fills = _pie_slices(labels, values, fills or [palette(index) for index in range(len(values))])
    total = sum(values)
    if total <= 0:
        return None
    size = height - 20
    drawing = Drawing(width, height)
    chart = Pie()
    chart.x, chart.y, chart.width, chart.height = 20, 10, size, size
    chart.data = values
    chart.slices.strokeColor = colors.white
    chart.slices.strokeWidth = 1
    for index, fill in enumerate(fills):
        chart.slices[index].fillColor = fill
    drawing.add(chart)
    if donut:
        chart.innerRadiusFraction = 0.58
        total_size = size / 6
        middle = (20 + size / 2, 10 + size / 2 - total_size * 0.35)
        drawing.add(
            String(*middle, f"{total:,}", textAnchor="middle", fontName=FONT_BOLD, fontSize=total_size, fillColor=INK)
        )
    names = [f"{label}  ({value / total:.1%})" for label, value in zip(labels, values, strict=True)]
    drawing.add(_legend(names, fills, x=size + 50, y=height - 10, per_column=PIE_SLICES, font_size=font_size))
    return drawing


def _pie_slices(labels, values, fills):
    """At most PIE_SLICES slices: the largest, and the rest together as "Other"."""
    if len(values) <= PIE_SLICES:
        return labels, values, fills
    ranked = sorted(zip(values, labels, strict=True), key=lambda pair: pair[0], reverse=True)
    kept, rest = ranked[: PIE_SLICES - 1], ranked[PIE_SLICES - 1 :]
    return (
        [label for _, label in kept] + ["Other"],
        [value for value, _ in kept] + [sum(value for value, _ in rest)],
        fills[:PIE_SLICES],
    )


def xy_chart(kind, labels, series, width, rates=False, height=PLOT_HEIGHT, titles=("", ""), thinned=False, earlier=0):
    """A bar or line chart with a value grid, its axes titled by ``titles`` (category, value);
    a legend above it when there is more than one series. The last ``earlier`` series are an
    earlier period's: faded, and dashed lines.

    Labels too wide for their categories are turned, or, when ``thinned`` (steps of time, which
    read in order), only every n-th from the first is written, level. A line needs a point to
    draw: a series with none (all hidden or missing) is left out of a line chart.
    """
    styles = [
        (colour, index >= len(series) - earlier) for index, colour in enumerate(series_colours(len(series), earlier))
    ]
    if kind == "line":
        drawn = [any(value is not None for value in values) for _, values in series]
        series = [pair for pair, keep in zip(series, drawn, strict=True) if keep]
        styles = [style for style, keep in zip(styles, drawn, strict=True) if keep]
    paired = any(is_earlier for _, is_earlier in styles)  # the legend pairs each series with its earlier period's
    # Pairs stand one above the other, two pairs to a column, so that the long names fit side by side.
    legend_rows = (4 if len(series) > 4 else 2) if paired else 1
    legend_space = 12 + 12 * legend_rows if len(series) > 1 else 8
    category_title, value_title = titles
    left, bottom = (TITLE_SPACE if value_title else 0), (TITLE_SPACE if category_title else 0)
    plot = VerticalBarChart() if kind == "bar" else HorizontalLineChart()
    plot.width, plot.height = width - 60 - left, height
    longest = max(stringWidth(label, FONT, AXIS_FONT_SIZE) for label in labels)
    if thinned:
        labels = every_nth(labels, math.ceil(len(labels) * (longest + TICK_GAP) / plot.width))
    rotated = not thinned and longest > plot.width / len(labels) - 4
    plot.x, plot.y = 45 + left, bottom + (15 + longest * 0.6 if rotated else 25)
    if rotated:
        # The first label hangs left of its category: leave it room (cos 35° ≈ 0.82).
        overhang = stringWidth(labels[0], FONT, AXIS_FONT_SIZE) * 0.82 - plot.width / len(labels) / 2
        plot.x = max(plot.x, overhang + 5 + left)
        plot.width = width - plot.x - 15
    plot.data = [values for _, values in series]
    plot.categoryAxis.categoryNames = labels
    _style_axes(plot)
    if rotated:
        plot.categoryAxis.labels.angle = 35
        plot.categoryAxis.labels.boxAnchor = "ne"
    drawn = [value for _, values in series for value in values if value is not None]
    plot.valueAxis.valueMin = min([0, *drawn])
    if rates:
        plot.valueAxis.labelTextFormat = "{:.0%}".format
        if max(drawn, default=0) <= 1:
            plot.valueAxis.valueMax = 1
    else:
        _whole_steps(plot.valueAxis, drawn)
    for index, (color, is_earlier) in enumerate(styles):
        if kind == "bar":
            plot.bars[index].fillColor = color
            plot.bars[index].strokeColor = None
        else:
            plot.lines[index].strokeColor = color
            plot.lines[index].strokeWidth = 1.5 if is_earlier else 2
            if is_earlier:
                plot.lines[index].strokeDashArray = (3, 2)
            plot.lines[index].symbol = makeMarker("FilledCircle", fillColor=color, size=3 if is_earlier else 4)
    total_height = plot.y + plot.height + legend_space
    drawing = Drawing(width, total_height)
    drawing.add(plot)
    _axis_titles(drawing, plot, category_title, value_title)
    if len(series) > 1:
        entries = [(colour, name) for (colour, _), (name, _) in zip(styles, series, strict=True)]
        if paired:
            half = len(entries) - sum(is_earlier for _, is_earlier in styles)
            entries = [entry for pair in zip(entries[:half], entries[half:], strict=False) for entry in pair]
        fills, names = zip(*entries, strict=True)
        drawing.add(_legend(names, fills, x=plot.x, y=total_height - 8, per_column=legend_rows))
    return drawing


HEAT_EMPTY = colors.HexColor("#F4F6F8")
HEAT_HIDDEN = colors.HexColor("#D5DBE1")
HEAT_FULL = PALETTE[0]


def heatmap(labels, series, width, cell_height=HEAT_ROW_HEIGHT):
    """A grid: one row per label, one column per series, each cell shaded by its value.

    The darkest cell is the largest value; 0 is the palest shade; a hidden value is a grey
    cell with its marker left out, so no shade can tell it.
    """
    values = [value for _, column in series for value in column if value is not None]
    highest = max(values, default=0)
    if highest <= 0:
        return None
    label_width = max(stringWidth(label, FONT, AXIS_FONT_SIZE) for label in labels) + 6
    cell_width = (width - label_width - 10) / len(series)
    legend_height = 22
    height = legend_height + cell_height * (len(labels) + 1)
    drawing = Drawing(width, height)
    top = height - cell_height
    for column, (name, _) in enumerate(series):
        x = label_width + column * cell_width + cell_width / 2
        drawing.add(
            String(
                x,
                top + 4,
                short(name, max(3, int(cell_width // 4))),
                textAnchor="middle",
                fontName=FONT,
                fontSize=AXIS_FONT_SIZE,
            )
        )
    for row, label in enumerate(labels):
        y = top - (row + 1) * cell_height
        drawing.add(String(label_width - 4, y + 4, label, textAnchor="end", fontName=FONT, fontSize=AXIS_FONT_SIZE))
        for column, (_, cells) in enumerate(series):
            value = cells[row]
            fill = HEAT_HIDDEN if value is None else _shade(value / highest)
            x = label_width + column * cell_width
            drawing.add(Rect(x, y, cell_width, cell_height, fillColor=fill, strokeColor=colors.white, strokeWidth=1))
            if value is not None and cell_width >= 14:
                ink = colors.white if value / highest > 0.55 else INK
                drawing.add(
                    String(
                        x + cell_width / 2,
                        y + 4,
                        f"{value:,}",
                        textAnchor="middle",
                        fontName=FONT,
                        fontSize=min(AXIS_FONT_SIZE, cell_width / 3),
                        fillColor=ink,
                    )
                )
    for step in range(6):
        x = label_width + step * 24
        drawing.add(Rect(x, 4, 24, 8, fillColor=_shade(step / 5), strokeColor=None))
    drawing.add(String(label_width - 4, 5, "0", textAnchor="end", fontName=FONT, fontSize=AXIS_FONT_SIZE))
    drawing.add(String(label_width + 6 * 24 + 4, 5, f"{highest:,}", fontName=FONT, fontSize=AXIS_FONT_SIZE))
    return drawing


def _shade(fraction):
    """From the palest shade (0) to the palette's first colour (1)."""
    return colors.linearlyInterpolatedColor(HEAT_EMPTY, HEAT_FULL, 0, 1, fraction)


def horizontal_bars(labels, values, width, value_text=str, fill=PALETTE[0], font_size=9):
    """One bar per label, in the order given, each with its value printed after it."""
    if not values or max(values) <= 0:
        return None
    label_width = max(stringWidth(label, FONT, font_size) for label in labels) + 10
    bar_height = font_size * 2.2
    plot = HorizontalBarChart()
    plot.x, plot.y = label_width, 10
    plot.width, plot.height = width - label_width - 50, bar_height * len(values)
    plot.data = [list(reversed(values))]
    plot.categoryAxis.categoryNames = list(reversed(labels))
    _style_axes(plot)
    plot.categoryAxis.labels.fontSize = font_size
    plot.categoryAxis.visibleTicks = False
    plot.valueAxis.visible = False
    plot.valueAxis.valueMin = 0
    plot.bars[0].fillColor = fill
    plot.bars[0].strokeColor = None
    plot.barLabels.fontName, plot.barLabels.fontSize = FONT, font_size
    plot.barLabels.fillColor = INK
    plot.barLabels.boxAnchor = "w"
    plot.barLabels.dx = 4
    plot.barLabelFormat = value_text
    drawing = Drawing(width, plot.height + 20)
    drawing.add(plot)
    return drawing


def _axis_titles(drawing, plot, category_title, value_title):
    """The category axis's title centred under the chart, the value axis's read upwards at its left."""
    style = {"textAnchor": "middle", "fontName": FONT, "fontSize": AXIS_FONT_SIZE, "fillColor": MUTED}
    if category_title:
        drawing.add(String(plot.x + plot.width / 2, 3, short(category_title), **style))
    if value_title:
        upwards = Group(String(0, 0, short(value_title), **style))
        upwards.transform = (0, 1, -1, 0, AXIS_FONT_SIZE + 1, plot.y + plot.height / 2)
        drawing.add(upwards)


def _style_axes(plot):
    plot.categoryAxis.labels.fontName = plot.valueAxis.labels.fontName = FONT
    plot.categoryAxis.labels.fontSize = plot.valueAxis.labels.fontSize = AXIS_FONT_SIZE
    plot.categoryAxis.labels.fillColor = plot.valueAxis.labels.fillColor = INK
    plot.categoryAxis.strokeColor = plot.valueAxis.strokeColor = MUTED
    plot.valueAxis.rangeRound = "ceiling"
    plot.valueAxis.visibleGrid = True
    plot.valueAxis.gridStrokeColor = RULE
    plot.valueAxis.gridStrokeWidth = 0.4


def _whole_steps(axis, values):
    """Counts get whole-number ticks: no 0.5 of a visit on the axis."""
    highest = max(values, default=0)
    if all(float(value).is_integer() for value in values) and highest <= 5:
        axis.valueStep = 1
        axis.valueMax = max(highest, 1)


def _legend(names, fills, x, y, per_column, font_size=8):
    """A legend of names in the given colours, ``per_column`` entries down before the next column."""
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = FONT, font_size
    legend.fillColor = INK
    legend.columnMaximum = per_column
    legend.alignment = "right"
    legend.boxAnchor = "nw"
    legend.dx = legend.dy = 7
    legend.deltay = font_size * 1.5
    legend.strokeColor = None
    legend.colorNamePairs = list(zip(fills, names, strict=True))
    return legend


# --- the dashboard's charts ----------------------------------------------------


@dataclass
class PageChart:
    """A chart for the page: its drawing and a text alternative saying what it shows."""

    key: str
    title: str
    drawing: Drawing | None
    description: str
    left_out: str = ""  # why a chart with data is not drawn (``left_out``)

    def svg(self):
        return "" if self.drawing is None else svg(self.drawing, self.title, self.description)

    def as_dict(self):
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "svg": self.svg(),
            "left_out": self.left_out,
        }


def page_charts(document):
    """A report document's charts for the page (at ``PAGE_WIDTH``): those drawn, and those left out saying why."""
    shown = []
    for chart in document.charts:
        drawing = document_chart(document, chart, PAGE_WIDTH)
        categories, series = document.chart_data(chart)
        if drawing is not None:
            shown.append(PageChart(chart.key, chart.title, drawing, describe_series(categories, series)))
        elif reason := left_out(document, chart):
            shown.append(PageChart(chart.key, chart.title, None, reason, reason))
    return shown


def dashboard_charts(figures, series):
    """The System tab's charts from ``selectors.dashboard`` figures and ``selectors.dashboard_series``."""
    statuses = [(key, label, count) for key, label, count in series["by_status"] if count]
    days = series["daily"]
    formats = sorted(figures["by_format"].items(), key=lambda pair: (-pair[1], pair[0]))
    format_names = [FORMAT_NAMES.get(name, name) for name, _ in formats]
    popular = figures["popular_templates"]
    timings = series["generation_by_template"]
    return [
        PageChart(
            "status",
            "Reports by status",
            pie(
                [label for _, label, _ in statuses],
                [count for _, _, count in statuses],
                DASHBOARD_WIDTH,
                fills=[STATUS_COLORS[key] for key, _, _ in statuses],
                donut=True,
                height=DASHBOARD_HEIGHT - 40,
                font_size=DASHBOARD_FONT_SIZE,
            ),
            _describe((label, count) for _, label, count in statuses),
        ),
        PageChart(
            "daily",
            f"Reports requested in the last {len(days)} days",
            xy_chart(
                "bar",
                [day_label(day, index, len(days)) for index, (day, _) in enumerate(days)],
                [("Reports", [count for _, count in days])],
                DASHBOARD_WIDTH,
                height=DASHBOARD_HEIGHT - 60,
            )
            if any(count for _, count in days)
            else None,
            _describe((f"{day:%b} {day.day}", count) for day, count in days if count),
        ),
        PageChart(
            "popular_templates",
            "Most requested reports",
            horizontal_bars(
                [short(row["name"], 28) for row in popular],
                [row["count"] for row in popular],
                DASHBOARD_WIDTH,
            ),
            _describe((row["name"], row["count"]) for row in popular),
        ),
        PageChart(
            "formats",
            "Formats requested",
            pie(
                format_names,
                [count for _, count in formats],
                DASHBOARD_WIDTH,
                donut=True,
                height=DASHBOARD_HEIGHT - 40,
                font_size=DASHBOARD_FONT_SIZE,
            ),
            _describe(zip(format_names, (count for _, count in formats), strict=True)),
        ),
        PageChart(
            "generation_time",
            "Average generation time by report",
            horizontal_bars(
                [short(name, 28) for name, _ in timings],
                [seconds for _, seconds in timings],
                DASHBOARD_WIDTH,
                value_text=seconds_text,
                fill=PALETTE[1],
            ),
            _describe((name, seconds_text(seconds)) for name, seconds in timings),
        ),
    ]


def clinic_charts(figures, step):
    """A small trend chart of each clinic figure (``reports.clinic_figures``): a bar a step, none where hidden."""
    drawn = []
    for figure in figures:
        trend = figure["trend"]
        values = [point["value"] for point in trend]
        drawing = None
        if any(value is not None for value in values):
            labels = [point["label"] for point in trend]
            hidden = [point["suppressed"] for point in trend]
            drawing = trend_bars(labels, values, hidden, rates=figure["kind"] == RATE)
        description = _describe((point["label"], point["text"]) for point in trend)
        drawn.append(PageChart(figure["key"], f"{figure['label']} by {step}", drawing, description))
    return drawn


def every_nth(labels, every, from_last=False):
    """Every ``every``-th label, counted from the first (or the last), the others blank."""
    anchor = len(labels) - 1 if from_last else 0
    return [label if (index - anchor) % every == 0 else "" for index, label in enumerate(labels)]


def trend_bars(labels, values, hidden, rates=False, width=CLINIC_CHART_WIDTH, height=CLINIC_CHART_HEIGHT):
    """A small bar chart of a trend: a grey band behind each hidden step, so that it does not read as zero.

    At most ``CLINIC_TICKS`` labels, the last step's always, none rotated.
    """
    plot = VerticalBarChart()
    plot.x, plot.y = 34, 16
    plot.width, plot.height = width - plot.x - 16, height - plot.y - 8
    plot.data = [values]
    plot.categoryAxis.categoryNames = every_nth(labels, -(-len(labels) // CLINIC_TICKS), from_last=True)
    _style_axes(plot)
    plot.categoryAxis.labels.fontSize = plot.valueAxis.labels.fontSize = CLINIC_FONT_SIZE
    plot.valueAxis.valueMin = 0
    plot.valueAxis.maximumTicks = 4
    if rates:
        plot.valueAxis.labelTextFormat = "{:.0%}".format
        plot.valueAxis.valueMax, plot.valueAxis.valueStep = 1, 0.5
    else:
        _whole_steps(plot.valueAxis, [value for value in values if value is not None])
    plot.bars[0].fillColor = PALETTE[0]
    plot.bars[0].strokeColor = None
    drawing = Drawing(width, height)
    step = plot.width / len(values)
    for index in (index for index, is_hidden in enumerate(hidden) if is_hidden):
        drawing.add(
            Rect(plot.x + index * step + 1, plot.y, step - 2, plot.height, fillColor=HIDDEN_BAND, strokeColor=None)
        )
    drawing.add(plot)
    return drawing


def day_label(day, index, count):
    """Every DAY_LABEL_EVERY-th day (counting back from the last) as "Mar 5"; the others blank."""
    return f"{day:%b} {day.day}" if (count - 1 - index) % DAY_LABEL_EVERY == 0 else ""


def seconds_text(seconds):
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s" if seconds < 60 else f"{seconds / 60:.1f} min"


def describe_series(categories, series):
    """A chart's data in words: ``Jan: 3; Feb: 5``, or ``Jan: Medical 3, Dental 2; …`` for several series."""
    if len(series) == 1:
        return _describe(zip(categories, series[0][1], strict=True))
    return _describe(
        (category, ", ".join(f"{name} {values[index]}" for name, values in series))
        for index, category in enumerate(categories)
    )


def _describe(pairs):
    return "; ".join(f"{label}: {value}" for label, value in pairs) or "No reports yet."


# --- SVG for the page ----------------------------------------------------------


def svg(drawing, title, description=""):
    """A drawing as inline SVG markup that scales to its container and needs no inline styles.

    reportlab writes presentation as ``style`` attributes, which a Content Security
    Policy without ``'unsafe-inline'`` refuses; they become SVG presentation
    attributes here. No ids are written, so many charts can share one page.
    """
    canvas = renderSVG.SVGCanvas((drawing.width, drawing.height), useClip=True)
    renderSVG.draw(drawing, canvas)
    root = canvas.doc.documentElement
    for name in ("width", "height", "version", "xmlns:xlink"):
        root.removeAttribute(name)
    root.setAttribute("role", "img")
    root.setAttribute("class", "chart")
    for tag, text in (("title", title), ("desc", description)):
        node = root.getElementsByTagName(tag)[0]
        node.firstChild.data = text
    for element in root.getElementsByTagName("*"):
        for name in ("id", "clip"):
            if element.hasAttribute(name):
                element.removeAttribute(name)
        if element.hasAttribute("style"):
            for declaration in element.getAttribute("style").split(";"):
                name, _, value = declaration.partition(":")
                if name.strip() and value.strip():
                    element.setAttribute(name.strip(), value.strip())
            element.removeAttribute("style")
        if element.hasAttribute("font-family"):
            if "Bold" in element.getAttribute("font-family"):
                element.setAttribute("font-weight", "bold")
            element.setAttribute("font-family", SVG_FONT)
    return root.toxml()
