"""OpenAPI descriptions shared by the API's views: error shapes, their codes and file responses."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from reports import renderers
from reports.api import errors

Detail = inline_serializer("Detail", {"detail": serializers.CharField()})
ValidationErrors = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description=(
        "Field name (or `non_field_errors`) → list of messages saying what is wrong; their codes"
        " (`required`, `invalid`, `range_order`, `unknown_filter`, ...) in the Error-Codes header."
    ),
)


def detail(description):
    return OpenApiResponse(response=Detail, description=description)


NOT_AUTHENTICATED = detail("Not logged in, or the token is invalid.")
FORBIDDEN = detail("Your role does not give access to this.")
NOT_FOUND = detail("No such object among those you may see.")
THROTTLED = detail("Too many requests (`throttled`); retry after the number of seconds in Retry-After.")
NO_SUCH_PAGE = detail("No such page (`invalid_page`: the page number is beyond the last page or not a number).")
TOO_LARGE = detail("The request body is larger than the API accepts (`too_large`).")

FILE_RESPONSES = {
    (200, file_type.content_type.split(";")[0]): OpenApiResponse(
        response=OpenApiTypes.BINARY, description=f"The report as {name}."
    )
    for name, file_type in renderers.FILE_TYPES.items()
}

ERROR_CODES = {
    "description": (
        "The error's stable codes: the body's structure as JSON, each message replaced by its code, "
        'e.g. `{"detail": "not_ready"}` or `{"date_range_end": ["range_order"]}`. Choose what to show '
        "by code; messages may change. Past 4 KB, each field lists its distinct codes instead. "
        "Besides DRF's (`required`, `invalid`, `invalid_choice`, `not_authenticated`, `permission_denied`, "
        "`not_found`, `throttled`, `parse_error`, ...): `invalid_page`, `too_large`, `not_ready`, "
        "`not_retryable`, `expired`, `file_unavailable`, `not_recorded`, `locked_out`, `invalid_credentials`, "
        "`range_order`, `range_too_long`, `range_in_future`, `impossible`, `out_of_range`, `unsupported_format`, "
        "`unknown_filter`, `invalid_filter`, `control_characters`, `markup`, `not_text`, `too_many`, `in_future`, "
        "`not_custom`."
    ),
    "schema": {"type": "string"},
}


def document_error_codes(result, generator, request, public):
    """Postprocessing hook: every error response (4xx, 5xx) declares the ``Error-Codes`` header."""
    result.setdefault("components", {}).setdefault("headers", {})["ErrorCodes"] = ERROR_CODES
    for operations in result["paths"].values():
        for operation in operations.values():
            for status_code, response in operation["responses"].items():
                if status_code[0] in "45":
                    response.setdefault("headers", {})[errors.HEADER] = {"$ref": "#/components/headers/ErrorCodes"}
    return result
