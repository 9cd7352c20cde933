"""The project's URLs plus the ceilings the status endpoint is compared with.

``/bench/constant/`` is a bare Django view; ``/bench/constant-authenticated/`` returns
the same JSON through DRF with the API's own authentication and permission classes,
so the load part can tell token authentication's share (with DRF's own dispatch) from the status lookup's.
"""

from django.http import JsonResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from uscpis.urls import urlpatterns as project_urlpatterns

CONSTANT = {"id": 1, "status": "COMPLETED", "progress_percentage": 100, "error_message": ""}


def constant(request):
    """A bare Django view: constant JSON, no database, through the same middleware as the API."""
    return JsonResponse(CONSTANT)


class AuthenticatedConstant(APIView):
    """The same JSON behind the API's default authentication and permissions (the token lookup, no roles)."""

    def get(self, request):
        return Response(CONSTANT)


urlpatterns = [
    path("bench/constant/", constant),
    path("bench/constant-authenticated/", AuthenticatedConstant.as_view()),
    *project_urlpatterns,
]
