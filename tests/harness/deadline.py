"""How tightly the tests bound an answer that a deadline cuts short.

Past its deadline an answer still has to be built and sent, and on the shared
2-core test machine a thread may wait its turn for the CPU: these margins
cover that, and nothing else. An answer faster than its deadline would mean
the deadline was not what ended the wait, so the tests check that too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

IN_PROCESS_MARGIN = 0.25  # seconds: a direct call or Django's test client
OVER_HTTP_MARGIN = 0.5  # seconds: a request to a real Gunicorn worker on loopback


def timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def assert_cut_at(elapsed: float, deadline: float, margin: float) -> None:
    """The wait ended at the deadline: not before it, and not later than the margin."""
    assert deadline - 0.01 <= elapsed <= deadline + margin, (
        f"answered in {elapsed:.3f} s; the deadline is {deadline} s (+{margin} s margin)"
    )
