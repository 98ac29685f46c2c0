"""A strict load client: every request declares the statuses it expects.

Streams of requests run in threads until stop(). Each stream sends one kind
of request (a :class:`Call`: method, path, body, expected statuses) on a
keep-alive connection it reuses or on a new connection per request. Anything
but an expected status is a failure: a 301, a 404, a 5xx, no response, a
time-out. The report (:mod:`tests.harness.load_report`) counts failures and
resends per stream.

Two clients, chosen with ``resend``:

- ``Resend.IDEMPOTENT`` (what browsers and urllib3 do with idempotent
  requests): a GET/HEAD/OPTIONS/PUT/DELETE sent on a *reused* keep-alive
  connection that the server closed before any byte of the response came
  back is sent once more on a new connection (RFC 9112, 9.3.1). Counted in
  ``resends``; nothing else is ever sent twice.
- ``Resend.NEVER`` (an API client, a webhook sender, a payment callback):
  nothing is ever sent twice; such a request is a failure.

Both look at an idle keep-alive connection before reusing it and open a new
one if the server has closed it meanwhile (urllib3's ``is_connection_dropped``;
browsers do the same): that is not a resend, nothing was sent.
"""

from __future__ import annotations

import enum
import http.client
import io
import select
import socket
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tests.harness.load_report import LoadReport, Sample

HTTPS_HEADERS = {"X-Forwarded-Proto": "https"}
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


class Resend(enum.Enum):
    IDEMPOTENT = "idempotent"
    NEVER = "never"


@dataclass(frozen=True)
class Call:
    """One kind of request and the statuses it may get back."""

    method: str
    path: str
    expect: frozenset[int]
    body_size: int = 0  # a form body ``title=<unique>&filler=...`` of about this many bytes
    slow_body_seconds: float = 0.0  # the body arrives in pieces over this long

    @property
    def idempotent(self) -> bool:
        return self.method in IDEMPOTENT

    def body(self, tag: str) -> bytes:
        if self.method in ("GET", "HEAD"):
            return b""
        text = f"title={tag}"
        if self.body_size > len(text):
            text += "&filler=" + "x" * (self.body_size - len(text) - 8)
        return text.encode()


def get(path: str = "/version/", expect: Sequence[int] = (200,)) -> Call:
    return Call("GET", path, frozenset(expect))


def post(
    path: str = "/posts/new/",
    expect: Sequence[int] = (201,),
    body_size: int = 0,
    slow_body_seconds: float = 0.0,
) -> Call:
    return Call("POST", path, frozenset(expect), body_size, slow_body_seconds)


@dataclass(frozen=True)
class Stream:
    """``threads`` threads sending ``call``, reusing their connection or not."""

    name: str
    call: Call
    keepalive: bool = True
    threads: int = 1


def streams(
    keepalive: int = 2, new: int = 2, slow: int = 1, posts: int = 0, slow_ms: int = 300
) -> tuple[Stream, ...]:
    """The usual mix: GETs on keep-alive and new connections, slow GETs, POSTs (keep-alive)."""
    plan = [
        Stream("get-keepalive", get(), True, keepalive),
        Stream("get-new", get(), False, new),
        Stream("slow-get", get(f"/slow/?ms={slow_ms}"), True, slow),
        Stream("post-keepalive", post(), True, posts),
    ]
    return tuple(stream for stream in plan if stream.threads)


def api_streams(slow_ms: int = 300) -> tuple[Stream, ...]:
    """Every kind an API client sends: GET and POST on keep-alive and new connections,
    a slow GET, and a POST whose 20 kB body arrives over 0.3 s (so Nginx buffers it
    in a temp file)."""
    return (
        Stream("get-keepalive", get(), True, 2),
        Stream("get-new", get(), False, 1),
        Stream("slow-get", get(f"/slow/?ms={slow_ms}"), True, 1),
        Stream("post-keepalive", post(), True, 2),
        Stream("post-new", post(), False, 1),
        Stream("post-slow-body", post(body_size=20_000, slow_body_seconds=0.3), True, 1),
    )


