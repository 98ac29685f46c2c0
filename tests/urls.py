from django.http import HttpRequest, HttpResponse
from django.urls import path


def index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello")


async def async_index(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello async")


urlpatterns = [path("", index), path("async/", async_index)]
