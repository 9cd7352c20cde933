"""Declarations of the filters a report type accepts, and their validation.

Each report module declares ``FILTERS``: a dict of name to ``ChoiceFilter`` or
``TextFilter``. The API validates requests against that declaration and
publishes it as ``allowed_filters``; every format, the preview and the report list
show a report's filters in words from it (``filter_labels``).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from reports import catalog
from reports.document import humanize


@dataclass(frozen=True)
class ChoiceFilter:
    choices: tuple  # (value, label) pairs
    label: str = ""

    def clean(self, value):
        values = [choice for choice, _ in self.choices]
        if not isinstance(value, str) or value not in values:
            raise ValidationError(f"Must be one of: {', '.join(values)}.")
        return value

    def text(self, value):
        """The label of the choice ``value``, or the value itself if it is not (or no longer) a choice."""
        return next((str(label) for choice, label in self.choices if choice == value), str(value))

    def describe(self):
        return {
            "type": "choice",
            "label": self.label,
            "choices": [{"value": value, "label": str(label)} for value, label in self.choices],
        }


@dataclass(frozen=True)
class TextFilter:
    max_length: int = 100
    label: str = ""

    def clean(self, value):
        if not isinstance(value, str):
            raise ValidationError("Must be text.")
        value = value.strip()
        if not value:
            raise ValidationError("Must not be blank.")
        if len(value) > self.max_length:
            raise ValidationError(f"Must be at most {self.max_length} characters.")
        if any(ord(character) < 32 for character in value):
            raise ValidationError("Must not contain control characters.")
        return value

    def text(self, value):
        return str(value)

    def describe(self):
        return {"type": "text", "label": self.label, "max_length": self.max_length}


def clean_filters(declared, filters):
    """Validated filters, or ``ValidationError`` with a message per offending key."""
    if filters in (None, ""):
        return {}
    if not isinstance(filters, dict):
        raise ValidationError("Must be an object of filter names to values.")
    errors = {}
    cleaned = {}
    for key, value in filters.items():
        declaration = declared.get(key)
        if declaration is None:
            allowed = ", ".join(sorted(declared)) or "none"
            errors[key] = [f"Unknown filter. Allowed filters: {allowed}."]
            continue
        if value is None or value == "":
            continue
        try:
            cleaned[key] = declaration.clean(value)
        except ValidationError as error:
            errors[key] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def describe_filters(declared):
    return {name: declaration.describe() for name, declaration in declared.items()}


def filter_labels(declared, filters):
    """``{name: {"label", "text"}}``: each of ``filters`` named and its value in words, as ``declared``.

    In the declaration's order (the form's), whatever the order they were given in; a filter no
    longer declared comes last, named by its key in words, its value as it is.
    """
    names = [name for name in declared if name in filters] + [name for name in filters if name not in declared]
    return {name: _labelled(declared.get(name), name, filters[name]) for name in names}


def report_filter_labels(report_type, filters):
    """``filter_labels`` as the report type under the key ``report_type`` declares them (none if it is gone)."""
    declared = catalog.REPORT_TYPES.get(report_type)
    return filter_labels(declared.filters if declared else {}, filters)


def _labelled(declaration, name, value):
    if declaration is None:
        return {"label": humanize(name), "text": str(value)}
    return {"label": declaration.label or humanize(name), "text": declaration.text(value)}
