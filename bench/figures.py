"""The deploy timelines bench/report.py draws from the committed results.

A bench that records timelines puts them in its results as ``data["timelines"]``:
``{title: {"bucket_seconds", "answered", "failed", "worst_ms", "phases": [[start,
end, label], ...]}}`` (see ``bench/timeline.py``). report.py draws each such
bench as ``docs/_bench/<bench>-timelines.svg``, one panel per title, for the
docs and the README. The SVG names a fingerprint of the data it was drawn
from, so ``report.py --check`` tells a stale picture without matplotlib and
whatever bytes another matplotlib version would draw.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from bench.timeline import Panel, Phase, draw

REPO = Path(__file__).resolve().parents[1]
FOLDER = REPO / "docs" / "_bench"


def timelines(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    data = result.get("data")
    found: dict[str, dict[str, Any]] = data.get("timelines", {}) if isinstance(data, dict) else {}
    return found


def figure_path(bench: str, folder: Path = FOLDER) -> Path:
    return folder / f"{bench}-timelines.svg"


def fingerprint(result: dict[str, Any]) -> str:
    text = json.dumps(timelines(result), sort_keys=True)
    return "timeline-data-sha256:" + hashlib.sha256(text.encode()).hexdigest()[:20]


def is_current(path: Path, result: dict[str, Any]) -> bool:
    return path.exists() and fingerprint(result) in path.read_text()


def panels(result: dict[str, Any]) -> list[Panel]:
    return [
        Panel(title, data, [Phase(start, end, label) for start, end, label in data["phases"]])
        for title, data in timelines(result).items()
    ]


def draw_figure(bench: str, result: dict[str, Any], folder: Path = FOLDER) -> Path:
    """Draw the bench's timelines (needs matplotlib: the bench extra)."""
    title = f"bench/{bench}.py: what the load client saw per 100 ms (round 1)"
    return draw(panels(result), figure_path(bench, folder), title=title,
                description=f"drawn by bench/report.py from bench/results/{bench}.json, "
                f"{fingerprint(result)}")  # fmt: skip
