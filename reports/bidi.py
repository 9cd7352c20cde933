"""Unicode bidirectional controls, stripped from text on output.

These invisible characters reorder what a reader sees: ``"Report\u202egnp.exe"`` shows as
``Reportexe.png``. They are removed, not replaced with U+FFFD: what remains is the text in the
order it was written, which is what it says, and right-to-left names still read correctly,
because their direction comes from their letters, not from these controls.
"""

# LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM, RLM; the Arabic letter mark.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_REMOVED = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi(text):
    """``text`` without bidirectional controls."""
    return text.translate(_REMOVED)


def strip_bidi_all(value):
    """``value`` with every string in it stripped, keys included, through dicts, lists and tuples."""
    if isinstance(value, str):
        return strip_bidi(value)
    if isinstance(value, dict):
        return {strip_bidi_all(key): strip_bidi_all(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strip_bidi_all(item) for item in value]
    return value
