"""The PDF's layout, read back word by word with pdfplumber: whole cells, table widths, headings, charts, footer."""

import datetime as dt
import io

import pdfplumber
import pytest
from django.conf import settings

from demo.seed import Volume, populate
from reports import catalog, charts
from reports.catalog.report_type import ReportParams
from reports.document import COUNT, DATE, RATE, TEXT, Chart, ReportDocument, Section
from reports.periods import Period
from reports.presentation import present
from reports.renderers import pdf
from reports.renderers.cells import filters_text, generated_text, period_text

TODAY = dt.date(2026, 6, 1)
YEAR = Period(dt.date(2025, 6, 1), dt.date(2026, 5, 31))
EMPTY_WEEK = Period(dt.date(2020, 1, 6), dt.date(2020, 1, 12))
REPORT_TYPES = sorted(catalog.REPORT_TYPES)
NOTICE = "Confidential \N{EM DASH} contains health information"
# Where the frame's text ends above the footer, from the top of the page.
FRAME_BOTTOM = pdf.BOTTOM_MARGIN + pdf.FRAME_PADDING


@pytest.fixture
def clinic_year(db):
    """A year and a half of demo clinic data for 80 patients, ending before TODAY, with 36 campaigns in the YEAR."""
    populate(Volume(patients=80, campaigns=36), TODAY - dt.timedelta(days=548), TODAY, seed=12)


def pages(content):
    """Each page's size and words (text, x0, x1, top, bottom, size), read with pdfplumber."""
    with pdfplumber.open(io.BytesIO(content)) as document:
        return [
            (page.width, page.height, page.extract_words(extra_attrs=["size", "fontname"])) for page in document.pages
        ]


def texts(words):
    return [word["text"] for word in words]


def written_words(document, page_count):
    """Every word the document gives the PDF to print, and the footer's."""
    zone = document.period.get("time_zone")
    period = period_text(document.period) + (f" ({zone})" if zone else "")
    written = [document.title, period, filters_text(document), generated_text(document), *document.notes]
    written += ["PERIOD FILTERS GENERATED RECORDS", present(COUNT, document.record_count).text]
    written += ["Summary Metric Value", pdf.EMPTY_SECTION, pdf.NOTHING_COUNTED, settings.REPORT_CONFIDENTIALITY_NOTICE]
    written += list(document.summary_groups)
    written += [
        f"{document.label(key)} {cell(document.summary_kinds[key], value)}" for key, value in document.summary.items()
    ]
    for section in document.sections:
        written += [section.title, *map(document.label, section.columns), *section_cells(section)]
    written += [f"Page {number} of {page_count}" for number in range(1, page_count + 1)]
    return {word for text in written for word in text.split()}


def cell(kind, value):
    return present(kind, value).text


def section_cells(section):
    kinds = [section.kinds[key] for key in section.columns]
    return [cell(kind, value) for row in section.rows for kind, value in zip(kinds, row, strict=True)]


def assert_every_word_whole(document):
    """Every word printed is a whole word of the document (a split leaves pieces that are not), and every cell's
    words of a table that counted something are printed, none past the right margin."""
    document.charts = []
    read = pages(pdf.render(document))
    printed = [word for _, _, words in read for word in words]
    pieces = {word["text"] for word in printed} - written_words(document, len(read))
    assert not pieces, f"split or unknown words: {sorted(pieces)[:20]}"
    tables = [] if document.is_empty else [section for section in document.sections if not section.is_empty]
    cells = {word for section in tables for text in section_cells(section) for word in text.split()}
    assert cells <= set(texts(printed))
    for width, _, words in read:
        assert all(word["x1"] <= width - pdf.MARGIN for word in words)
    return read


@pytest.mark.parametrize("report_type", REPORT_TYPES)
def test_every_report_types_pdf_prints_every_cell_whole_over_a_year(clinic_year, report_type):
    document = catalog.get(report_type).build(ReportParams(period=YEAR))
    assert any(section.rows for section in document.sections)
    assert_every_word_whole(document)


