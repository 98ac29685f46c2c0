"""``manage.py switch_upstream`` step by step, against real HTTP health endpoints.

Nginx itself is replaced by the commands the switch runs (``true``, ``false``,
a marker file), so every failure branch runs in milliseconds; the same switch
against a real Nginx under load is in ``test_nginx_bluegreen.py``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from django_zerodowntime.upstream_switch import ExitCode
from tests.harness.health_server import HealthServer


@pytest.fixture
def blue() -> Iterator[HealthServer]:
    with HealthServer("r1") as server:
        yield server


@pytest.fixture
def green() -> Iterator[HealthServer]:
    with HealthServer("r2") as server:
        yield server


@pytest.fixture
def upstream_file(tmp_path: Path, blue: HealthServer) -> Path:
    path = tmp_path / "upstream.conf"
    path.write_text(f"# blue\nserver {blue.address};\n")
    return path


def switch(
    blue: HealthServer, green: HealthServer, upstream_file: Path, *args: str
) -> tuple[str, str]:
    """Run the command; returns (stdout, stderr) or raises CommandError."""
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "switch_upstream",
        f"--blue={blue.address}",
        f"--green={green.address}",
        f"--upstream-file={upstream_file}",
        "--nginx-test-cmd=true",
        "--nginx-reload-cmd=true",
        "--timeout=2",
        *args,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


def fails_with(code: ExitCode, *call: object) -> str:
    with pytest.raises(CommandError) as raised:
        switch(*call)  # type: ignore[arg-type]
    assert raised.value.returncode == code, str(raised.value)
    return str(raised.value)


def test_switch_to_green_rewrites_the_file_and_drains_blue(
    blue: HealthServer, green: HealthServer, upstream_file: Path, tmp_path: Path
) -> None:
    blue_drain, green_drain = tmp_path / "blue.drain", tmp_path / "green.drain"
    green_drain.write_text("left over from the last switch")
    out, err = switch(
        blue,
        green,
        upstream_file,
        "--to=green",
        "--expect-release=r2",
        f"--public-url={green.url}",
        f"--blue-drain-file={blue_drain}",
        f"--green-drain-file={green_drain}",
    )
    assert upstream_file.read_text().endswith(f"server {green.address};\n")
    assert "green: written by switch_upstream" in upstream_file.read_text()
    assert blue_drain.exists()
    assert not green_drain.exists()
    assert f"Nginx now sends traffic to green ({green.address}), releaseId r2" in out
    assert "drained blue" in err


def test_switch_to_both_lists_both_and_drains_nobody(
    blue: HealthServer, green: HealthServer, upstream_file: Path, tmp_path: Path
) -> None:
    blue_drain = tmp_path / "blue.drain"
    blue_drain.touch()
    switch(blue, green, upstream_file, "--to=both", f"--blue-drain-file={blue_drain}")
    assert upstream_file.read_text().endswith(f"server {blue.address};\nserver {green.address};\n")
    assert not blue_drain.exists()


def test_switch_to_a_target_that_never_answers_200_changes_nothing(
    blue: HealthServer, green: HealthServer, upstream_file: Path, tmp_path: Path
) -> None:
    """Exit 1: blue keeps serving, the file is untouched, nobody is drained."""
    before = upstream_file.read_bytes()
    green.status = 503
    message = fails_with(
        ExitCode.TARGET_NOT_READY,
        blue,
        green,
        upstream_file,
        "--to=green",
        f"--blue-drain-file={tmp_path / 'blue.drain'}",
    )
    assert "did not answer 200 within 2 s (last: HTTP 503, releaseId 'r2')" in message
    assert f"Nginx still sends traffic to {blue.address}" in message
    assert upstream_file.read_bytes() == before
    assert not (tmp_path / "blue.drain").exists()


def test_switch_waits_for_the_expected_release(
    blue: HealthServer, green: HealthServer, upstream_file: Path
) -> None:
    message = fails_with(
        ExitCode.TARGET_NOT_READY, blue, green, upstream_file, "--to=green", "--expect-release=r3"
    )
    assert "did not answer 200 with releaseId 'r3'" in message


def test_failed_nginx_test_restores_the_previous_file_and_skips_the_reload(
    blue: HealthServer, green: HealthServer, upstream_file: Path, tmp_path: Path
) -> None:
    """Exit 3."""
    before = upstream_file.read_bytes()
    marker = tmp_path / "reloaded"
    message = fails_with(
        ExitCode.NGINX_TEST_FAILED,
        blue,
        green,
        upstream_file,
        "--to=green",
        "--nginx-test-cmd=sh -c 'echo emerg: unexpected end of file >&2; exit 1'",
        f"--nginx-reload-cmd=touch {marker}",
    )
    assert "was restored; traffic still goes to" in message
    assert "emerg: unexpected end of file" in message
    assert upstream_file.read_bytes() == before
    assert not marker.exists()


def test_failed_nginx_reload_restores_the_previous_file(
    blue: HealthServer, green: HealthServer, upstream_file: Path
) -> None:
    """Exit 4."""
    before = upstream_file.read_bytes()
    message = fails_with(
        ExitCode.NGINX_RELOAD_FAILED,
        blue,
        green,
        upstream_file,
        "--to=green",
        "--nginx-reload-cmd=/nonexistent/nginx -s reload",
    )
    assert "Is Nginx running?" in message
    assert upstream_file.read_bytes() == before


def test_unconfirmed_switch_goes_back_and_keeps_blue_undrained(
    blue: HealthServer, green: HealthServer, upstream_file: Path, tmp_path: Path
) -> None:
    """Exit 5: the public address still answers with blue's release."""
    before = upstream_file.read_bytes()
    message = fails_with(
        ExitCode.NOT_CONFIRMED,
        blue,
        green,
        upstream_file,
        "--to=green",
        f"--public-url={blue.url}",
        f"--blue-drain-file={tmp_path / 'blue.drain'}",
    )
    assert "switched back to" in message
    assert upstream_file.read_bytes() == before
    assert not (tmp_path / "blue.drain").exists()


