"""graceful_reload shows what it does while it does it: live on a terminal (a real
pseudo-terminal here), plain lines or one JSON document otherwise."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.harness.site import Gunicorn, http_get, manage, set_release_text
from tests.harness.terminal import ESCAPES, run_on_a_terminal


def test_on_a_terminal_progress_updates_in_place(site: Path) -> None:
    with Gunicorn(site, workers=2) as gunicorn:
        set_release_text(site, "release 2")
        code, screen, _ = run_on_a_terminal(
            site, "graceful_reload", "--strategy", "usr2", "--check-url", gunicorn.url + "/healthz"
        )
        assert code == 0, screen
        assert http_get(gunicorn.url, "/version/")[1] == b"release 2"
    # One line redrawn in place: carriage returns and erase/cursor-up sequences.
    assert "\r" in screen
    assert ESCAPES.search(screen)
    text = ESCAPES.sub("", screen).replace("\r", "\n")
    done = [line for line in text.splitlines() if line.startswith(("✓", "✗"))]
    assert any(line.startswith("✓ preflight passed") for line in done), text
    assert any(line.startswith("✓ USR2 -> master") for line in done), text
    assert "✓ new workers booted 2 of 2" in [line.split(" (")[0] for line in done], text
    assert "✓ old workers gone 2 of 2" in [line.split(" (")[0] for line in done], text
    assert all(re.search(r"\(\d+\.\ds\)$", line.strip()) for line in done), done  # elapsed
    assert not any(line.startswith("✗") for line in done)
    # The live line: the current step, the counts and the time, drawn more than once.
    status = [line for line in text.splitlines() if "new workers booted" in line and " · " in line]
    assert len(status) >= 2, text
    assert re.search(r"old workers gone \d of 2 · \d+\.\ds", text)
    # Counted while the new workers boot, not only once they are ready.
    booting = r"waiting for its workers · new workers booted [0-2] of 2 · old workers gone 0 of 2"
    assert re.search(booting, text), text
    # Then the result, as on any output.
    assert "turned over in" in text
    assert "rollout of release" in text


def test_on_a_terminal_a_refused_reload_ends_with_a_cross(site: Path) -> None:
    with Gunicorn(site, workers=1):
        (site / "blog" / "release.py").write_text("raise ImportError('release 5 is broken')\n")
        code, screen, _ = run_on_a_terminal(site, "graceful_reload")
    assert code == 3, screen
    text = ESCAPES.sub("", screen).replace("\r", "\n")
    assert any(line.startswith("✗ preflight: booting the new code") for line in text.splitlines())
    assert "preflight failed" in text


def test_json_on_a_terminal_stays_one_document_and_plain_lines(site: Path) -> None:
    with Gunicorn(site, workers=2):
        code, screen, stdout = run_on_a_terminal(
            site, "graceful_reload", "--format", "json", stdout_too=False
        )
    assert code == 0, screen
    assert json.loads(stdout)["result"] == "turned_over"
    assert not ESCAPES.search(screen)
    assert "✓" not in screen
    assert re.search(r"^\[ *\d+\.\d\ds\] preflight passed", screen, re.M)


def test_not_on_a_terminal_output_stays_plain_lines(site: Path) -> None:
    with Gunicorn(site, workers=2):
        result = manage(site, "graceful_reload", check=False)
    assert result.returncode == 0, result.stderr
    assert not ESCAPES.search(result.stderr + result.stdout)
    assert "\r" not in result.stderr
    lines = result.stderr.splitlines()
    assert all(re.match(r"\[ *\d+\.\d\ds\] ", line) for line in lines), lines
    assert any("preflight passed" in line for line in lines)
    assert result.stdout.startswith("turned over in")
