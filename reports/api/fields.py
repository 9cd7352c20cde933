"""Serializer fields for report parameters."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.periods import local_zone


@extend_schema_field(OpenApiTypes.DATE)
class LocalDateField(serializers.Field):
    """A calendar day as ``YYYY-MM-DD``; a full ISO datetime is read as its local day.

    Days before ``REPORT_EARLIEST_DATE`` or more than a year ahead are refused, and so is a
    datetime whose local day falls outside the calendar (year 1 or 9999 with an offset).
    """

    default_error_messages = {
        "invalid": "Enter a date as YYYY-MM-DD.",
        "impossible": "This date does not exist.",
        "out_of_range": "Enter a date between {earliest} and {latest}.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        text = data.strip()
        try:
            if len(text) == 10:
                day = dt.date.fromisoformat(text)
            else:
                moment = parse_datetime(text)
                if moment is None:
                    self.fail("invalid")
                if timezone.is_aware(moment):
                    moment = moment.astimezone(local_zone())
                day = moment.date()
        except OverflowError:
            day = None
        except ValueError:
            self.fail("impossible" if _looks_like_date(text) else "invalid")
        earliest = settings.REPORT_EARLIEST_DATE
        latest = timezone.localdate() + dt.timedelta(days=366)
        if day is None or not earliest <= day <= latest:
            self.fail("out_of_range", earliest=earliest.isoformat(), latest=latest.isoformat())
        return day

    def to_representation(self, value):
        return value.isoformat()


def _looks_like_date(text):
    parts = text[:10].split("-")
    return len(parts) == 3 and all(part.isdigit() for part in parts)


class PlainTextField(serializers.CharField):
    """Text that must arrive as a JSON string (a number or a list is an error, not coerced)."""

    default_error_messages = {"not_text": "Must be text."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false``: no strings, numbers or null read as booleans."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data