@pytest.mark.parametrize("report_type", REPORT_TYPES)
def test_every_report_types_pdf_prints_every_cell_whole_for_an_empty_week(db, report_type):
    assert_every_word_whole(catalog.get(report_type).build(ReportParams(period=EMPTY_WEEK)))


def test_the_campaign_table_of_a_busy_year_keeps_its_dates_numbers_and_words(clinic_year):
    document = catalog.get("CAMPAIGN_PERFORMANCE").build(ReportParams(period=YEAR))
    campaigns = document.section("campaigns")
    assert len(campaigns.rows) >= 30 and len(campaigns.columns) == 9
    printed = texts(word for _, _, words in assert_every_word_whole(document) for word in words)
    for word in ("Views", "Participants", "Vaccination", "Reach", campaigns.rows[0][2], campaigns.rows[-1][3]):
        assert word in printed


# --- wide and narrow tables --------------------------------------------------------------------

CAMPAIGN_COLUMNS = {
    "title": TEXT,
    "campaign_type": TEXT,
    "start_date": DATE,
    "end_date": DATE,
    "views": COUNT,
    "participants": COUNT,
    "attended": COUNT,
    "attendance_rate": RATE,
    "reach_rate": RATE,
}
CAMPAIGN_ROWS = [
    ["Blood Pressure Screening Week 2026", "Screening", "2026-04-21", "2026-05-21", 1234, 321, 300, 0.8, 0.107],
    ["Flu Vaccination Drive 2026 (2)", "Vaccination", "2026-04-28", "2026-05-08", 456, 37, 28, 0.934, 0.107],
]
MORE_COLUMNS = dict.fromkeys(("new_patients", "returning_patients", "referrals", "follow_ups", "no_shows"), COUNT)


def table_document(*sections, with_charts=()):
    return ReportDocument(
        report_type="TEST",
        title="Layout",
        generated_at="2026-06-01T09:30:00+08:00",
        period={"start": "2026-01-01", "end": "2026-05-31", "time_zone": "Asia/Manila"},
        filters={},
        record_count=2,
        summary={"campaigns": 2, "reach": 0.107},
        summary_kinds={"campaigns": COUNT, "reach": RATE},
        sections=list(sections),
        charts=list(with_charts),
    )


def sizes_of(read, text):
    return {word["size"] for _, _, words in read for word in words if word["text"] == text}


def test_a_table_too_wide_for_the_page_is_set_smaller_but_not_below_the_smallest_size():
    document = table_document(Section("campaigns", "Campaigns", CAMPAIGN_COLUMNS, CAMPAIGN_ROWS))
    read = assert_every_word_whole(document)
    assert all(width < height for width, height, _ in read)
    assert sizes_of(read, "2026-04-21") == sizes_of(read, "1,234")
    (size,) = sizes_of(read, "2026-04-21")
    assert pdf.FONT_SIZES[-1] <= size < pdf.FONT_SIZES[0]
    assert sizes_of(read, "Participants") == {size}
    assert sizes_of(read, "Metric") == {pdf.FONT_SIZES[0]}


def test_a_table_too_wide_even_in_small_type_turns_landscape_and_the_next_section_back():
    columns = {**CAMPAIGN_COLUMNS, **MORE_COLUMNS}
    wide = Section(
        "wide", "Campaigns and patients", columns, [[*row, 1234, 567, 89, 1011, 12] for row in CAMPAIGN_ROWS]
    )
    after = Section("after", "After", {"name": TEXT, "visits": COUNT}, [["Ana", 3]])
    read = assert_every_word_whole(table_document(wide, after))
    orientation = {
        heading: next(width > height for width, height, words in read if heading in texts(words))
        for heading in ("Summary", "patients", "After")
    }
    assert orientation == {"Summary": False, "patients": True, "After": False}


def right_edge(read, text):
    return max(word["x1"] for _, _, words in read for word in words if word["text"] == text)


def test_two_column_tables_are_as_wide_as_their_content_not_the_page():
    visits = Section("visits", "Visits by type", {"patient_type": TEXT, "visits": COUNT}, [["Student", 120]])
    read = assert_every_word_whole(table_document(visits))
    middle = pdf.LEFT + pdf.WIDTH / 2
    assert right_edge(read, "Value") < middle  # the summary's numbers
    assert right_edge(read, "Visits") < middle


