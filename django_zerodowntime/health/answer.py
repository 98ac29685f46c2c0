"""What a health path answers, independent of the door it came through.

The middleware and the WSGI/ASGI wrappers turn their request into a
:class:`ProbeRequest` and send back the :class:`ProbeResponse` built here, so
both doors give byte-for-byte the same answers.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from django_zerodowntime.conf import conf
from django_zerodowntime.health import checks
from django_zerodowntime.health.checks import Status
from django_zerodowntime.health.probe import Report, probe
from django_zerodowntime.release import current_release

Kind = Literal["liveness", "readiness"]
TOKEN_HEADER = "X-Health-Token"
TOKEN_META_KEY = "HTTP_X_HEALTH_TOKEN"
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS")
CONTENT_TYPE = "application/health+json"


@dataclass(frozen=True)
class ProbeRequest:
    method: str
    remote_addr: str = ""
    token: str | None = None


@dataclass(frozen=True)
class ProbeResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def status_line(self) -> str:
        return {200: "200 OK", 405: "405 Method Not Allowed", 503: "503 Service Unavailable"}[
            self.status
        ]


def probe_kind(path: str) -> Kind | None:
    if path == conf.LIVENESS_PATH:
        return "liveness"
    if path == conf.HEALTH_PATH:
        return "readiness"
    return None


def details_allowed(request: ProbeRequest) -> bool:
    setting = conf.HEALTH_DETAILS
    if not isinstance(setting, dict):
        return bool(setting)
    token = setting.get("token")
    if token and request.token and hmac.compare_digest(str(token), request.token):
        return True
    return _address_listed(request.remote_addr, setting.get("ips") or ())


def _address_listed(address: str, networks: Any) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(str(net), strict=False) for net in networks)


def only_draining(report: Report) -> bool:
    """Whether the drain flag is all that keeps this instance from being ready."""
    failing = [
        result
        for result in report.results
        if result.spec.critical and any(o.status is Status.FAIL for o in result.outcomes)
    ]
    return bool(failing) and all(result.spec.function is checks.drain for result in failing)


def render(report: Report, details: bool) -> dict[str, Any]:
    document: dict[str, Any] = {"status": str(report.status), "releaseId": current_release()}
    if only_draining(report):
        # Not a secret, and what a switch needs: ready the moment the flag goes.
        document["output"] = "draining"
    if details:
        checks: dict[str, list[dict[str, Any]]] = {}
        for result in report.results:
            entries = checks.setdefault(result.spec.name, [])
            for outcome in result.outcomes:
                entry: dict[str, Any] = {"status": str(outcome.status)}
                if outcome.component:
                    entry["componentId"] = outcome.component
                if outcome.output:
                    entry["output"] = outcome.output
                if not result.spec.critical:
                    entry["critical"] = False
                entries.append(entry)
        document["checks"] = checks
    return document


def respond(
    request: ProbeRequest, document: dict[str, Any], status: int, extra: list[tuple[str, str]]
) -> ProbeResponse:
    body = json.dumps(document, separators=(",", ":")).encode()
    headers = [
        ("Content-Type", CONTENT_TYPE),
        ("Cache-Control", "no-store"),
        ("Content-Length", str(len(body))),
        *extra,
    ]
    if request.method == "OPTIONS":
        headers.append(("Allow", ", ".join(ALLOWED_METHODS)))
    # HEAD keeps the GET's Content-Length but sends no body (RFC 9110 9.3.2).
    return ProbeResponse(status, headers, b"" if request.method == "HEAD" else body)


def method_not_allowed(request: ProbeRequest) -> ProbeResponse:
    document = {"status": "fail", "output": f"{request.method} not allowed"}
    return respond(request, document, 405, [("Allow", ", ".join(ALLOWED_METHODS))])


def from_report(request: ProbeRequest, report: Report) -> ProbeResponse:
    document = render(report, details_allowed(request))
    if report.status is Status.FAIL:
        retry = str(max(1, math.ceil(conf.HEALTH_CACHE_SECONDS)))
        return respond(request, document, 503, [("Retry-After", retry)])
    return respond(request, document, 200, [])


LIVE = Report(Status.PASS, ())


def answer(kind: Kind, request: ProbeRequest) -> ProbeResponse:
    """The full answer; may wait up to HEALTH_DEADLINE_SECONDS for readiness."""
    if request.method not in ALLOWED_METHODS:
        return method_not_allowed(request)
    return from_report(request, LIVE if kind == "liveness" else probe.report())


def answer_now(kind: Kind, request: ProbeRequest) -> ProbeResponse | None:
    """The answer if it needs no waiting (async doors call :func:`answer` in a thread
    otherwise)."""
    if request.method not in ALLOWED_METHODS:
        return method_not_allowed(request)
    report = LIVE if kind == "liveness" else probe.fresh_report()
    return None if report is None else from_report(request, report)
