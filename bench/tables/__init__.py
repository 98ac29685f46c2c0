"""The tables of the benchmarks: one module per bench, each with ``render(result)``.

A renderer turns a bench's results file into tables, sentences and named
figures (``Rendered``); this module holds what they share. A renderer never
measures and never reads anything but the result it is given, so the
committed tables can always be made again from the committed results
(``bench/report.py --check``). Every aggregate says what it is:
"median of N rounds", "max over N rounds", "sum of N rounds".
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    aligns: str  # one letter per column: "l" or "r"


@dataclass(frozen=True)
class Text:
    text: str  # one paragraph or one "- " bullet; `code` in single backquotes


@dataclass(frozen=True)
class Rendered:
    blocks: list[Table | Text]
    figures: dict[str, str] = field(default_factory=dict)
    # Further tables for another docs page: docs/_bench/<bench>-<part>.inc (not the README).
    parts: dict[str, list[Table | Text]] = field(default_factory=dict)


def command(result: dict[str, Any]) -> str:
    """The command line that made this result (notes left out)."""
    parts = [result["script"]]
    for key, value in result["options"].items():
        for one in value if isinstance(value, list) else [value]:  # a repeatable option
            parts += [
                f"--{key.replace('_', '-')}",
                f"{one:g}" if isinstance(one, float) else str(one),
            ]
    return " ".join(parts)


def provenance_text(result: dict[str, Any]) -> str:
    env = result["environment"]
    changed = env["uncommitted_changes"]  # a list of paths (True in older results)
    changes = ""
    if changed is True:
        changes = " (with uncommitted changes)"
    elif changed := [path for path in changed if not path.startswith("bench/results/")]:
        plural = "s" if len(changed) != 1 else ""
        changes = f" (with uncommitted changes to {len(changed)} file{plural})"
    versions = ", ".join(f"{name} {v}" for name, v in sorted(env["versions"].items()) if v)
    start, end = env["load_average_start"][0], env["load_average_end"][0]
    notes = f" Notes: {env['notes']}" if env["notes"] else ""
    return (
        f"Run of {env['date']} at commit {env['commit'][:10]}{changes}, "
        f"`{command(result)}`: Python {env['python']}, Django {env['django']}, {versions}; "
        f"{env['cpu_count']} CPUs, 1-minute load average {start:.1f} at the start and "
        f"{end:.1f} at the end.{notes}"
    )


def rounds_phrase(n: int, how: str) -> str:
    """ "median of 5 rounds", "max over 3 rounds"; one round is just "1 round"."""
    return "1 round" if n == 1 else f"{how} {n} rounds"


def target(
    what: str, value: float, goal: float, fmt: str, unit: str = "x", at_least: bool = True
) -> Text:
    """A bullet that says whether a figure meets its target, computed, never typed."""
    met = value >= goal if at_least else value <= goal
    bound = "at least" if at_least else "at most"
    verdict = "met" if met else "NOT met"
    return Text(f"- {what}: {value:{fmt}}{unit} (target: {bound} {goal:{fmt}}{unit}): {verdict}.")


def spread(values: list[float], fmt: str) -> str:
    """Median and, in brackets, the range over rounds."""
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:{fmt}}"
    return f"{median:{fmt}} ({min(values):{fmt}} to {max(values):{fmt}})"