def test_switch_says_when_both_sides_run_the_same_release(
    blue: HealthServer, green: HealthServer, upstream_file: Path
) -> None:
    blue.body = green.body
    _, err = switch(blue, green, upstream_file, "--to=green", f"--public-url={green.url}")
    assert "both sides report the same releaseId" in err


def test_switch_to_the_side_already_serving_only_confirms(
    blue: HealthServer, green: HealthServer, upstream_file: Path, tmp_path: Path
) -> None:
    before = upstream_file.read_bytes()
    marker = tmp_path / "reloaded"
    _, err = switch(blue, green, upstream_file, "--to=blue", f"--nginx-reload-cmd=touch {marker}")
    assert f"already reads: {blue.address}" in err
    assert "green was not drained (no --green-drain-file)" in err
    assert upstream_file.read_bytes() == before
    assert not marker.exists()


def test_failed_drain_of_the_old_side_is_exit_6(
    blue: HealthServer, green: HealthServer, upstream_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "not-a-dir").write_text("")
    message = fails_with(
        ExitCode.DRAIN_FAILED,
        blue,
        green,
        upstream_file,
        "--to=green",
        f"--blue-drain-file={tmp_path / 'not-a-dir' / 'blue.drain'}",
    )
    assert "but draining blue" in message
    assert green.address in upstream_file.read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot use"),
        ("upstream x {}\n", "is not a 'server HOST:PORT;' line"),
        ("server 10.0.0.9:8000;\n", "lists 10.0.0.9:8000, which is neither side"),
    ],
)
def test_unusable_upstream_file_is_bad_input(
    blue: HealthServer,
    green: HealthServer,
    upstream_file: Path,
    content: str | None,
    message: str,
) -> None:
    """Exit 2, and the file is left as it was."""
    if content is None:
        upstream_file.unlink()
    else:
        upstream_file.write_text(content)
    assert message in fails_with(ExitCode.BAD_INPUT, blue, green, upstream_file, "--to=green")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--blue=nonsense",), "is not HOST:PORT"),
        (("--timeout=0",), "--timeout must be positive"),
        (("--server-params=max_fails=1; server evil:80",), "may not contain"),
    ],
)
def test_bad_options_are_bad_input(
    blue: HealthServer, green: HealthServer, upstream_file: Path, args: tuple[str], message: str
) -> None:
    assert message in fails_with(
        ExitCode.BAD_INPUT, blue, green, upstream_file, "--to=green", *args
    )


