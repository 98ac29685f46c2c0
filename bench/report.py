"""Regenerate every benchmark table from the committed results, and check them.

Each bench writes ``bench/results/<bench>.json`` (``bench/record.py``); the
renderer registered for it in ``BENCHES`` turns that file into blocks (tables
and generated sentences) and named figures. This script writes them:

- into ``bench/README.md`` between ``<!-- report:<bench> -->`` and
  ``<!-- /report:<bench> -->``;
- into ``docs/_bench/<bench>.inc`` (reStructuredText, included by the docs
  pages) and ``docs/_bench/<bench>-figures.inc`` (substitutions such as
  ``|health-livez-wrapper-vs-bare|`` for figures quoted in the docs' prose);
- a renderer's further ``parts`` into ``docs/_bench/<bench>-<part>.inc``, for
  another page than its own;
- for a bench that records deploy timelines, ``docs/_bench/<bench>-timelines.svg``
  (``bench/figures.py``; drawing needs matplotlib, the bench extra; checking
  does not).

To add a bench: write its results with ``bench.record.write_result``, add a
module with a ``render`` function to ``bench/tables/``, register it below, put the markers in
the README and include the fragment in a docs page.

    python bench/report.py          # rewrite the tables
    python bench/report.py --check  # exit 1 if a committed table differs
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import figures  # noqa: E402
from bench.oracle import report as oracle_report  # noqa: E402
from bench.tables import (  # noqa: E402
    Rendered,
    Table,
    Text,
    backfill,
    deploy,
    health,
    provenance_text,
    rehearsal,
    reload,
    safe_migrate,
    safe_migrate_base,
    safe_migrate_real,
    worker_footprint,
)

RESULTS = REPO / "bench" / "results"
README = REPO / "bench" / "README.md"
DOCS = REPO / "docs"
FRAGMENTS = DOCS / "_bench"

Renderer = Callable[[dict[str, Any]], Rendered]

# One renderer per bench, looked up by the name of its results file.
BENCHES: dict[str, Renderer] = {
    "health": health.render,
    "reload": reload.render,
    "safe_migrate": safe_migrate.render,
    "safe_migrate_real": safe_migrate_real.render,
    "oracle_scenarios": oracle_report.render,
    "rehearsal": rehearsal.render,
    "safe_migrate_base": safe_migrate_base.render,
    "backfill": backfill.render,
    "deploy": deploy.render,
    "worker_footprint": worker_footprint.render,
}


class ReportError(Exception):
    pass


def markdown(blocks: list[Table | Text]) -> str:
    parts = []
    for block in blocks:
        if isinstance(block, Text):
            parts.append(block.text)
            continue
        lines = ["| " + " | ".join(block.header) + " |"]
        lines.append("|" + "|".join("---:" if a == "r" else "---" for a in block.aligns) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in block.rows]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _rst_code(text: str) -> str:
    """`code` becomes ``code``."""
    return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", text)


def _rst_cell(text: str) -> str:
    """A cell that would start a list (or is empty) is escaped."""
    text = _rst_code(text)
    if not text:
        return "\\ "
    return "\\" + text if re.match(r"[-*+]( |$)|\d+\. ", text) else text


def rst(blocks: list[Table | Text]) -> str:
    parts = []
    for block in blocks:
        if isinstance(block, Text):
            parts.append(_rst_code(block.text))
            continue
        lines = [".. list-table::", "   :header-rows: 1", ""]
        for row in [block.header, *block.rows]:
            cells = [_rst_cell(cell) for cell in row]
            lines.append(f"   * - {cells[0]}")
            lines += [f"     - {cell}" for cell in cells[1:]]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def substitutions(figures: dict[str, str]) -> str:
    return "".join(f".. |{name}| replace:: {value}\n" for name, value in sorted(figures.items()))


def load(bench: str) -> dict[str, Any]:
    path = RESULTS / f"{bench}.json"
    if not path.exists():
        raise ReportError(f"{path.relative_to(REPO)} is missing: run bench/{bench}.py")
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def expected_files() -> tuple[dict[str, str], dict[Path, str]]:
    """(README block per bench, docs fragment text per path) from the committed results."""
    unknown = {p.stem for p in RESULTS.glob("*.json")} - set(BENCHES)
    if unknown:
        raise ReportError(f"no renderer registered in bench/report.py for {sorted(unknown)}")
    blocks: dict[str, str] = {}
    fragments: dict[Path, str] = {}
    for bench, renderer in BENCHES.items():
        result = load(bench)
        rendered = renderer(result)
        every = [Text(provenance_text(result)), *rendered.blocks]
        blocks[bench] = markdown(every)
        fragments[FRAGMENTS / f"{bench}.inc"] = rst(every)
        if rendered.figures:
            fragments[FRAGMENTS / f"{bench}-figures.inc"] = substitutions(rendered.figures)
        for part, part_blocks in rendered.parts.items():
            fragments[FRAGMENTS / f"{bench}-{part}.inc"] = rst(
                [Text(provenance_text(result)), *part_blocks]
            )
    return blocks, fragments


def _markers(bench: str) -> tuple[str, str]:
    return f"<!-- report:{bench} -->\n", f"<!-- /report:{bench} -->"


def readme_with(blocks: dict[str, str], readme: str) -> str:
    for bench, text in blocks.items():
        begin, end = _markers(bench)
        start, stop = readme.find(begin), readme.find(end)
        if start < 0 or stop < start:
            raise ReportError(f"bench/README.md has no {begin.strip()} ... {end} block")
        readme = readme[: start + len(begin)] + text + readme[stop:]
    return readme


def unincluded(fragments: dict[Path, str]) -> list[str]:
    """Fragments no docs page includes (a table nobody would see)."""
    pages = "".join(page.read_text() for page in DOCS.glob("*.rst"))
    return [
        path.name
        for path in fragments
        if f".. include:: _bench/{path.name}" not in pages and not path.stem.endswith("figures")
    ]


def stale_figures() -> tuple[dict[str, dict[str, Any]], list[Path]]:
    """(results of the benches whose timelines are not drawn as committed, SVGs of none)."""
    drawn = {bench: load(bench) for bench in BENCHES}
    drawn = {bench: result for bench, result in drawn.items() if figures.timelines(result)}
    stale = {
        bench: result
        for bench, result in drawn.items()
        if not figures.is_current(figures.figure_path(bench), result)
    }
    wanted = {figures.figure_path(bench) for bench in drawn}
    return stale, sorted(set(FRAGMENTS.glob("*-timelines.svg")) - wanted)


def unshown_figures() -> list[str]:
    """Timelines that the docs or the README do not show (a picture nobody would see)."""
    pages = "".join(page.read_text() for page in DOCS.glob("*.rst"))
    front = REPO / "README.md"  # the project's README (absent from a copy of bench/ and docs/)
    readme = front.read_text() if front.exists() else None
    names = [path.name for path in FRAGMENTS.glob("*-timelines.svg")]
    return [
        name
        for name in names
        if f".. image:: _bench/{name}" not in pages
        or (readme is not None and f"](docs/_bench/{name})" not in readme)
    ]


def draw_figures(stale: dict[str, dict[str, Any]]) -> list[Path]:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ReportError(
            "matplotlib is missing, so the timelines of "
            f"{', '.join(sorted(stale))} cannot be drawn: run with the bench venv "
            "(make install-bench; .venv-bench/bin/python bench/report.py)"
        ) from None
    return [figures.draw_figure(bench, result) for bench, result in stale.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on a diff")
    options = parser.parse_args()
    try:
        blocks, fragments = expected_files()
        readme = README.read_text()
        wanted = readme_with(blocks, readme)
    except ReportError as error:
        print(f"bench/report.py: {error}", file=sys.stderr)
        return 1
    stale = [README] if wanted != readme else []
    stale += [p for p, text in fragments.items() if not p.exists() or p.read_text() != text]
    extra = set(FRAGMENTS.glob("*.inc")) - set(fragments)
    missing = unincluded(fragments)
    old_figures, extra_figures = stale_figures()
    missing += unshown_figures()
    if options.check:
        stale += [figures.figure_path(bench) for bench in old_figures]
        for path in [*stale, *sorted(extra), *extra_figures]:
            print(f"{path.relative_to(REPO)} differs from bench/results/: run bench/report.py")
        for name in missing:
            print(f"no page in docs/ has `.. include:: _bench/{name}` (or the picture's image)")
        return 1 if stale or extra or extra_figures or missing else 0
    README.write_text(wanted)
    FRAGMENTS.mkdir(exist_ok=True)
    for path, text in fragments.items():
        path.write_text(text)
    for path in [*extra, *extra_figures]:
        path.unlink()
    try:
        stale += draw_figures(old_figures) if old_figures else []
    except ReportError as error:
        print(f"bench/report.py: {error}", file=sys.stderr)
        return 1
    for path in stale:
        print(f"rewrote {path.relative_to(REPO)}")
    for name in missing:
        print(f"warning: no page in docs/ has `.. include:: _bench/{name}`", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
