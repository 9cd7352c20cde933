"""OpenAPI descriptions shared by the API's views: error shapes and file responses."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

from reports import renderers

Detail = inline_serializer("Detail", {"detail": serializers.CharField()})
ValidationErrors = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Field name (or `non_field_errors`) → list of messages saying what is wrong.",
)


def detail(description):
    return OpenApiResponse(response=Detail, description=description)


NOT_AUTHENTICATED = detail("Not logged in, or the token is invalid.")
FORBIDDEN = detail("Your role does not give access to this.")
NOT_FOUND = detail("No such object among those you may see.")
THROTTLED = detail("Too many requests; retry after the number of seconds in Retry-After.")
NO_SUCH_PAGE = detail("No such page (the page number is beyond the last page or not a number).")
TOO_LARGE = detail("The request body is larger than the API accepts.")

FILE_RESPONSES = {
    (200, file_type.content_type.split(";")[0]): OpenApiResponse(
        response=OpenApiTypes.BINARY, description=f"The report as {name}."
    )
    for name, file_type in renderers.FILE_TYPES.items()
}
