"""safe_migrate as a process: from the command line it skips the interpreter's last collection.

The process exits right after the command, and that collection would walk every
model class the analysis rendered. ``call_command`` (a process that goes on) keeps it.
"""

from __future__ import annotations

from pathlib import Path

from tests.test_golden_history import django

FROZEN = """
import gc
from django.core.management import ManagementUtility, call_command
try:
    {run}
except BaseException:  # the golden history is refused: exit 1
    pass
print("frozen", gc.get_freeze_count())
"""


def frozen_after(tmp_path: Path, run: str) -> int:
    result = django(tmp_path / "db.sqlite3", "shell", "-c", FROZEN.format(run=run))
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split("frozen")[-1])


def test_from_the_command_line_the_last_collection_is_skipped_even_when_refused(
    tmp_path: Path,
) -> None:
    argv = "['manage.py', 'safe_migrate', '--check', '--format', 'json']"
    assert frozen_after(tmp_path, f"ManagementUtility({argv}).execute()") > 0


def test_call_command_leaves_the_collector_alone(tmp_path: Path) -> None:
    assert frozen_after(tmp_path, "call_command('safe_migrate', '--check')") == 0
