"""The drained answer: a draining instance hands every new request back to Nginx.

Only for requests that come through an Nginx location that promised to send
them elsewhere: it says so with the request header ``X-Zerodowntime-Resend``
(``proxy_set_header``, so a client cannot set it through Nginx), naming the
location that resends. While the drain flag is set, the doors (the WSGI/ASGI
wrappers, HealthMiddleware) answer such a request here, before the
application runs anything, so nothing was done and sending it elsewhere is
safe: 503 with ``X-Accel-Redirect: <that location>``.

- First hop (``location /``, header ``@zerodowntime_resend``): Nginx moves
  past a 503 of an idempotent request by itself (``proxy_next_upstream
  http_503``); any other request follows the redirect to the location,
  which sends it again, body and all.
- In that location (header ``@zerodowntime_resend resent``): Nginx moves past
  the 503 to the next instance (``http_503 non_idempotent``). If every
  instance it tried drained at that moment (a switch happened between two
  of its tries), the redirect starts another round, where the instance that
  has just started serving answers it.

That location would move past *any* 503, so an instance that is not
draining never answers 503 to a resent request: an application's own 503
there goes out as 500 (:func:`never_resent`). So every 503 the location
moves past is a drained answer: no POST the application has run is ever
sent a second time, and no GET the application answers 503 goes round.

Requests without the header (other balancers, direct probes, an Nginx that
does not resend) are served as before: the application answers them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django_zerodowntime.health.answer import ProbeResponse

RESEND_HEADER = "X-Zerodowntime-Resend"
RESEND_META_KEY = "HTTP_X_ZERODOWNTIME_RESEND"
MARKER = ("X-Zerodowntime-Drained", "1")
_HEADER = re.compile(r"^(?P<location>@[A-Za-z0-9_]{1,64})(?P<resent> resent)?$")


def drained_answer(resend: str | None) -> ProbeResponse | None:
    """The answer to a request while draining, or None to let the application answer it."""
    match = _HEADER.match(resend or "")
    if match is None:
        return None
    # No Content-Type or Cache-Control: Nginx copies those onto the final answer.
    headers = [("X-Accel-Redirect", match["location"]), ("Content-Length", "0"), MARKER]
    return ProbeResponse(503, headers, b"")


def is_guarded(resend: str | None) -> bool:
    """Whether an application 503 to this request must not reach Nginx as a 503."""
    match = _HEADER.match(resend or "")
    return match is not None and bool(match["resent"])


def never_resent(start_response: Callable[..., Any]) -> Callable[..., Any]:
    """A WSGI start_response that turns an application 503 into a 500."""

    def guarded(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
        if status.startswith("503"):
            status = "500 Internal Server Error"
        return start_response(status, headers, *exc_info)

    return guarded
