"""The drained answer: a draining instance hands every new request back to Nginx.

Only for requests that come through an Nginx location that promised to send
them elsewhere: it says so with the request header ``X-Zerodowntime-Resend``
(``proxy_set_header``, so a client cannot set it through Nginx). While the
drain flag is set, the doors (the WSGI/ASGI wrappers, HealthMiddleware) answer
such a request here, before the application runs anything, so nothing was
done and sending it elsewhere is safe:

- header ``@location`` (the first hop): 503 with ``X-Accel-Redirect:
  @location``. Nginx moves past a 503 of an idempotent request by itself
  (``proxy_next_upstream http_503``) and sends any other request to that
  named location, which sends it again, body and all.
- header ``resent`` (that named location): a plain 503, which the location
  moves past (``proxy_next_upstream http_503 non_idempotent``).

That location would move past *any* 503, so an instance that is not
draining never answers 503 to a resent POST, PATCH or LOCK: an application's
own 503 there goes out as 500 (:func:`never_resent`), and no request that
the application has run is ever sent a second time.

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
RESENT = "resent"
MARKER = ("X-Zerodowntime-Drained", "1")
# What Nginx never sends twice by itself once it reached a server (ngx_http_upstream.c).
NON_IDEMPOTENT = frozenset({"POST", "PATCH", "LOCK"})
_NAMED_LOCATION = re.compile(r"^@[A-Za-z0-9_]{1,64}$")
_BODY = b"draining: this instance takes no new requests\n"


def drained_answer(resend: str | None) -> ProbeResponse | None:
    """The answer to a request while draining, or None to let the application answer it."""
    if resend == RESENT:
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(_BODY))),
            ("Retry-After", "1"),
            MARKER,
        ]
        return ProbeResponse(503, headers, _BODY)
    if resend and _NAMED_LOCATION.match(resend):
        # No Content-Type or Cache-Control: Nginx copies those onto the final answer.
        headers = [("X-Accel-Redirect", resend), ("Content-Length", "0"), MARKER]
        return ProbeResponse(503, headers, b"")
    return None


def is_guarded(method: str, resend: str | None) -> bool:
    """Whether an application 503 to this request must not reach Nginx as a 503."""
    return resend == RESENT and method in NON_IDEMPOTENT


def never_resent(start_response: Callable[..., Any]) -> Callable[..., Any]:
    """A WSGI start_response that turns an application 503 into a 500."""

    def guarded(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
        if status.startswith("503"):
            status = "500 Internal Server Error"
        return start_response(status, headers, *exc_info)

    return guarded
