"""Ask an instance "are you healthy, and on which release?".

The one HTTP client of ``graceful_reload --check-url`` and ``switch_upstream``
(the target's wait and the confirmation through Nginx). Its policy, and why:

- A new connection per question, sent with ``Connection: close``: the answer
  comes from whoever serves *now* (after an Nginx reload only a new
  connection reaches its new workers), and a probe never keeps a worker's
  keep-alive slot.
- ``X-Forwarded-Proto: https``: the probe speaks plain HTTP to the instance,
  behind the proxy that ends TLS. With ``SECURE_SSL_REDIRECT`` on (as in the
  example project), a page asked without it answers 301.
- Redirects are never followed: a 301 is a failure for ALB and kamal-proxy
  (200 only), and following one would read another host's health.
- No proxy or ``.netrc`` from the environment: the question is about this
  instance, so it goes to it directly. The CA bundle an https URL is checked
  with still comes from ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE``, as in
  requests.
- Healthy means 200 exactly, the only answer every load balancer counts as
  up; the release is ``releaseId`` of a JSON object body, else unknown.
- Bounded: 2 s to connect and 2 s per read (an instance answers its health
  within ``HEALTH_DEADLINE_SECONDS``, 0.8 s by default), and at most 64 KiB
  of body is read.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

REQUEST_TIMEOUT = 2.0
BODY_LIMIT = 64 * 1024
HEADERS = {"X-Forwarded-Proto": "https", "Connection": "close"}


@dataclass(frozen=True)
class HealthReading:
    """One answer of a health endpoint (status 0 when nothing answered)."""

    status: int
    release: str | None = None
    error: str = ""
    output: str | None = None  # the body's "output", e.g. "draining"

    def is_ready(self, expect_release: str | None) -> bool:
        """200, and the expected release when one is expected."""
        if self.status != 200:
            return False
        return expect_release is None or self.release == expect_release

    def describe(self) -> str:
        if self.status == 0:
            return f"no answer ({self.error})"
        release = f", releaseId {self.release!r}" if self.release is not None else ""
        output = f", output {self.output!r}" if self.output is not None else ""
        return f"HTTP {self.status}{release}{output}"


Probe = Callable[[str], HealthReading]


def read_health(url: str, timeout: float = REQUEST_TIMEOUT) -> HealthReading:
    """GET ``url`` once, as the policy above says."""
    with requests.Session() as session:
        session.trust_env = False
        session.verify = _ca_bundle()
        try:
            with session.get(
                url, headers=HEADERS, timeout=timeout, allow_redirects=False, stream=True
            ) as response:
                body = _read_body(response)
        except requests.RequestException as error:
            return HealthReading(0, error=_describe_error(error))
    document = json_object(body)
    return HealthReading(
        response.status_code, text_of(document, "releaseId"), output=text_of(document, "output")
    )


def _ca_bundle() -> str | bool:
    # trust_env=False drops these too; an instance may have a private CA's certificate.
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


def _read_body(response: requests.Response) -> bytes:
    body = bytearray()
    for chunk in response.iter_content(chunk_size=8192):
        body += chunk
        if len(body) >= BODY_LIMIT:
            break
    return bytes(body[:BODY_LIMIT])


def _describe_error(error: requests.RequestException) -> str:
    # A malformed URL is the user's to fix, so say what is wrong with it; for network
    # errors the type (ConnectionError, ReadTimeout) says it, requests' text is long.
    if isinstance(error, ValueError):
        return f"{type(error).__name__}: {error}"
    return type(error).__name__


def json_object(body: bytes) -> dict[str, object]:
    """The body as a JSON object; empty for anything else."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
        return {}
    return document if isinstance(document, dict) else {}


def text_of(document: dict[str, object], key: str) -> str | None:
    value = document.get(key)
    return str(value) if value is not None else None


def wait_until_ready(
    url: str,
    expect_release: str | None,
    timeout: float,
    *,
    probe: Probe = read_health,
    interval: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[bool, HealthReading]:
    """Ask ``url`` until it is ready or ``timeout`` seconds have passed.

    Returns whether it became ready and the last reading (for the message).
    """
    deadline = clock() + timeout
    while True:
        reading = probe(url)
        if reading.is_ready(expect_release):
            return True, reading
        if clock() + interval > deadline:
            return False, reading
        sleep(interval)