def test_same_address_for_both_sides_is_bad_input(blue: HealthServer, upstream_file: Path) -> None:
    message = fails_with(ExitCode.BAD_INPUT, blue, blue, upstream_file, "--to=green")
    assert "must be two instances" in message


def test_json_format_reports_the_outcome_on_stdout(
    blue: HealthServer, green: HealthServer, upstream_file: Path, tmp_path: Path
) -> None:
    out, _ = switch(
        blue,
        green,
        upstream_file,
        "--to=green",
        "--format=json",
        f"--blue-drain-file={tmp_path / 'blue.drain'}",
    )
    report = json.loads(out)
    assert report["exit"] == 0
    assert report["result"] == "switched"
    assert report["changed"] is True
    assert report["drained"] == ["blue"]


def test_json_format_reports_a_failure_on_stdout_too(
    blue: HealthServer, green: HealthServer, upstream_file: Path
) -> None:
    green.status = 503
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "switch_upstream",
            "--to=green",
            f"--blue={blue.address}",
            f"--green={green.address}",
            f"--upstream-file={upstream_file}",
            "--timeout=1",
            "--format=json",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert json.loads(out.getvalue())["result"] == "target_not_ready"


def test_json_format_reports_bad_options_on_stdout_too(
    blue: HealthServer, upstream_file: Path
) -> None:
    """Exit 2 for options that cannot work is a failure like the others: one JSON document."""
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(
            "switch_upstream",
            "--to=green",
            f"--blue={blue.address}",
            f"--green={blue.address}",
            f"--upstream-file={upstream_file}",
            "--format=json",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert raised.value.returncode == ExitCode.BAD_INPUT
    assert json.loads(out.getvalue()) == {
        "to": "green",
        "exit": 2,
        "result": "bad_input",
        "message": f"--blue and --green are both {blue.address}: they must be two instances.",
    }


def test_drain_flag_of_the_target_that_cannot_be_cleared_is_bad_input(
    blue: HealthServer, green: HealthServer, upstream_file: Path, tmp_path: Path
) -> None:
    (tmp_path / "not-a-dir").write_text("")
    message = fails_with(
        ExitCode.BAD_INPUT,
        blue,
        green,
        upstream_file,
        "--to=green",
        f"--green-drain-file={tmp_path / 'not-a-dir' / 'green.drain'}",
    )
    assert "cannot clear green's drain flag" in message


def test_upstream_file_that_cannot_be_replaced_is_bad_input(
    blue: HealthServer, green: HealthServer, tmp_path: Path
) -> None:
    """The temp file beside it gets a longer name than the file system allows."""
    upstream_file = tmp_path / ("u" * 250)
    upstream_file.write_text(f"server {blue.address};\n")
    message = fails_with(ExitCode.BAD_INPUT, blue, green, upstream_file, "--to=green")
    assert "cannot write" in message
    assert upstream_file.read_text() == f"server {blue.address};\n"


def test_unconfirmed_switch_to_the_side_already_listed_changes_nothing(
    blue: HealthServer, green: HealthServer, upstream_file: Path
) -> None:
    """Exit 5 without a rollback: the file was already right, so Nginx is left alone."""
    message = fails_with(
        ExitCode.NOT_CONFIRMED, blue, green, upstream_file, "--to=blue", f"--public-url={green.url}"
    )
    assert "already listed the target; nothing was changed" in message
