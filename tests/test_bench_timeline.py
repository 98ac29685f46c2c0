"""Deploy timelines: bucketing a load client's samples, and the pictures report.py draws."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench import figures
from bench.timeline import timeline
from tests.conftest import missing

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sample:
    started: float
    latency: float
    status: int = 200
    kind: str = "fresh"

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 500


def test_requests_are_counted_in_the_100_ms_they_were_answered() -> None:
    samples = [
        Sample(10.00, 0.02),  # answered at 10.02: bucket 0
        Sample(10.05, 0.30, kind="slow"),  # answered at 10.35: bucket 3, slow on purpose
        Sample(10.10, 0.11),  # answered at 10.21: bucket 2
        Sample(10.12, 0.09, status=0),  # failed at 10.21: bucket 2
        Sample(10.40, 0.65),  # answered at 11.05: after the end, left out
        Sample(9.00, 0.50),  # answered before the start, left out
    ]
    data = timeline(samples, 10.0, 10.5, timed=lambda s: s.kind != "slow")
    assert data == {
        "bucket_seconds": 0.1,
        "answered": [1, 0, 1, 1, 0],
        "failed": [0, 0, 1, 0, 0],
        "worst_ms": [20.0, 0.0, 110.0, 0.0, 0.0],
    }


def with_timelines(result: dict[str, object], answered: list[int]) -> dict[str, object]:
    data = {"bucket_seconds": 0.1, "answered": answered, "failed": [0] * len(answered),
            "worst_ms": [5.0] * len(answered), "phases": [[0.0, 0.2, "before"]]}  # fmt: skip
    result["data"]["timelines"] = {"plain kill -HUP": data}  # type: ignore[index]
    return result


def test_a_picture_is_stale_once_its_timelines_change(tmp_path: Path) -> None:
    result = with_timelines({"data": {}}, [3, 4])
    path = tmp_path / "reload-timelines.svg"
    path.write_text(f"<svg><desc>{figures.fingerprint(result)}</desc></svg>")
    assert figures.is_current(path, result)
    assert not figures.is_current(path, with_timelines({"data": {}}, [3, 5]))
    assert not figures.is_current(tmp_path / "none.svg", result)


def test_report_check_fails_on_a_picture_not_drawn_from_the_results(tmp_path: Path) -> None:
    for folder in ("bench", "docs"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("_build"))
    path = tmp_path / "bench" / "results" / "reload.json"
    path.write_text(json.dumps(with_timelines(json.loads(path.read_text()), [1, 2, 3])))
    checked = subprocess.run(
        [sys.executable, str(tmp_path / "bench" / "report.py"), "--check"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert checked.returncode == 1
    assert "docs/_bench/reload-timelines.svg differs" in checked.stdout


@pytest.mark.slow  # needs matplotlib (the demo and bench extras; make test-slow installs it)
def test_the_picture_names_its_data_and_is_drawn_the_same_twice(tmp_path: Path) -> None:
    if importlib.util.find_spec("matplotlib") is None:
        missing("matplotlib is not installed (pip install -e '.[demo]'; make test-slow does)")
    result = with_timelines({"data": {}}, [3, 4, 0, 5])
    first = figures.draw_figure("reload", result, tmp_path / "a").read_text()
    second = figures.draw_figure("reload", result, tmp_path / "b").read_text()
    assert first == second
    assert figures.fingerprint(result) in first
    assert "plain kill -HUP: 12 answered, 0 failed" in first
