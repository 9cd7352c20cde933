"""Template filters for text shown on the pages."""

from django import template

from reports.bidi import strip_bidi

register = template.Library()


@register.filter
def without_bidi(value):
    """The value as text without bidirectional controls (``reports.bidi``)."""
    return strip_bidi(str(value))
