"""Deploy timelines: what a load client saw per 100 ms, and their pictures.

``timeline`` buckets a run's requests by the moment they were answered (or
failed): requests answered, requests failed and the worst latency in each
100 ms. ``draw`` turns one or more timelines into one SVG (matplotlib), one
panel each, with the spans of a run's phases shaded and named. The SVG is
deterministic (no date, fixed ids) so that a redrawn picture of the same
results is the same file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

BUCKET_SECONDS = 0.1


class Answered(Protocol):
    """A load client's sample: when it was sent, how long it took, whether it failed."""

    started: float
    latency: float

    @property
    def failed(self) -> bool: ...


def quick(sample: object) -> bool:
    """Not one of the requests that take 300 ms on purpose (the load's slow stream)."""
    return "slow" not in str(getattr(sample, "stream", getattr(sample, "kind", "")))


def timeline(
    samples: Iterable[Answered],
    start: float,
    end: float,
    width: float = BUCKET_SECONDS,
    timed: Callable[[Any], bool] = lambda sample: True,
) -> dict[str, Any]:
    """Per ``width`` seconds from ``start`` to ``end``: answered, failed, worst latency (ms)
    of the requests ``timed`` picks (not those slow on purpose)."""
    count = max(1, round((end - start) / width))
    answered, failed, worst = [0] * count, [0] * count, [0.0] * count
    for sample in samples:
        index = int((sample.started + sample.latency - start) / width)
        if not 0 <= index < count:
            continue
        if sample.failed:
            failed[index] += 1
        else:
            answered[index] += 1
        if timed(sample):
            worst[index] = max(worst[index], sample.latency * 1000)
    return {
        "bucket_seconds": width,
        "answered": answered,
        "failed": failed,
        "worst_ms": [round(value, 1) for value in worst],
    }


@dataclass(frozen=True)
class Phase:
    """A span of a run, shaded and named on its panel (seconds from the start)."""

    start: float
    end: float
    label: str


@dataclass(frozen=True)
class Panel:
    title: str
    timeline: dict[str, Any]
    phases: Sequence[Phase] = field(default_factory=tuple)


def draw(panels: Sequence[Panel], path: Path, *, title: str = "", description: str = "") -> Path:
    """One SVG with a panel per timeline: bars of requests answered and failed per
    100 ms (left axis), the worst latency as a line (right axis)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "django-zerodowntime"  # stable ids: same results, same file
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: small files, searchable
    figure, axes = plt.subplots(
        len(panels), 1, figsize=(10, 2.3 * len(panels) + 0.6), squeeze=False, sharex=False
    )
    for axis, panel in zip(axes[:, 0], panels, strict=True):
        _panel(axis, panel)
    if title:
        figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    svg = io.StringIO()
    figure.savefig(svg, format="svg", metadata={"Date": None, "Description": description})
    plt.close(figure)
    # Coordinates to 1/100 of a point: the same picture in half the bytes.
    path.write_text(re.sub(r"(\d\.\d\d)\d+", r"\1", svg.getvalue()))
    return path


def _panel(axis: Any, panel: Panel) -> None:
    data = panel.timeline
    width = data["bucket_seconds"]
    times = [index * width for index in range(len(data["answered"]))]
    for number, phase in enumerate(panel.phases):
        axis.axvspan(phase.start, phase.end, color="#dde6f0" if number % 2 else "#eef2f6", lw=0)
        axis.text(
            (phase.start + phase.end) / 2, 1.0, phase.label, transform=axis.get_xaxis_transform(),
            ha="center", va="bottom", fontsize=7, clip_on=False,
        )  # fmt: skip
    # Filled steps, one path per series (bars would be one element per 100 ms).
    edges = [*times, len(times) * width]
    stacked = [a + f for a, f in zip(data["answered"], data["failed"], strict=True)]
    axis.stairs(data["answered"], edges, fill=True, color="#4c72b0", label="answered")
    axis.stairs(stacked, edges, baseline=data["answered"], fill=True, color="#c44e52",
                label="failed")  # fmt: skip
    axis.set_ylabel(f"requests / {width * 1000:g} ms", fontsize=8)
    axis.set_xlabel("seconds", fontsize=8)
    axis.set_xlim(0, max(times[-1] + width if times else 1, *(p.end for p in panel.phases)))
    failed = sum(data["failed"])
    axis.set_title(
        f"{panel.title}: {sum(data['answered'])} answered, {failed} failed", fontsize=9,
        loc="left", pad=12 if panel.phases else 6, color="#c44e52" if failed else "black",
    )  # fmt: skip
    latency = axis.twinx()
    latency.stairs(data["worst_ms"], edges, color="#dd8452", lw=0.8)
    latency.set_ylabel("worst latency (ms)", fontsize=8, color="#dd8452")
    latency.set_ylim(bottom=0)
    for each in (axis, latency):
        each.tick_params(labelsize=7)
    axis.legend(loc="upper left", fontsize=7, frameon=False)
