"""``manage.py drain on|off|status`` and its exit codes."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from django_zerodowntime.health.drain import is_draining


@pytest.fixture
def flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "run" / "drain"
    monkeypatch.setenv("ZERODOWNTIME_DRAIN_FILE", str(path))
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("drain", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_drain_on_creates_the_flag_and_off_removes_it(flag: Path) -> None:
    assert run("on").startswith(f"draining (flag: {flag})")
    assert flag.exists()
    assert run("off").startswith("serving")
    assert not flag.exists()
    assert run("off").startswith("serving")  # idempotent


def test_drain_status__exit_0_when_serving(flag: Path) -> None:
    """Exit 0: serving."""
    assert run("status").startswith("serving")


def test_drain_status__exit_1_when_draining(flag: Path) -> None:
    """Exit 1: the instance is draining (scripts can test for it)."""
    run("on")
    with pytest.raises(CommandError) as raised:
        run("status")
    assert raised.value.returncode == 1


def test_drain_on__exit_2_when_the_flag_cannot_be_written(tmp_path: Path) -> None:
    """Exit 2: the flag's directory is not usable."""
    (tmp_path / "a-file").write_text("")
    with (
        override_settings(ZERODOWNTIME={"DRAIN_FILE": str(tmp_path / "a-file" / "drain")}),
        pytest.raises(CommandError) as raised,
    ):
        run("on")
    assert raised.value.returncode == 2
    assert "a-file" in str(raised.value)


def test_drain_format_json(flag: Path) -> None:
    assert json.loads(run("on", "--format", "json")) == {
        "draining": True,
        "drain_file": str(flag),
    }


def test_drain_on_wait_sleeps_after_setting_the_flag(flag: Path) -> None:
    err = StringIO()
    call_command("drain", "on", "--wait", "0.01", stdout=StringIO(), stderr=err)
    assert "waiting 0.01 s" in err.getvalue()
    assert is_draining(flag)


def test_only_an_existing_flag_means_draining(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    assert is_draining(tmp_path / "a-file")
    assert not is_draining(tmp_path / "missing")
    assert not is_draining(tmp_path / "a-file" / "drain")