# --- headings and charts where the page turns ----------------------------------------------------


def rows_section(key, title, count):
    return Section(
        key, title, {"case": TEXT, "visits": COUNT}, [[f"{key}-{number}", number] for number in range(count)]
    )


def page_of(read, text):
    return next(index for index, (_, _, words) in enumerate(read) if text in texts(words))


@pytest.mark.parametrize("before", range(30, 75, 3))
def test_a_heading_starts_a_page_unless_the_first_rows_of_its_table_fit_under_it(before):
    document = table_document(rows_section("A", "First", before), rows_section("B", "Second", 40))
    read = pages(pdf.render(document))
    heading = page_of(read, "Second")
    assert [page_of(read, f"B-{number}") for number in range(pdf.OPENING_ROWS)] == [heading] * pdf.OPENING_ROWS


@pytest.mark.parametrize("before", range(30, 75, 3))
def test_a_short_table_stays_whole_under_its_heading(before):
    document = table_document(rows_section("A", "First", before), rows_section("B", "Second", 6))
    read = pages(pdf.render(document))
    assert {page_of(read, f"B-{number}") for number in range(6)} == {page_of(read, "Second")}


def room_after(read, text):
    """The page of the word ``text`` and the room left under it in the frame."""
    page = page_of(read, text)
    _, height, words = read[page]
    return page, height - FRAME_BOTTOM - max(word["bottom"] for word in words if word["text"] == text)


def test_a_long_table_starts_under_its_heading_in_the_rest_of_the_page_rather_than_leaving_it_empty():
    started = 0
    for before in range(5, 35, 3):
        read = pages(pdf.render(table_document(rows_section("A", "First", before), rows_section("B", "Second", 30))))
        page, room = room_after(read, f"A-{before - 1}")
        if room > 120:
            assert page_of(read, "Second") == page_of(read, "B-0") == page, before
            started += 1
    assert started


def chart_heights(document, chart):
    """The chart with its title as drawn in full and in its compact form."""
    title = pdf.CHART_TITLE.leading + pdf.CHART_TITLE.spaceBefore
    full = charts.document_chart(document, chart, pdf.WIDTH).height
    compact = charts.document_chart(document, chart, pdf.WIDTH, scale=pdf.COMPACT_CHART).height
    return title + full, title + compact


def test_a_chart_without_room_for_its_full_height_is_drawn_lower_on_the_same_page():
    chart = Chart("visits", "Histogram", "bar", "A", "case", ["visits"])
    squeezed = 0
    for count in range(30, 60):
        document = table_document(rows_section("A", "Cases", count), with_charts=[chart])
        full, compact = chart_heights(document, chart)
        read = pages(pdf.render(document))
        last, room = room_after(read, f"A-{count - 1}")
        if compact + 10 < room:
            assert page_of(read, "Histogram") == last, count
            squeezed += room < full
    assert squeezed  # some tables left room for the compact chart only


# --- the footer ----------------------------------------------------------------------------------


def footers(read):
    """The text of each page's footer: the words below the frame."""
    return [" ".join(texts(w for w in words if w["top"] > height - FRAME_BOTTOM)) for _, height, words in read]


def long_document():
    return table_document(rows_section("A", "Cases", 150))


def test_every_page_says_page_n_of_m_and_that_it_is_confidential():
    read = pages(pdf.render(long_document()))
    assert len(read) >= 3
    for number, footer in enumerate(footers(read), start=1):
        assert f"Page {number} of {len(read)}" in footer
        assert NOTICE in footer
        assert "Layout" in footer


def test_the_confidentiality_notice_is_a_setting(settings):
    settings.REPORT_CONFIDENTIALITY_NOTICE = "Internal: board members only"
    assert all("Internal: board members only" in footer for footer in footers(pages(pdf.render(long_document()))))
    settings.REPORT_CONFIDENTIALITY_NOTICE = ""
    read = pages(pdf.render(long_document()))
    assert not any("Confidential" in footer or "Internal" in footer for footer in footers(read))
    assert f"Page {len(read)} of {len(read)}" in footers(read)[-1]
