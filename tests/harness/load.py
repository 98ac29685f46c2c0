"""A load client that counts every failed request and every latency.

Threads of three kinds run until stop(): keep-alive (one connection reused),
fresh (a new connection per request) and slow (requests that stay in flight
for a while, to catch a retiring worker that drops them). An optional POST
thread writes through the ORM.

A failure is a connection error, a timeout or a 5xx. Two things real
clients do with keep-alive connections are done here too:
- before reusing an idle connection, look whether the server closed it
  meanwhile (readable while idle means EOF; urllib3's
  ``is_connection_dropped`` and browsers do the same) and reconnect if so;
- retry an idempotent request once on a fresh connection when the reused
  connection was closed before any byte of a response came back (RFC 9112,
  9.3.1), counted in ``stale_retries``. POSTs are never retried.
"""

from __future__ import annotations

import http.client
import select
import statistics
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

HTTPS_HEADERS = {"X-Forwarded-Proto": "https"}
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True)
class Sample:
    started: float  # time.monotonic()
    latency: float  # seconds
    status: int  # 0 when no response at all
    kind: str
    body: str = ""
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 500


def _closed_by_server(conn: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket that is readable has been closed by the server."""
    return conn.sock is not None and bool(select.select([conn.sock], [], [], 0)[0])


def percentile(values: Sequence[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@dataclass
class LoadReport:
    samples: list[Sample]
    stale_retries: int = 0

    def without(self, samples: Sequence[Sample]) -> LoadReport:
        """This report less the given samples (a failure a test explains away)."""
        dropped = {id(s) for s in samples}
        return LoadReport([s for s in self.samples if id(s) not in dropped], self.stale_retries)

    def window(self, start: float, end: float) -> LoadReport:
        """Only the requests that started between ``start`` and ``end`` (monotonic)."""
        return LoadReport([s for s in self.samples if start <= s.started <= end])

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
        return Counter(s.body for s in self.samples if s.body and not s.failed)

    def last_body(self, kind: str = "fresh") -> str:
        for sample in reversed(self.samples):
            if sample.kind == kind and not sample.failed:
                return sample.body
        return ""

    def summary(self) -> str:
        failures = Counter(f"{s.status or s.error}" for s in self.failures)
        return (
            f"{self.total} requests, {self.failed} failed {dict(failures) or ''}, "
            f"p50 {self.p50 * 1000:.0f} ms, p99 {self.p99 * 1000:.0f} ms, "
            f"max {self.max * 1000:.0f} ms"
        )


@dataclass
class LoadClient:
    base_url: str
    keepalive_threads: int = 2
    fresh_threads: int = 2
    slow_threads: int = 1
    post_threads: int = 0
    path: str = "/version/"
    slow_path: str = "/slow/?ms=300"
    post_path: str = "/posts/new/"
    headers: Mapping[str, str] = field(default_factory=lambda: dict(HTTPS_HEADERS))
    max_seconds: float = 300.0  # stops by itself even if stop() is never called
    timeout: float = 15.0
    pause: float = 0.0  # seconds between a thread's requests

    def __post_init__(self) -> None:
        parts = urlsplit(self.base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._samples: list[Sample] = []
        self._stale = 0
        self._threads: list[threading.Thread] = []

    def start(self) -> LoadClient:
        plan = (
            [("keepalive", self.path)] * self.keepalive_threads
            + [("fresh", self.path)] * self.fresh_threads
            + [("slow", self.slow_path)] * self.slow_threads
            + [("post", self.post_path)] * self.post_threads
        )
        self._deadline = time.monotonic() + self.max_seconds
        for kind, path in plan:
            thread = threading.Thread(target=self._run, args=(kind, path), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> LoadReport:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)
        with self._lock:
            return LoadReport(list(self._samples), self._stale)

    def snapshot(self) -> LoadReport:
        with self._lock:
            return LoadReport(list(self._samples), self._stale)

    def _record(self, sample: Sample) -> None:
        with self._lock:
            self._samples.append(sample)

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)

    def _run(self, kind: str, path: str) -> None:
        conn: http.client.HTTPConnection | None = None
        serial = 0
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            serial += 1
            if conn is not None and _closed_by_server(conn):
                conn.close()
                conn = None
            reused = conn is not None
            if conn is None:
                conn = self._connect()
            started = time.monotonic()
            try:
                status, body, closed = self._request(conn, kind, path, serial)
            except _STALE as exc:
                conn.close()
                conn = None
                if reused and kind != "post":
                    with self._lock:
                        self._stale += 1
                    continue  # retried on a fresh connection: see module docstring
                self._record(Sample(started, time.monotonic() - started, 0, kind, "", repr(exc)))
                continue
            except OSError as exc:
                conn.close()
                conn = None
                self._record(Sample(started, time.monotonic() - started, 0, kind, "", repr(exc)))
                continue
            self._record(Sample(started, time.monotonic() - started, status, kind, body))
            if closed or kind == "fresh":
                conn.close()
                conn = None
            if self.pause:
                time.sleep(self.pause)
        if conn is not None:
            conn.close()

    def _request(
        self, conn: http.client.HTTPConnection, kind: str, path: str, serial: int
    ) -> tuple[int, str, bool]:
        headers = dict(self.headers)
        if kind == "post":
            payload = f"title=load+{serial}".encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            conn.request("POST", path, body=payload, headers=headers)
        else:
            conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        raw = response.read()
        body = raw.decode(errors="replace")[:200] if kind != "post" else ""
        return response.status, body, response.will_close
