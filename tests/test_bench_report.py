"""The benchmark tables in bench/README.md and the docs are made from the committed results."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench import report
from bench.tables import Table

REPO = Path(__file__).resolve().parents[1]


def run_report(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "bench" / "report.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """bench/ and docs/ copied, so the report can be run on changed results."""
    for folder in ("bench", "docs"):
        shutil.copytree(REPO / folder, tmp_path / folder, ignore=shutil.ignore_patterns("_build"))
    return tmp_path


def test_committed_tables_are_what_report_makes_from_committed_results() -> None:
    result = run_report(REPO, "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_bench_has_committed_results_and_a_readme_block() -> None:
    readme = (REPO / "bench" / "README.md").read_text()
    for bench in report.BENCHES:
        assert (REPO / "bench" / "results" / f"{bench}.json").exists(), bench
        assert f"<!-- report:{bench} -->" in readme, bench


def test_check_fails_when_a_result_changes_and_report_fixes_it(copy: Path) -> None:
    path = copy / "bench" / "results" / "health.json"
    result = json.loads(path.read_text())
    result["data"]["rounds"][0]["livez_wrapper"]["cpu_us"] *= 3
    path.write_text(json.dumps(result))

    checked = run_report(copy, "--check")
    assert checked.returncode == 1
    assert "bench/README.md differs" in checked.stdout
    assert "docs/_bench/health.inc differs" in checked.stdout

    assert run_report(copy).returncode == 0
    assert run_report(copy, "--check").returncode == 0


def test_check_fails_when_a_table_is_edited_by_hand(copy: Path) -> None:
    fragment = copy / "docs" / "_bench" / "reload.inc"
    fragment.write_text(fragment.read_text().replace("0 /", "0 of", 1))
    checked = run_report(copy, "--check")
    assert checked.returncode == 1
    assert "docs/_bench/reload.inc differs" in checked.stdout


def test_check_fails_for_results_without_a_renderer(copy: Path) -> None:
    shutil.copy(copy / "bench/results/reload.json", copy / "bench/results/unknown.json")
    checked = run_report(copy, "--check")
    assert checked.returncode == 1
    assert "no renderer registered" in checked.stderr


def test_check_fails_for_a_table_no_docs_page_includes(copy: Path) -> None:
    page = copy / "docs" / "benchmarks.rst"
    page.write_text(page.read_text().replace(".. include:: _bench/reload.inc", ""))
    checked = run_report(copy, "--check")
    assert checked.returncode == 1
    assert "_bench/reload.inc" in checked.stdout


def test_every_max_and_median_says_over_how_many_rounds() -> None:
    for bench, renderer in report.BENCHES.items():
        rendered = renderer(report.load(bench))
        headers = [
            cell for block in rendered.blocks if isinstance(block, Table) for cell in block.header
        ]
        assert headers, bench
        for cell in headers:
            if {"max", "p50", "p99", "turnover"} & set(cell.replace("(", " ").split()):
                assert "round" in cell, (bench, cell)
