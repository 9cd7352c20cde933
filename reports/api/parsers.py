"""The API reads JSON only, of bounded size and depth, as Unicode text; too large a body is a 413."""

import json

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    """JSON bodies up to ``API_MAX_BODY_BYTES``; too deep nesting is a 400, not a crash.

    A string holding an unpaired surrogate escape (``"\\ud800"``) is a 400 too: it is not text,
    and neither the database nor a UTF-8 response could hold it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_BODY_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise RequestTooLarge(f"The request body must be at most {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(body.decode(encoding), parse_constant=_reject_constant)
            _check_text(data)
        except RecursionError as error:
            raise ParseError("The JSON is nested too deeply.") from error
        except UnicodeEncodeError as error:
            raise ParseError("The JSON holds an unpaired surrogate (\\ud800-\\udfff), which is not text.") from error
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError("The body is not valid JSON.") from error
        return data


def _check_text(data):
    """Raise UnicodeEncodeError if a string in ``data`` holds an unpaired surrogate."""
    json.dumps(data, ensure_ascii=False).encode("utf-8")


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")
