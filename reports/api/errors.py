"""The API's errors: the body DRF has always sent, and their stable codes in the ``Error-Codes`` header.

The header holds the body's structure as JSON, each message replaced by its code:
``{"detail": "not_ready"}`` for ``{"detail": "The report is pending; ..."}``, and
``{"date_range_end": ["range_order"]}`` for a field's messages. Being outside the body, it cannot
collide with a field name. Clients choose what to show by code; the messages may change.
"""

import json

from django.core.exceptions import RequestDataTooBig
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.views import exception_handler as drf_exception_handler

from reports.api.parsers import RequestTooLarge

HEADER = "Error-Codes"
# Beyond this, each field's codes are listed without the keys a client chose (unknown filter names).
MAX_HEADER_LENGTH = 4096


class ServiceUnavailable(APIException):
    """503 with Retry-After: ``wait`` seconds."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The service is unavailable for the moment. Please try again shortly."
    default_code = "unavailable"

    def __init__(self, detail=None, code=None, wait=None):
        super().__init__(detail, code)
        self.wait = wait  # DRF's exception handler sends it as Retry-After


def exception_handler(exc, context):
    """DRF's handler, answering Django's body-size limit as a JSON 413, with the ``Error-Codes`` header."""
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    response = drf_exception_handler(exc, context)
    if response is not None:
        response[HEADER] = header_value(codes_of(response.data))
    return response


def codes_of(data):
    """``data`` with each message (DRF's ``ErrorDetail``) replaced by its code."""
    if isinstance(data, dict):
        return {key: codes_of(value) for key, value in data.items()}
    if isinstance(data, list):
        return [codes_of(value) for value in data]
    return getattr(data, "code", None)


def header_value(codes):
    text = _compact(codes)
    if len(text) > MAX_HEADER_LENGTH and isinstance(codes, dict):
        text = _compact({key: sorted(set(_flat(value))) for key, value in codes.items()})
    return text


def _compact(value):
    return json.dumps(value, separators=(",", ":"))


def _flat(codes):
    if isinstance(codes, dict):
        codes = list(codes.values())
    if isinstance(codes, list):
        return [code for value in codes for code in _flat(value)]
    return [codes]
