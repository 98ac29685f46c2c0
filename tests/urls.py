from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

# Requests the views below ran, so a test can tell that a door answered before them.
RAN: list[str] = []


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


async def async_index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello async")


@csrf_exempt
def status(request: HttpRequest, code: int) -> HttpResponse:
    """Answers ``code`` to any method, after noting that it ran (a view that did work)."""
    RAN.append(f"{request.method} {request.path}")
    return HttpResponse("ran", status=code)


@csrf_exempt
async def async_status(request: HttpRequest, code: int) -> HttpResponse:
    RAN.append(f"{request.method} {request.path}")
    return HttpResponse("ran", status=code)


urlpatterns = [
    path("", index),
    path("async/", async_index),
    path("status/<int:code>/", status),
    path("async-status/<int:code>/", async_status),
]

if apps.is_installed("django.contrib.admin"):  # tests.settings; not releases/ or topology/
    from django.contrib import admin

    urlpatterns.append(path("admin/", admin.site.urls))
