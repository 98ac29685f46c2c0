"""``--check-url``: the instance itself must answer 200 with the expected release.

How the instance is asked (headers, redirects, timeout) is the shared policy
of ``django_zerodowntime.health_client``.
"""

from __future__ import annotations

import time

from django_zerodowntime.errors import ExitError
from django_zerodowntime.health_client import HealthReading, wait_until_ready
from django_zerodowntime.reload.outcome import ExitCode

# The new generation has just booted and the turnover is timed: ask often.
POLL_INTERVAL = 0.1


def wait_for_release(
    url: str, expected_release: str | None, deadline: float
) -> tuple[bool, HealthReading]:
    """Ask ``url`` until it answers 200 (with the expected release) or ``deadline``
    (``time.monotonic()``) passes; whether it did, and the last answer."""
    remaining = max(0.0, deadline - time.monotonic())
    return wait_until_ready(url, expected_release, remaining, interval=POLL_INTERVAL)


def confirm_release(url: str | None, expected_release: str | None, deadline: float) -> str | None:
    """After an in-place turnover (hup, rolling): the release ``url`` reports.

    Nothing to roll back to by then, so a URL that never answers is a time-out.
    """
    if not url:
        return None
    ready, answer = wait_for_release(url, expected_release, deadline)
    if not ready:
        raise ExitError(
            ExitCode.TIMED_OUT,
            f"the workers turned over, but {url} never answered 200 with the expected "
            f"release ({expected_release}); last answer: {answer.describe()}.",
        )
    return answer.release
