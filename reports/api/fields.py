"""Serializer fields for report parameters."""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from reports.periods import local_zone

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


class LocalDateField(serializers.Field):
    """A calendar day as ``YYYY-MM-DD``; a full ISO datetime is read as its local day."""

    default_error_messages = {
        "invalid": "Enter a date as YYYY-MM-DD.",
        "impossible": "This date does not exist.",
        "out_of_range": "Enter a date between 1900-01-01 and 2100-12-31.",
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
        except ValueError:
            self.fail("impossible" if _looks_like_date(text) else "invalid")
        if not EARLIEST <= day <= LATEST:
            self.fail("out_of_range")
        return day

    def to_representation(self, value):
        return value.isoformat()


def _looks_like_date(text):
    parts = text[:10].split("-")
    return len(parts) == 3 and all(part.isdigit() for part in parts)
