"""The load client itself, against a tiny real HTTP server that misbehaves on purpose.

The client decides what the deploy tests prove, so it must catch what a user
would see: a 301 or a 404 where a page was expected, a POST reset on a reused
keep-alive connection, a response cut short, a time-out. And it may send a
request twice only where browsers do: an idempotent one, on a reused
keep-alive connection that closed before any byte of the response came back.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.harness.load import LoadClient, Resend, Session, Stream, get, post


@dataclass
class Seen:
    method: str
    path: str
    connection: int  # which connection, counted from 1
    number: int  # which request on that connection, counted from 1
    body: bytes
    body_seconds: float  # from the end of the headers to the end of the body


@dataclass
class TinyServer:
    """HTTP/1.1 on loopback; what it answers depends on the path and on how many
    requests the connection has carried:

    ``/ok`` 200, ``/close`` 200 with ``Connection: close``, ``/created`` 201,
    ``/moved`` 301, ``/missing`` 404, ``/sleep`` 200 after 1 s; ``/reset-second``
    answers the first request of a connection and resets the connection on the
    second one without a byte of answer (what a reloading Nginx does to a request
    sent on an idle keep-alive connection); ``/partial-second`` sends part of a
    status line before that reset.
    """

    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with self.lock:
                self.connections += 1
                number = self.connections
            threading.Thread(target=self._serve, args=(conn, number), daemon=True).start()

    def _serve(self, conn: socket.socket, connection: int) -> None:
        with contextlib.suppress(OSError):  # the client may be gone: not this server's business
            self._converse(conn, connection)

    def _converse(self, conn: socket.socket, connection: int) -> None:
        reader = conn.makefile("rb")
        number = 0
        with conn:
            while True:
                request_line = reader.readline()
                if not request_line:
                    return
                number += 1
                method, path, _ = request_line.decode().split(" ", 2)
                length = 0
                while (line := reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode().partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                started = time.monotonic()
                body = reader.read(length) if length else b""
                seen = Seen(method, path, connection, number, body, time.monotonic() - started)
                with self.lock:
                    self.seen.append(seen)
                if not self._answer(conn, seen):
                    return

    def _answer(self, conn: socket.socket, seen: Seen) -> bool:
        if seen.path in ("/reset-second", "/partial-second") and seen.number > 1:
            if seen.path == "/partial-second":
                conn.sendall(b"HTTP/1.1 200 O")
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False  # closing with SO_LINGER 0 sends a reset
        if seen.path == "/sleep":
            time.sleep(1)
        status = {"/moved": 301, "/missing": 404, "/created": 201}.get(seen.path, 200)
        if seen.path == "/reset-second" and seen.method == "POST":
            status = 201
        close = "Connection: close\r\n" if seen.path == "/close" else ""
        conn.sendall(
            f"HTTP/1.1 {status} X\r\nContent-Length: 2\r\nLocation: /ok\r\n{close}\r\n".encode()
        )
        if close:
            time.sleep(0.05)  # the body comes after the client has closed its end
        conn.sendall(b"ok")
        return not close

    def close(self) -> None:
        self.listener.close()

    def requests_to(self, path: str) -> list[Seen]:
        with self.lock:
            return [s for s in self.seen if s.path == path]


@pytest.fixture
def server() -> Iterator[TinyServer]:
    tiny = TinyServer()
    yield tiny
    tiny.close()


def session(server: TinyServer, resend: Resend, timeout: float = 5.0) -> Session:
    return Session("127.0.0.1", server.port, resend, timeout)


@pytest.mark.parametrize(("path", "status"), [("/moved", 301), ("/missing", 404)])
@pytest.mark.parametrize("resend", list(Resend))
def test_a_status_the_request_did_not_expect_is_a_failure(
    server: TinyServer, path: str, status: int, resend: Resend
) -> None:
    client = session(server, resend)
    sample = client.send("page", get(path), "t")
    assert (sample.status, sample.failed, sample.resent) == (status, True, False)
    assert not client.send("page", get(path, expect=(200, status)), "t").failed
    assert not client.send("page", get("/ok"), "t").failed


def test_the_load_client_counts_every_unexpected_answer(server: TinyServer) -> None:
    load = LoadClient(
        server.url,
        streams=(
            Stream("fine", get("/ok"), keepalive=True),
            Stream("moved", get("/moved"), keepalive=False),
            Stream("missing", post("/missing", expect=(201,))),
        ),
        resend=Resend.NEVER,
    ).start()
    time.sleep(0.3)
    report = load.stop()
    rows = report.by_stream()
    assert rows["fine"]["failed"] == 0 < rows["fine"]["total"]
    assert rows["moved"]["failed"] == rows["moved"]["total"] > 0
    assert rows["moved"]["reasons"] == {"301": rows["moved"]["total"]}
    assert rows["missing"]["reasons"] == {"404": rows["missing"]["total"]}
    assert report.failed == rows["moved"]["total"] + rows["missing"]["total"]
    assert "moved: 301" in report.summary()
    assert "0 resent" in report.summary()


@pytest.mark.parametrize("resend", list(Resend))
def test_a_post_reset_on_a_reused_keepalive_connection_is_a_failure_never_resent(
    server: TinyServer, resend: Resend
) -> None:
    client = session(server, resend)
    first = client.send("post", post("/reset-second"), "first")
    second = client.send("post", post("/reset-second"), "second")
    assert (first.status, first.failed, first.reused) == (201, False, False)
    assert (second.status, second.failed, second.reused) == (0, True, True)
    assert second.bytes_received == 0
    assert not second.resent
    assert second.error.startswith(("ConnectionResetError", "RemoteDisconnected"))
    assert [s.body for s in server.requests_to("/reset-second")] == [
        b"title=first",
        b"title=second",
    ]


def test_the_browser_like_client_resends_an_idempotent_request_once_and_counts_it(
    server: TinyServer,
) -> None:
    client = session(server, Resend.IDEMPOTENT)
    client.send("get", get("/reset-second"), "t")
    again = client.send("get", get("/reset-second"), "t")
    assert (again.status, again.failed, again.resent) == (200, False, True)
    seen = [(s.connection, s.number) for s in server.requests_to("/reset-second")]
    assert seen == [(1, 1), (1, 2), (2, 1)]  # the reset one, then once more on a new connection


def test_the_api_client_never_resends_even_an_idempotent_request(server: TinyServer) -> None:
    client = session(server, Resend.NEVER)
    client.send("get", get("/reset-second"), "t")
    again = client.send("get", get("/reset-second"), "t")
    assert (again.status, again.failed, again.resent) == (0, True, False)
    assert len(server.requests_to("/reset-second")) == 2


def test_no_resend_once_a_byte_of_the_response_came_back(server: TinyServer) -> None:
    client = session(server, Resend.IDEMPOTENT)
    client.send("get", get("/partial-second"), "t")
    cut = client.send("get", get("/partial-second"), "t")
    assert (cut.status, cut.failed, cut.resent) == (0, True, False)
    assert cut.bytes_received == len(b"HTTP/1.1 200 O")
    assert len(server.requests_to("/partial-second")) == 2


def test_a_timeout_is_a_failure_and_is_never_resent(server: TinyServer) -> None:
    client = session(server, Resend.IDEMPOTENT, timeout=0.3)
    client.send("get", get("/ok"), "t")  # so the next one goes on a reused connection
    late = client.send("get", get("/sleep"), "t")
    assert (late.status, late.failed, late.timed_out, late.resent) == (0, True, True, False)
    assert late.error == "timeout"
    assert len(server.requests_to("/sleep")) == 1


def test_a_slow_body_arrives_in_pieces_and_whole(server: TinyServer) -> None:
    client = session(server, Resend.NEVER)
    sample = client.send("slow", post("/created", body_size=5000, slow_body_seconds=0.4), "s")
    assert (sample.status, sample.failed) == (201, False)
    (seen,) = server.requests_to("/created")
    assert len(seen.body) == 5000
    assert seen.body.startswith(b"title=s&filler=xxx")
    assert seen.body_seconds >= 0.25  # the last pieces came after the headers, 0.1 s apart
    assert Counter(s.connection for s in server.seen) == {1: 1}


def test_an_answer_that_closes_the_connection_is_read_whole_and_the_next_request_reconnects(
    server: TinyServer,
) -> None:
    client = session(server, Resend.NEVER)
    answers = [client.send("get", get("/close"), "t") for _ in range(3)]
    assert [(a.status, a.body, a.reused, a.failed) for a in answers] == [
        (200, "ok", False, False)
    ] * 3
    assert server.connections == 3
