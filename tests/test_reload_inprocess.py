"""The reload functions called in-process (the command runs them in a subprocess
elsewhere), against a real Gunicorn: their branches count for coverage here."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import psutil
import pytest
from django.core.management import CommandError, call_command

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.processes import heartbeat_booted
from django_zerodowntime.reload.run import graceful_reload
from tests.harness.load import LoadClient
from tests.harness.load_report import assert_clean
from tests.harness.site import (
    Gunicorn,
    http_get,
    set_release_text,
)


@pytest.mark.parametrize("strategy", ["usr2", "hup", "rolling"])
def test_reload_function_turns_over_and_reports(site: Path, strategy: str) -> None:
    lines: list[str] = []
    with Gunicorn(site, workers=2) as gunicorn:
        load = LoadClient(gunicorn.url).start()
        try:
            set_release_text(site, "release 2")
            report = graceful_reload(
                gunicorn.pidfile,
                strategy=strategy,
                check_url=gunicorn.url + "/healthz",
                progress=lines.append,
            )
        finally:
            result = load.stop()
        assert_clean(result, min_total=1)  # sync workers: no keep-alive, nothing to resend
        assert http_get(gunicorn.url, "/version/")[1] == b"release 2"
    assert report.strategy == strategy
    assert len(report.new_workers) == 2
    assert not set(report.new_workers) & set(report.old_workers)
    assert report.reported_release  # /healthz reported a releaseId
    assert report.last_old_exit is not None
    assert any(line.startswith("preflight passed") for line in lines)


def test_reload_function_rolls_back_a_release_that_cannot_boot(site: Path) -> None:
    with Gunicorn(site, workers=2) as gunicorn:
        master = gunicorn.master_pid
        settings = site / "config" / "settings.py"
        # Both workers must have booted with the good settings before they break.
        deadline = time.monotonic() + 30
        while sum(bool(heartbeat_booted(c.pid)) for c in psutil.Process(master).children()) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        settings.write_text(settings.read_text() + "\nMIDDLEWARE += ['no.such.Middleware']\n")
        with pytest.raises(ExitError) as caught:
            graceful_reload(gunicorn.pidfile, strategy="usr2", run_preflight=False, timeout=30)
        assert caught.value.code == ExitCode.ROLLED_BACK
        assert gunicorn.master_pid == master
        assert psutil.Process(master).is_running()


def test_check_url_that_never_reports_the_release_rolls_back(site: Path) -> None:
    with Gunicorn(site, workers=2) as gunicorn:
        master = gunicorn.master_pid
        with pytest.raises(ExitError) as caught:
            graceful_reload(
                gunicorn.pidfile,
                strategy="usr2",
                check_url=gunicorn.url + "/healthz",
                expect_release="a-release-nobody-runs",
                timeout=8,
            )
        assert caught.value.code == ExitCode.ROLLED_BACK
        assert "did not answer 200 with release a-release-nobody-runs" in caught.value.message
        assert gunicorn.master_pid == master
        assert not Path(str(gunicorn.pidfile) + ".2").exists()


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_command_turns_over_prints_and_records_the_rollout(site: Path) -> None:
    from django_zerodowntime.models import Rollout

    stdout, stderr = io.StringIO(), io.StringIO()
    with Gunicorn(site, workers=2) as gunicorn:
        set_release_text(site, "release 2")
        call_command(
            "graceful_reload",
            "--pidfile",
            str(gunicorn.pidfile),
            "--expect-release",
            "test-release",
            stdout=stdout,
            stderr=stderr,
        )
        assert http_get(gunicorn.url, "/version/")[1] == b"release 2"
    assert "turned over in" in stdout.getvalue()
    assert "release: test-release" in stdout.getvalue()
    assert "rollout of release test-release recorded" in stderr.getvalue()
    rollout = Rollout.objects.get()
    assert (rollout.release_id, rollout.source) == ("test-release", "reload")


def test_command_failure_in_json_is_one_document_on_stdout(tmp_path: Path) -> None:
    stdout = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "graceful_reload", "--pidfile", str(tmp_path / "none.pid"), "--format", "json",
            stdout=stdout,
        )  # fmt: skip
    assert caught.value.returncode == 2
    document = json.loads(stdout.getvalue())
    assert document["result"] == "bad_input"
    assert document["exit_code"] == 2