class _CountingSocket:
    """A socket whose responses are read through :meth:`makefile`, counting every
    byte received, so a failure can tell whether any byte of a response came back."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.received = 0

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        count = self.sock.recv_into(buffer, nbytes, flags)
        self.received += count
        return count

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        # Like socket.makefile: the socket stays open until the reader is closed too,
        # so a response with "Connection: close" can be read after close().
        self.sock._io_refs += 1  # type: ignore[attr-defined]
        return io.BufferedReader(socket.SocketIO(self, "rb"))  # type: ignore[arg-type]

    def _decref_socketios(self) -> None:
        self.sock._decref_socketios()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sock, name)


class _Connection(http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self.sock = _CountingSocket(self.sock)  # type: ignore[assignment]


def _closed_by_server(conn: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket that is readable has been closed by the server."""
    return conn.sock is not None and bool(select.select([conn.sock], [], [], 0)[0])


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return "timeout"
    return f"{type(error).__name__}: {error}"[:160]


@dataclass
class Session:
    """One client connection (at most one open at a time) and what it sends."""

    host: str
    port: int
    resend: Resend = Resend.IDEMPOTENT
    timeout: float = 15.0
    headers: Mapping[str, str] = field(default_factory=lambda: dict(HTTPS_HEADERS))
    conn: _Connection | None = None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def send(self, stream: str, call: Call, tag: str, keepalive: bool = True) -> Sample:
        if self.conn is not None and _closed_by_server(self.conn):
            self.close()
        reused = self.conn is not None
        started = time.monotonic()
        sample = self._attempt(stream, call, tag, reused, started)
        if (
            sample.status == 0
            and reused
            and not sample.bytes_received
            and not sample.timed_out
            and call.idempotent
            and self.resend is Resend.IDEMPOTENT
        ):
            sample = self._attempt(stream, call, tag, False, started, resent=True)
        if not keepalive:
            self.close()
        return sample

    def _attempt(
        self, stream: str, call: Call, tag: str, reused: bool, started: float, resent: bool = False
    ) -> Sample:
        if self.conn is None:
            self.conn = _Connection(self.host, self.port, timeout=self.timeout)
        conn = self.conn
        counter: _CountingSocket | None = None
        before = 0
        try:
            if conn.sock is None:
                conn.connect()
            counter = conn.sock  # type: ignore[assignment]
            before = counter.received if counter is not None else 0
            self._write(conn, call, tag)
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            received = counter.received - before if counter is not None else 0
            self.close()
            timed_out = isinstance(error, TimeoutError | socket.timeout)
            return Sample(
                started, time.monotonic() - started, 0, stream, call, reused, tag,
                error=_describe(error), bytes_received=received, timed_out=timed_out,
                resent=resent,
            )  # fmt: skip
        if response.will_close:
            self.close()
        return Sample(
            started, time.monotonic() - started, response.status, stream, call, reused, tag,
            body=body.decode(errors="replace")[:200], resent=resent,
        )  # fmt: skip

    def _write(self, conn: http.client.HTTPConnection, call: Call, tag: str) -> None:
        body = call.body(tag)
        conn.putrequest(call.method, call.path, skip_accept_encoding=True)
        for name, value in self.headers.items():
            conn.putheader(name, value)
        if body or call.method not in ("GET", "HEAD"):
            conn.putheader("Content-Type", "application/x-www-form-urlencoded")
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if not call.slow_body_seconds:
            if body:
                conn.send(body)
            return
        pieces = 4
        step = -(-len(body) // pieces)
        for start in range(0, len(body), step):
            time.sleep(call.slow_body_seconds / pieces)
            conn.send(body[start : start + step])


@dataclass
class LoadClient:
    base_url: str
    streams: Sequence[Stream] = field(default_factory=streams)
    resend: Resend = Resend.IDEMPOTENT
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
        self._threads: list[threading.Thread] = []

    def start(self) -> LoadClient:
        self._deadline = time.monotonic() + self.max_seconds
        for stream in self.streams:
            for number in range(stream.threads):
                thread = threading.Thread(target=self._run, args=(stream, number), daemon=True)
                thread.start()
                self._threads.append(thread)
        return self

    def stop(self) -> LoadReport:
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)
        return self.snapshot()

    def snapshot(self) -> LoadReport:
        with self._lock:
            return LoadReport(list(self._samples), self.resend.value)

    def _run(self, stream: Stream, number: int) -> None:
        session = Session(self._host, self._port, self.resend, self.timeout, self.headers)
        serial = 0
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            serial += 1
            sample = session.send(
                stream.name, stream.call, f"load-{stream.name}-{number}-{serial}", stream.keepalive
            )
            with self._lock:
                self._samples.append(sample)
            if self.pause:
                time.sleep(self.pause)
        session.close()
