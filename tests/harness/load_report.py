"""What the load client saw: one :class:`Sample` per request, summed up in a :class:`LoadReport`."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.harness.load import Call


@dataclass(frozen=True)
class Sample:
    started: float  # time.monotonic()
    latency: float  # seconds
    status: int  # 0 when no response at all
    stream: str
    call: Call
    reused: bool  # sent on a keep-alive connection that had served a request before
    tag: str = ""  # unique per request: a POST sends it as its title
    body: str = ""
    error: str = ""
    bytes_received: int = 0  # of this response, when it failed
    timed_out: bool = False
    resent: bool = False  # the answer to a second sending (Resend.IDEMPOTENT only)

    @property
    def failed(self) -> bool:
        return self.status not in self.call.expect

    @property
    def method(self) -> str:
        return self.call.method

    @property
    def reason(self) -> str:
        return str(self.status) if self.status else self.error


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class LoadReport:
    samples: list[Sample]
    client: str = "idempotent"  # the client's Resend mode

    def where(self, keep: Callable[[Sample], bool]) -> LoadReport:
        return LoadReport([s for s in self.samples if keep(s)], self.client)

    def window(self, start: float, end: float) -> LoadReport:
        """Only the requests that started between ``start`` and ``end`` (monotonic)."""
        return self.where(lambda s: start <= s.started <= end)

    @property
    def total(self) -> int:
        return len(self.samples)

    @property
    def failures(self) -> list[Sample]:
        return [s for s in self.samples if s.failed]

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def resends(self) -> int:
        return sum(1 for s in self.samples if s.resent)

    def answered(self, method: str, status: int) -> int:
        return sum(1 for s in self.samples if s.method == method and s.status == status)

    def tags(self, method: str, status: int) -> list[str]:
        """The tags (POST titles) of the requests of ``method`` answered ``status``."""
        return [s.tag for s in self.samples if s.method == method and s.status == status]

    @property
    def latencies(self) -> list[float]:
        return [s.latency for s in self.samples if not s.failed]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else 0.0

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)

    @property
    def max(self) -> float:
        return max(self.latencies, default=0.0)

    @property
    def bodies(self) -> Counter[str]:
        return Counter(s.body for s in self.samples if s.method == "GET" and not s.failed)

    def last_body(self, stream: str = "get-new") -> str:
        for sample in reversed(self.samples):
            if sample.stream == stream and not sample.failed:
                return sample.body
        return ""

    def by_stream(self) -> dict[str, dict[str, Any]]:
        """Per stream: method, connection kind, requests, failures (by reason), resends."""
        table: dict[str, dict[str, Any]] = {}
        for sample in self.samples:
            row = table.setdefault(
                sample.stream,
                {"method": sample.method, "total": 0, "failed": 0, "resent": 0, "reasons": {}},
            )
            row["total"] += 1
            row["resent"] += sample.resent
            if sample.failed:
                row["failed"] += 1
                row["reasons"][sample.reason] = row["reasons"].get(sample.reason, 0) + 1
        return dict(sorted(table.items()))

    def summary(self) -> str:
        reasons = Counter(f"{s.stream}: {s.reason}" for s in self.failures)
        return (
            f"{self.total} requests, {self.failed} failed {dict(reasons) or ''}, "
            f"{self.resends} resent (client resends: {self.client}), "
            f"p50 {self.p50 * 1000:.0f} ms, p99 {self.p99 * 1000:.0f} ms, "
            f"max {self.max * 1000:.0f} ms"
        )


def assert_clean(report: LoadReport, *, max_resends: int = 0, min_total: int = 50) -> None:
    """No request failed, at most ``max_resends`` were sent a second time (by the
    browser-like client: idempotent ones on a stale keep-alive connection), and
    enough were sent for that to mean something."""
    print(report.summary())  # shown with -s or on failure: the figures behind the verdict
    assert report.total >= min_total, report.summary()
    assert report.failed == 0, f"{report.summary()}\n{report.failures[:5]}"
    assert report.resends <= max_resends, report.summary()
