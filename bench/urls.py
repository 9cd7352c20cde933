"""The project's URLs plus ``/bench/constant/``: the ceiling the status endpoint is compared with."""

from django.http import JsonResponse
from django.urls import path

from uscpis.urls import urlpatterns as project_urlpatterns

CONSTANT = {"id": 1, "status": "COMPLETED", "progress_percentage": 100, "error_message": ""}


def constant(request):
    """A bare Django view: constant JSON, no database, through the same middleware as the API."""
    return JsonResponse(CONSTANT)


urlpatterns = [path("bench/constant/", constant), *project_urlpatterns]
