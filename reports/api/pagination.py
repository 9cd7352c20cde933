"""Page-number pagination: 20 per page, ``?page_size=`` up to 100."""

from rest_framework import pagination
from rest_framework.exceptions import NotFound


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's, with the code ``invalid_page`` when the page does not exist (other 404s are ``not_found``)."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:
            raise NotFound(str(error.detail), code="invalid_page") from error
