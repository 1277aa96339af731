"""The project's URLs plus the floor of the page benchmark: a view that makes no query, behind
the same middleware and session as every page."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from dpa_portal.urls import urlpatterns as project_urlpatterns


def floor_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench-floor/", floor_view), *project_urlpatterns]
