"""The deploy figures in bench/README.md and the docs come from the committed results file.

``bench/deploy.py`` writes ``bench/results/deploy.json``; ``--render`` turns it
into the README tables and ``docs/_generated/deploy_figures.inc``. A figure
typed by hand, or a results file committed without rendering, fails here.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def bench_deploy() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_deploy", ROOT / "bench" / "deploy.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_deploy_tables_are_rendered_from_the_results_file() -> None:
    deploy = bench_deploy()
    results = json.loads(deploy.RESULTS.read_text())
    readme = deploy.README.read_text()
    assert f"{deploy.BEGIN}\n{deploy.markdown(results)}{deploy.END}" in readme
    assert deploy.DOCS_FIGURES.read_text() == deploy.rst(results)


def test_the_results_file_says_where_and_how_it_was_measured() -> None:
    results = json.loads((ROOT / "bench" / "results" / "deploy.json").read_text())
    for key in ("commit", "date", "python", "django", "nginx", "cpu_count", "rounds"):
        assert results[key], key
    assert len(results["load_average_before"]) == 3
    for case in results["cases"].values():
        assert len(case["rounds"]) == results["rounds"]
