"""``manage.py switch_drain`` step by step, against real HTTP health endpoints.

Each instance is a tiny HTTP server whose ``/healthz`` answers like
django_zerodowntime's does: 200, or 503 with ``"output": "draining"`` while
its drain flag (a real file) exists. "Nginx" is another one that answers for
the first instance not draining, so every branch runs in milliseconds; the
same switches through a real Nginx under load are ``test_nginx_drain.py``.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

import pytest
from django.core.management import CommandError, call_command

from django_zerodowntime.drain_switch import ExitCode


class AnsweringServer:
    """A real HTTP server; ``answer()`` decides each GET's status and JSON body."""

    def __init__(self, answer: Callable[[], tuple[int, dict[str, str]]]) -> None:
        self.answer = answer
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, document = owner.answer()
                body = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_port}"
        self.url = f"http://{self.address}"

    def __enter__(self) -> AnsweringServer:
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()


class Instance:
    def __init__(self, release: str, drain_file: Path, ready: bool = True) -> None:
        self.release = release
        self.drain_file = drain_file
        self.ready = ready  # database, migrations: what a drain flag does not change
        self.server = AnsweringServer(self.health)

    @property
    def draining(self) -> bool:
        return self.drain_file.exists()

    def health(self) -> tuple[int, dict[str, str]]:
        document = {"status": "fail", "releaseId": self.release}
        if self.ready and not self.draining:
            return 200, {**document, "status": "pass"}
        if self.ready:
            document["output"] = "draining"
        return 503, document


@pytest.fixture
def blue(tmp_path: Path) -> Iterator[Instance]:
    instance = Instance("r1", tmp_path / "blue.drain")
    with instance.server:
        yield instance


@pytest.fixture
def green(tmp_path: Path) -> Iterator[Instance]:
    instance = Instance("r2", tmp_path / "green.drain")
    instance.drain_file.write_text("")  # the idle side
    with instance.server:
        yield instance


@pytest.fixture
def nginx(blue: Instance, green: Instance) -> Iterator[AnsweringServer]:
    """Answers /healthz for the first instance that is not draining, like the shipped config."""

    def answer() -> tuple[int, dict[str, str]]:
        for instance in (blue, green):
            status, document = instance.health()
            if status == 200:
                return status, document
        return 503, {"status": "fail"}

    with AnsweringServer(answer) as server:
        yield server


def switch(blue: Instance, green: Instance, *args: str) -> tuple[str, str]:
    """Run the command; returns (stdout, stderr) or raises CommandError."""
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "switch_drain",
        f"--blue={blue.server.address}",
        f"--green={green.server.address}",
        f"--blue-drain-file={blue.drain_file}",
        f"--green-drain-file={green.drain_file}",
        "--timeout=1",
        "--settle=0.1",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def fails_with(code: ExitCode, blue: Instance, green: Instance, *args: str) -> str:
    with pytest.raises(CommandError) as raised:
        switch(blue, green, *args)
    assert raised.value.returncode == code, str(raised.value)
    return str(raised.value)


def test_switch_to_green_clears_its_flag_settles_then_drains_blue(
    blue: Instance, green: Instance, nginx: AnsweringServer
) -> None:
    out, err = switch(blue, green, "--to=green", "--expect-release=r2", f"--public-url={nginx.url}")
    assert (blue.draining, green.draining) == (True, False)
    assert "traffic now goes to green" in out
    assert "releaseId r2" in out
    steps = [line.split(" (")[0] for line in err.splitlines()]
    assert steps == [
        "switch_drain: waiting for green",
        "switch_drain: cleared green's drain flag",
        "switch_drain: waiting 0.1 s",
        "switch_drain: set blue's drain flag",
        "switch_drain: confirming through http://127.0.0.1:"
        f"{nginx.server.server_port}/healthz that releaseId ['r2'] serves",
    ]


def test_json_says_what_was_flipped(blue: Instance, green: Instance) -> None:
    out, _ = switch(blue, green, "--to=green", "--format=json")
    document = json.loads(out)
    assert document == {
        "to": "green",
        "exit": 0,
        "result": "switched",
        "message": document["message"],
        "drained": ["blue"],
        "undrained": ["green"],
        "notes": ["no --public-url: not confirmed through Nginx"],
    }


def test_a_side_that_was_serving_is_drained_without_settling(
    blue: Instance, green: Instance
) -> None:
    """The first step of a rolling restart: both serve, one leaves."""
    green.drain_file.unlink()
    _, err = switch(blue, green, "--to=green")
    assert (blue.draining, green.draining) == (True, False)
    assert "waiting 0.1 s" not in err


