"""The upstream include file, atomic writes and the health waits (pure logic)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from django_zerodowntime import health_client, upstream
from django_zerodowntime.health_client import HealthReading


@pytest.mark.parametrize(
    "address", ["127.0.0.1:8000", "app-blue.internal:80", "[::1]:8001", "localhost:65535"]
)
def test_parse_address_accepts_host_port(address: str) -> None:
    assert upstream.parse_address(f" {address} ") == address


@pytest.mark.parametrize(
    "address", ["127.0.0.1", ":8000", "127.0.0.1:0", "127.0.0.1:70000", "a b:80", "unix:/x"]
)
def test_parse_address_rejects_anything_else(address: str) -> None:
    with pytest.raises(ValueError, match="is not HOST:PORT"):
        upstream.parse_address(address)


def test_render_upstream_writes_comment_then_server_lines() -> None:
    text = upstream.render_upstream(["127.0.0.1:8001"], "green\nwritten by a test")
    assert text == "# green\n# written by a test\nserver 127.0.0.1:8001;\n"


def test_render_upstream_refuses_an_empty_upstream() -> None:
    with pytest.raises(ValueError, match="at least one server"):
        upstream.render_upstream([])


ports = st.integers(min_value=1, max_value=65535)
addresses = st.lists(ports.map(lambda port: f"127.0.0.1:{port}"), min_size=1, max_size=5)


@given(addresses, st.text(alphabet="abc \n", max_size=20))
def test_parse_upstream_reads_back_what_render_wrote(servers: list[str], comment: str) -> None:
    assert upstream.parse_upstream(upstream.render_upstream(servers, comment)) == servers


def test_parse_upstream_tolerates_comments_blank_lines_and_server_parameters() -> None:
    text = "# blue\n\nserver 127.0.0.1:8000 max_fails=1 fail_timeout=5s;  # main\n"
    assert upstream.parse_upstream(text) == ["127.0.0.1:8000"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("keepalive 16;\n", "line 1 is not a 'server HOST:PORT;' line"),
        ("server 127.0.0.1:8000\n", "line 1 is not"),
        ("# x\nserver 127.0.0.1;\n", "line 2: '127.0.0.1' is not HOST:PORT"),
    ],
)
def test_parse_upstream_rejects_other_directives(text: str, message: str) -> None:
    with pytest.raises(upstream.UpstreamFileError, match=message):
        upstream.parse_upstream(text)


def test_write_atomically_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "upstream.conf"
    path.write_text("server 127.0.0.1:8000;\n")
    path.chmod(0o640)
    upstream.write_atomically(path, "server 127.0.0.1:8001;\n")
    assert path.read_text() == "server 127.0.0.1:8001;\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["upstream.conf"]


def test_write_atomically_creates_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "upstream.conf"
    upstream.write_atomically(path, "server 127.0.0.1:8001;\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_write_atomically_leaves_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "upstream.conf"
    path.write_text("server 127.0.0.1:8000;\n")
    with pytest.raises(UnicodeEncodeError):
        upstream.write_atomically(path, "server \udcff;\n")
    assert path.read_text() == "server 127.0.0.1:8000;\n"
    assert os.listdir(tmp_path) == ["upstream.conf"]


def test_run_command_reports_exit_status_and_output() -> None:
    assert upstream.run_command("true").ok
    failed = upstream.run_command("sh -c 'echo broken >&2; exit 3'")
    assert (failed.returncode, failed.output) == (3, "broken")


def test_run_command_reports_a_missing_program_as_127() -> None:
    assert upstream.run_command("/nonexistent/nginx -t").returncode == 127


def test_run_command_reports_a_hung_program_as_124() -> None:
    assert upstream.run_command("sleep 5", timeout=0.2).returncode == 124


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/healthz"),
        ("https://www.example.com/", "https://www.example.com/healthz"),
        ("https://www.example.com/app/healthz", "https://www.example.com/app/healthz"),
    ],
)
def test_health_url_appends_the_health_path_to_a_bare_site(base: str, expected: str) -> None:
    assert upstream.health_url(base, "/healthz") == expected


class FakeClock:
    """Time that only passes when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def scripted(*readings: HealthReading) -> health_client.Probe:
    answers = list(readings)
    return lambda url: answers.pop(0) if len(answers) > 1 else answers[0]


def test_wait_for_health_returns_once_the_target_is_ready() -> None:
    clock = FakeClock()
    probe = scripted(HealthReading(0, error="x"), HealthReading(503), HealthReading(200, "r2"))
    ready, last = health_client.wait_until_ready(
        "u", "r2", 10, probe=probe, clock=clock, sleep=clock.sleep
    )
    assert (ready, last, clock.now) == (True, HealthReading(200, "r2"), 1.0)


def test_wait_for_health_gives_up_at_the_deadline_with_the_last_reading() -> None:
    clock = FakeClock()
    ready, last = health_client.wait_until_ready(
        "u", "r2", 3, probe=scripted(HealthReading(200, "r1")), clock=clock, sleep=clock.sleep
    )
    assert (ready, last) == (False, HealthReading(200, "r1"))
    assert clock.now <= 3


def test_confirm_serving_needs_answers_in_a_row() -> None:
    clock = FakeClock()
    good, old = HealthReading(200, "r2"), HealthReading(200, "r1")
    probe = scripted(good, good, old, good, good, good)
    confirmed, _ = upstream.confirm_serving(
        "u", {"r2"}, 10, in_a_row=3, probe=probe, clock=clock, sleep=clock.sleep
    )
    assert confirmed
    assert clock.now == pytest.approx(1.0)  # six probes, five pauses


def test_confirm_serving_fails_while_the_old_release_still_answers() -> None:
    clock = FakeClock()
    confirmed, last = upstream.confirm_serving(
        "u", {"r2"}, 2, probe=scripted(HealthReading(200, "r1")), clock=clock, sleep=clock.sleep
    )
    assert (confirmed, last) == (False, HealthReading(200, "r1"))
