from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.urls import path


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


async def async_index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello async")


urlpatterns = [path("", index), path("async/", async_index)]

if apps.is_installed("django.contrib.admin"):  # tests.settings; not releases/ or topology/
    from django.contrib import admin

    urlpatterns.append(path("admin/", admin.site.urls))
