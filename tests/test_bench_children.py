"""A benchmark cannot count a crash, a redirect or a dropped connection as a success."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench import health
from bench.record import ChildFailed, parse_json, run_child
from bench.safe_migrate import lint_summary, refused_report
from tests.conftest import require_binary


def completed(stdout: str, returncode: int = 1) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(["child"], returncode, stdout, "Traceback (most recent...")


def test_an_unexpected_exit_code_fails_the_bench() -> None:
    with pytest.raises(ChildFailed, match="exited 1"):
        run_child([sys.executable, "-c", "raise SystemExit(1)"])
    assert run_child([sys.executable, "-c", "raise SystemExit(1)"], expect=(1,)).returncode == 1


def test_output_that_is_not_json_fails_the_bench() -> None:
    with pytest.raises(ChildFailed, match="did not print JSON"):
        parse_json("14 objects imported automatically\n{}", "shell")


def test_safe_migrate_check_that_crashed_with_exit_1_is_not_a_refusal() -> None:
    """Exit 1 is both "refused" and a traceback: only the JSON tells them apart."""
    with pytest.raises(ChildFailed):
        refused_report(3)(completed(""))
    judged_too_few = {"verdict": "refused", "migrations": [{"app": "app00", "operations": []}]}
    with pytest.raises(ChildFailed, match="judged 1 generated migrations"):
        refused_report(3)(completed(json.dumps(judged_too_few)))
    ok = {
        "verdict": "refused",
        "migrations": [
            {"app": "app00", "operations": [{"verdict": "blocked"}]},
            {"app": "app01", "operations": [{"verdict": "safe"}]},
            {"app": "django_zerodowntime", "operations": []},
        ],
    }
    facts = refused_report(2)(completed(json.dumps(ok)))
    assert facts == {"migrations": 3, "operations": 2, "blocked": 1}


def test_lintmigrations_that_crashed_with_exit_1_is_not_a_lint() -> None:
    with pytest.raises(ChildFailed, match="no full summary"):
        lint_summary(10)(completed("Traceback ...\n"))
    summary = "*** Summary ***\nValid migrations: 7/12\nErroneous migrations: 5/12\n"
    assert lint_summary(10)(completed(summary)) == {"linted": 12, "erroneous": 5}


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Location", "https://example.com/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # wrk resets its connections when it stops


@contextlib.contextmanager
def http_server(status: int) -> Iterator[str]:
    handler = type("Handler", (_Answer,), {"status": status})
    server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def hanging_up_server() -> Iterator[str]:
    """Accepts connections and closes them without an answer."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                connection, _ = listener.accept()
                connection.recv(4096)
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@pytest.fixture
def wrk_script(tmp_path: Path) -> Path:
    require_binary("wrk")
    script = tmp_path / "count.lua"
    script.write_text(health.WRK_SCRIPT)
    return script


def test_health_bench_counts_200s_as_successes(wrk_script: Path) -> None:
    with http_server(200) as url:
        counts = health.wrk(url, {}, 1, wrk_script)
    assert counts["requests"] > 0
    assert counts["failed"] == 0


@pytest.mark.parametrize("status", [301, 404, 503])
def test_health_bench_counts_any_other_status_as_a_failure(wrk_script: Path, status: int) -> None:
    with http_server(status) as url:
        counts = health.wrk(url, {}, 1, wrk_script)
    assert counts["requests"] > 0
    assert counts["unexpected_statuses"] == {str(status): counts["requests"]}
    assert counts["failed"] == counts["requests"]


def test_health_bench_counts_dropped_connections_as_failures(wrk_script: Path) -> None:
    with hanging_up_server() as url:
        counts = health.wrk(url, {}, 1, wrk_script)
    assert counts["failed"] > 0
    assert counts["read"] + counts["write"] + counts["connect"] > 0


def test_health_bench_fails_when_nothing_listens(wrk_script: Path) -> None:
    port = socket.create_server(("127.0.0.1", 0))
    address = f"http://127.0.0.1:{port.getsockname()[1]}/"
    port.close()
    with pytest.raises(ChildFailed, match="wrk"):
        health.wrk(address, {}, 1, wrk_script)
