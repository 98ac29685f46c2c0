"""What every benchmark shares: children that must not crash, and results with provenance.

A bench writes its raw figures to ``bench/results/<bench>.json`` with
:func:`write_result`; ``bench/report.py`` turns those files into every table
of ``bench/README.md`` and the docs. A child process that exits with a code
the bench did not expect, or whose JSON does not parse, stops the bench
(:class:`ChildFailed`): a crash must never pass for a figure.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
from collections.abc import Collection, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


class ChildFailed(SystemExit):
    """A child exited with an unexpected code or printed something unreadable."""


def run_child(
    args: Sequence[str],
    *,
    expect: Collection[int] = (0,),
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 3600,
) -> subprocess.CompletedProcess[str]:
    """Run ``args``; anything but an expected exit code fails the bench, with its stderr."""
    result = subprocess.run(
        list(args), cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    check_exit(result, expect)
    return result


def check_exit(result: subprocess.CompletedProcess[str], expect: Collection[int] = (0,)) -> None:
    if result.returncode not in expect:
        command = " ".join(str(a) for a in result.args)
        raise ChildFailed(
            f"{command} exited {result.returncode} (expected {sorted(expect)}):\n"
            f"{(result.stderr or '')[-3000:]}"
        )


def parse_json(text: str, what: str) -> Any:
    """The one JSON document a command printed on stdout, or fail the bench."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ChildFailed(f"{what} did not print JSON ({error}):\n{text[-2000:]}") from None


def _git(*args: str) -> str:
    result = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    # Trailing newline only: `status --porcelain` lines start with a meaningful space.
    return result.stdout.rstrip("\n") if result.returncode == 0 else ""


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def provenance(notes: str, distributions: Sequence[str] = ()) -> dict[str, Any]:
    """Where and on what a run happened; taken at the start of the run."""
    changed = _git("status", "--porcelain", "--untracked-files=no").splitlines()
    return {
        "commit": _git("rev-parse", "HEAD"),
        # The tracked files that differed from the commit when the run started (results
        # written by an earlier bench of the same session are outputs, not code).
        "uncommitted_changes": sorted(
            line[3:] for line in changed if not line[3:].startswith("bench/results/")
        ),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "python": platform.python_version(),
        "django": _version("django"),
        "versions": {name: _version(name) for name in ("gunicorn", *distributions)},
        "cpu_count": os.cpu_count(),
        "load_average_start": [round(v, 2) for v in os.getloadavg()],
        "notes": notes,
    }


def write_result(
    bench: str, environment: dict[str, Any], options: Mapping[str, Any], data: Any
) -> Path:
    """Write ``bench/results/<bench>.json``: the raw figures and where they came from."""
    environment = {
        **environment,
        "load_average_end": [round(v, 2) for v in os.getloadavg()],
    }
    document = {
        "bench": bench,
        "script": "bench/" + Path(sys.argv[0]).name,
        "environment": environment,
        "options": dict(options),
        "data": data,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{bench}.json"
    path.write_text(json.dumps(document, indent=1) + "\n")
    print(f"wrote {path.relative_to(REPO)}; now run bench/report.py", file=sys.stderr)
    return path


def add_notes_option(parser: Any) -> None:
    parser.add_argument(
        "--notes",
        default="",
        help="what to know about the machine during the run (e.g. other jobs running)",
    )
