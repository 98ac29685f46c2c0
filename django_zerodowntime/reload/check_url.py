"""Ask the instance (e.g. its /healthz) whether the new release answers."""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests

from django_zerodowntime.reload.outcome import ExitCode, ReloadError

REQUEST_TIMEOUT = 2.0


@dataclass(frozen=True)
class UrlAnswer:
    status: int | None
    release: str | None
    error: str = ""

    def satisfies(self, expected_release: str | None) -> bool:
        if self.status != 200:
            return False
        return expected_release is None or self.release == expected_release

    def describe(self) -> str:
        if self.status is None:
            return self.error
        return f"HTTP {self.status}, releaseId {self.release!r}"


def ask(url: str) -> UrlAnswer:
    try:
        # Probes speak plain HTTP to the instance: say it was TLS at the proxy.
        response = requests.get(
            url,
            timeout=REQUEST_TIMEOUT,
            headers={"X-Forwarded-Proto": "https"},
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return UrlAnswer(None, None, f"{type(exc).__name__}: {exc}")
    release = None
    try:
        body = response.json()
        if isinstance(body, dict) and body.get("releaseId") is not None:
            release = str(body["releaseId"])
    except ValueError:
        pass
    return UrlAnswer(response.status_code, release)


def wait_for_release(url: str, expected_release: str | None, deadline: float) -> UrlAnswer:
    """Poll until ``url`` answers 200 (with the expected release); the last answer."""
    while True:
        answer = ask(url)
        if answer.satisfies(expected_release) or time.monotonic() >= deadline:
            return answer
        time.sleep(0.1)


def confirm_release(url: str | None, expected_release: str | None, deadline: float) -> str | None:
    """After an in-place turnover (hup, rolling): the release ``url`` reports.

    Nothing to roll back to by then, so a URL that never answers is a time-out.
    """
    if not url:
        return None
    answer = wait_for_release(url, expected_release, deadline)
    if not answer.satisfies(expected_release):
        raise ReloadError(
            ExitCode.TIMED_OUT,
            f"the workers turned over, but {url} never answered 200 with the expected "
            f"release ({expected_release}); last answer: {answer.describe()}.",
        )
    return answer.release
