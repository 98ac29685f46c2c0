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
from django_zerodowntime.health.drained import RESEND_META_KEY, drained_answer, is_guarded

GetResponse = Callable[[HttpRequest], Any]


def probe_request(meta: dict[str, Any], method: str) -> ProbeRequest:
    return ProbeRequest(method, str(meta.get("REMOTE_ADDR", "")), meta.get(TOKEN_META_KEY))


def to_django(response: ProbeResponse) -> HttpResponse:
    django_response = HttpResponse(response.body, status=response.status)
    if not any(name.lower() == "content-type" for name, _ in response.headers):
        del django_response["Content-Type"]  # the drained answer Nginx redirects has none
    for name, value in response.headers:
        django_response[name] = value
    # A draining instance answers 503 every probe: not an error worth a log line.
    django_response._has_been_logged = True  # type: ignore[attr-defined]
    return django_response


def server_forbids_hop_by_hop(meta: dict[str, Any]) -> bool:
    # wsgiref (runserver) raises on hop-by-hop headers set by the application.
    return str(meta.get("SERVER_SOFTWARE", "")).startswith("WSGIServer/")


def finish(meta: dict[str, Any], response: HttpResponseBase, draining: bool) -> HttpResponseBase:
    """The application's response, guarded (see ``drained``) and, while draining,
    asking keep-alive clients to reconnect (to another instance)."""
    if response.status_code == 503 and is_guarded(meta.get(RESEND_META_KEY)):
        response.status_code = 500
        response.reason_phrase = "Internal Server Error"
    if draining and "Connection" not in response and not server_forbids_hop_by_hop(meta):
        response["Connection"] = "close"
    return response


def drained(meta: dict[str, Any]) -> tuple[bool, HttpResponse | None]:
    """Whether the instance drains, and the drained answer if this request gets one."""
    draining = is_draining()
    resend = meta.get(RESEND_META_KEY)
    answer = drained_answer(resend) if draining and resend else None
    return draining, to_django(answer) if answer is not None else None


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
        draining, refused = drained(request.META)
        if refused is not None:
            return refused
        response = self.get_response(request)
        return finish(request.META, response, draining)

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        kind = probe_kind(request.path_info)
        if kind is not None:
            probe = probe_request(request.META, str(request.method))
            ready = answer_now(kind, probe)
            if ready is None:
                ready = await sync_to_async(answer, thread_sensitive=False)(kind, probe)
            return to_django(ready)
        draining, refused = drained(request.META)
        if refused is not None:
            return refused
        get_response: Callable[[HttpRequest], Awaitable[HttpResponseBase]] = self.get_response
        response = await get_response(request)
        return finish(request.META, response, draining)