def test_both_clears_every_flag_and_drains_nothing(blue: Instance, green: Instance) -> None:
    blue.drain_file.write_text("")
    green.release = blue.release = "r2"
    _, err = switch(blue, green, "--to=both", "--expect-release=r2")
    assert (blue.draining, green.draining) == (False, False)
    assert "waiting 0.1 s" not in err


def test_a_target_that_is_not_ready_changes_nothing(blue: Instance, green: Instance) -> None:
    green.ready = False
    message = fails_with(ExitCode.TARGET_NOT_READY, blue, green, "--to=green")
    assert "green (http://127.0.0.1:" in message
    assert "was not ready within 1 s (last: HTTP 503, releaseId 'r2';" in message
    assert "Nothing was changed" in message
    assert (blue.draining, green.draining) == (False, True)


def test_a_target_with_another_release_changes_nothing(blue: Instance, green: Instance) -> None:
    message = fails_with(
        ExitCode.TARGET_NOT_READY, blue, green, "--to=green", "--expect-release=r3"
    )
    assert "with releaseId 'r3'" in message
    assert "output 'draining'" in message
    assert (blue.draining, green.draining) == (False, True)


def test_a_target_that_fails_once_undrained_is_drained_again(
    blue: Instance, green: Instance
) -> None:
    """Ready but for its flag, then not ready once the flag is gone (here: it lied)."""
    original = green.health
    green.health = lambda: (503, {"releaseId": "r2"}) if not green.draining else original()  # type: ignore[method-assign]
    green.server.answer = green.health
    message = fails_with(ExitCode.TARGET_NOT_READY, blue, green, "--to=green")
    assert "still did not answer 200 once its drain flag was cleared" in message
    assert (blue.draining, green.draining) == (False, True)


def test_not_confirmed_through_nginx_switches_back(
    blue: Instance, green: Instance, tmp_path: Path
) -> None:
    """Nginx keeps answering with blue's release (say, it does not list green)."""
    with AnsweringServer(lambda: (200, {"releaseId": "r1"})) as stale:
        message = fails_with(
            ExitCode.NOT_CONFIRMED, blue, green, "--to=green", f"--public-url={stale.url}"
        )
    assert "did not report releaseId ['r2']" in message
    assert "switched back: blue serving, green drained" in message
    assert (blue.draining, green.draining) == (False, True)


def test_a_flag_that_cannot_be_written_is_exit_4(blue: Instance, green: Instance) -> None:
    green.drain_file.unlink()
    blocked = blue.drain_file.parent / "not-a-directory"
    blocked.write_text("")
    with pytest.raises(CommandError) as raised:
        call_command(
            "switch_drain",
            "--to=green",
            f"--blue={blue.server.address}",
            f"--green={green.server.address}",
            f"--blue-drain-file={blocked / 'drain'}",
            f"--green-drain-file={green.drain_file}",
            "--timeout=1",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert raised.value.returncode == ExitCode.DRAIN_FAILED
    assert "could not set blue's drain flag" in str(raised.value)
    assert "Now: blue serving, green serving." in str(raised.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--blue=127.0.0.1:8000", "--green=127.0.0.1:8000"], "are both 127.0.0.1:8000"),
        (["--blue=nonsense"], "is not HOST:PORT"),
        (["--blue-drain-file=/tmp/x", "--green-drain-file=/tmp/x"], "are the same file"),
        (["--settle=-1"], "--settle not negative"),
    ],
)
def test_bad_input_is_exit_2(args: list[str], message: str) -> None:
    defaults = [
        "--to=green",
        "--blue=127.0.0.1:8000",
        "--green=127.0.0.1:8001",
        "--blue-drain-file=/tmp/b",
        "--green-drain-file=/tmp/g",
    ]
    with pytest.raises(CommandError) as raised:
        call_command("switch_drain", *defaults, *args, "--format=json", stdout=io.StringIO())
    assert raised.value.returncode == ExitCode.BAD_INPUT
    assert message in str(raised.value)


def test_a_confirmation_that_cannot_tell_the_sides_apart_says_so(
    blue: Instance, green: Instance, nginx: AnsweringServer
) -> None:
    """A switch back and forth between sides on one release (a rollback test, a bench)."""
    green.release = "r1"
    out, _ = switch(blue, green, "--to=green", f"--public-url={nginx.url}", "--format=json")
    assert json.loads(out)["notes"] == [
        "both sides report the same releaseId: the confirmation shows the site answers "
        "through Nginx, not which side answered"
    ]
