"""Hypothesis strategies of what a client may send the API: ids, dates, pages, filters, titles.

Shared by the in-process property tests (``test_no_server_errors``) and the live-server fuzz
(``tests/test_api_fuzz``). Each strategy mixes well-formed values with hostile ones.
"""

import datetime as dt
import json
import urllib.parse

from hypothesis import strategies as st

from reports import catalog

# Any text, with runs of controls, formatting characters (bidi overrides) and lone surrogates
# (which JSON escapes and UTF-8 cannot encode) mixed in often.
ANY_TEXT = st.lists(
    st.one_of(
        st.text(st.characters(exclude_categories=()), max_size=10),
        st.text(st.characters(categories=["Cc", "Cf"]), min_size=1, max_size=3),
        st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),
    ),
    max_size=4,
).map("".join)
# Text a URL can carry: no surrogates (they cannot be encoded).
URL_TEXT = st.text(max_size=40)
# A header value as WSGI hands it over: any byte, read as Latin-1.
HEADER_TEXT = st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=80)
AUTHORIZATIONS = st.one_of(
    HEADER_TEXT,
    st.builds("Token {}".format, HEADER_TEXT),
    st.builds("Token {}".format, st.text("0123456789abcdef", min_size=1, max_size=80)),
)

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT, inner, max_size=3),
    max_leaves=8,
)

# Digits of every script, superscripts and fractions (Unicode Nd, No), and ids of any size.
DIGITS = st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=6)
ID_TEXT = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    DIGITS,
    st.builds(lambda digit, count: digit * count, st.sampled_from("0123456789"), st.integers(19, 6000)),
    URL_TEXT,
)
IDS = st.one_of(
    ID_TEXT,
    st.lists(st.one_of(ID_TEXT, st.integers(1, 20).map(str)), max_size=120).map(",".join),
)


def offset_text(minutes):
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


OFFSETS = st.one_of(st.just(""), st.just("Z"), st.integers(-(24 * 60 - 1), 24 * 60 - 1).map(offset_text))
# The whole range Python can hold, its first and last days weighted: there a change of zone
# falls off the calendar.
MOMENTS = st.one_of(
    st.datetimes(),
    st.datetimes(max_value=dt.datetime(1, 1, 1, 23, 59, 59)),
    st.datetimes(min_value=dt.datetime(9999, 12, 31)),
)
DATETIME_TEXT = st.builds(lambda moment, offset: moment.isoformat() + offset, MOMENTS, OFFSETS)
DAY_TEXT = MOMENTS.map(lambda moment: moment.date().isoformat())
# Dates and datetimes with any offset a client may write, and text or JSON that is neither.
DATE_TEXT = st.one_of(DATETIME_TEXT, DAY_TEXT, URL_TEXT)
DATES = st.one_of(DATETIME_TEXT, DAY_TEXT, ANY_JSON)

PAGES = st.one_of(st.none(), st.integers(min_value=-(10**20), max_value=10**20).map(str), DIGITS, URL_TEXT)

EXPORT_FORMATS = st.one_of(st.sampled_from(["PDF", "EXCEL", "CSV", "JSON"]), JSON_SCALARS)
TITLES = st.one_of(st.just("Monthly report"), ANY_TEXT, st.text(min_size=190, max_size=210))


def _declared_filters():
    """Every filter some report type declares → its valid values (any text for a text filter)."""
    values = {}
    for report_type in catalog.all_types():
        for name, declaration in report_type.filters.items():
            choices = [value for value, _ in getattr(declaration, "choices", ())]
            values.setdefault(name, []).extend(choices or ["Engineering"])
    return values


FILTERS = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={name: st.sampled_from(valid) | ANY_TEXT | ANY_JSON for name, valid in _declared_filters().items()},
    ),
    ANY_JSON,
)
VALID_GENERATE_BODY = {"date_range_start": "2025-01-01", "date_range_end": "2025-01-31", "export_format": "JSON"}
HOSTILE_GENERATE_FIELDS = {
    "title": TITLES | JSON_SCALARS,
    "date_range_start": DATES,
    "date_range_end": DATES,
    "export_format": EXPORT_FORMATS,
    "filters": FILTERS,
    "suppress_small_counts": JSON_SCALARS,
    "compare_to": st.sampled_from(["none", "previous_period", "same_period_last_year"]) | ANY_TEXT | JSON_SCALARS,
}


@st.composite
def generate_bodies(draw):
    """A valid request with a few of its fields (often one) made hostile, so each reaches deep."""
    body = dict(VALID_GENERATE_BODY)
    for name in draw(st.sets(st.sampled_from(sorted(HOSTILE_GENERATE_FIELDS)), max_size=3)):
        body[name] = draw(HOSTILE_GENERATE_FIELDS[name])
    return body


GENERATE_BODIES = generate_bodies()
PERIODS = st.one_of(
    st.sampled_from(["previous_month", "last_30_days", "last_0_days", "last_99999_days", "last_12_complete_months"]),
    ANY_TEXT,
    JSON_SCALARS,
)
HOSTILE_PRESET_FIELDS = {
    "name": TITLES | JSON_SCALARS,
    "period": PERIODS,
    "sharing": st.sampled_from(["PRIVATE", "ROLE", "CLINIC"]) | ANY_TEXT | JSON_SCALARS,
    "shared_role": st.sampled_from(["NURSE", "STUDENT", ""]) | ANY_TEXT | JSON_SCALARS,
}


@st.composite
def preset_bodies(draw, templates):
    """A generate body made into a preset of one of ``templates`` (ids), a few fields made hostile."""
    body = {**draw(GENERATE_BODIES), "name": "Monthly", "template": draw(st.sampled_from(templates) | JSON_SCALARS)}
    body.pop("title", None)
    for name in draw(st.sets(st.sampled_from(sorted(HOSTILE_PRESET_FIELDS)), max_size=2)):
        body[name] = draw(HOSTILE_PRESET_FIELDS[name])
    return body


def json_body(value):
    """A request body as JSON text, lone surrogates escaped as a client may send them."""
    return json.dumps(value, ensure_ascii=True)


def query(**params):
    """``?a=1&b=2`` of the parameters that are not None ("" when none are)."""
    present = {key: value for key, value in params.items() if value is not None}
    return "?" + urllib.parse.urlencode(present) if present else ""


def path_segment(value):
    return urllib.parse.quote(str(value), safe="")
