"""HealthMiddleware: the health answers for projects that cannot touch ``wsgi.py``.

Placed first in MIDDLEWARE it answers before SecurityMiddleware (SSL
redirect), CommonMiddleware (host validation, APPEND_SLASH), sessions and
auth. It still pays for Django's request handling; the wrappers in
``health.wsgi`` answer earlier and cost far less.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from django_zerodowntime.health.answer import (
    TOKEN_META_KEY,
    ProbeRequest,
    ProbeResponse,
    answer,
    answer_now,
    probe_kind,
)
from django_zerodowntime.health.drain import is_draining

GetResponse = Callable[[HttpRequest], Any]


def probe_request(meta: dict[str, Any], method: str) -> ProbeRequest:
    return ProbeRequest(method, str(meta.get("REMOTE_ADDR", "")), meta.get(TOKEN_META_KEY))


def to_django(response: ProbeResponse) -> HttpResponse:
    django_response = HttpResponse(response.body, status=response.status)
    for name, value in response.headers:
        django_response[name] = value
    # A draining instance answers 503 every probe: not an error worth a log line.
    django_response._has_been_logged = True  # type: ignore[attr-defined]
    return django_response


def server_forbids_hop_by_hop(meta: dict[str, Any]) -> bool:
    # wsgiref (runserver) raises on hop-by-hop headers set by the application.
    return str(meta.get("SERVER_SOFTWARE", "")).startswith("WSGIServer/")


def close_while_draining(meta: dict[str, Any], response: HttpResponseBase) -> HttpResponseBase:
    """Ask keep-alive clients to reconnect (to another instance) while draining."""
    if "Connection" not in response and not server_forbids_hop_by_hop(meta) and is_draining():
        response["Connection"] = "close"
    return response


class HealthMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.async_mode:
            return self.__acall__(request)
        kind = probe_kind(request.path_info)
        if kind is not None:
            return to_django(answer(kind, probe_request(request.META, str(request.method))))
        response = self.get_response(request)
        return close_while_draining(request.META, response)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        kind = probe_kind(request.path_info)
        if kind is not None:
            probe = probe_request(request.META, str(request.method))
            ready = answer_now(kind, probe)
            if ready is None:
                ready = await sync_to_async(answer, thread_sensitive=False)(kind, probe)
            return to_django(ready)
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        response = await get_response(request)
        return close_while_draining(request.META, response)
