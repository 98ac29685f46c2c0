"""safe_migrate shows each migration as it applies it and how long it took: a live line
on a terminal (a real pseudo-terminal here), plain lines otherwise."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.harness.site import manage
from tests.harness.terminal import ESCAPES, run_on_a_terminal, screen_lines

# A nullable field (safe) and a migration that takes a while (RunPython: a warning).
ADD_FIELD = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial")]
    operations = [
        migrations.AddField("post", "subtitle", models.CharField(max_length=200, null=True)),
    ]
"""
SLOW = """import time

from django.db import migrations


def backfill(apps, schema_editor):
    time.sleep(0.8)


class Migration(migrations.Migration):
    dependencies = [("blog", "0002_post_subtitle")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
"""


def two_migrations(site: Path) -> None:
    (site / "blog" / "migrations" / "0002_post_subtitle.py").write_text(ADD_FIELD)
    (site / "blog" / "migrations" / "0003_backfill.py").write_text(SLOW)


def test_on_a_terminal_each_migration_is_shown_while_it_runs(site: Path) -> None:
    two_migrations(site)
    code, screen, _ = run_on_a_terminal(site, "safe_migrate")
    assert code == 0, screen
    lines = screen_lines(screen)
    done = [line for line in lines if line.startswith("✓ Applied")]
    assert [line.split(" in ")[0] for line in done] == [
        "✓ Applied blog.0002_post_subtitle",
        "✓ Applied blog.0003_backfill",
    ], lines
    assert re.search(r"in 0\.[89]\d*s|in [1-9]\.\d\ds", done[1]), done  # took its 0.8 s
    # While it ran: the live line with the seconds so far, redrawn.
    live = [line for line in lines if re.search(r"Applying blog\.0003_backfill · \d\.\ds", line)]
    assert len({line.strip() for line in live}) >= 2, lines
    assert "\r" in screen


def test_not_on_a_terminal_plain_lines_with_the_time(site: Path) -> None:
    two_migrations(site)
    result = manage(site, "safe_migrate", check=False)
    assert result.returncode == 0, result.stderr
    assert not ESCAPES.search(result.stderr)
    assert "  Applying blog.0002_post_subtitle...\n" in result.stderr
    assert re.search(
        r"^  Applied blog\.0003_backfill in (0\.[89]|[1-9]\.)\d*s$", result.stderr, re.M
    )


def test_json_on_a_terminal_is_one_document_and_plain_progress(site: Path) -> None:
    two_migrations(site)
    code, screen, stdout = run_on_a_terminal(
        site, "safe_migrate", "--format", "json", stdout_too=False
    )
    assert code == 0, screen
    assert json.loads(stdout)["verdict"] == "ok"
    assert not ESCAPES.search(screen)
    assert "  Applied blog.0003_backfill in" in screen


def test_unapplying_is_shown_too_and_verbosity_0_shows_nothing(site: Path) -> None:
    two_migrations(site)
    assert manage(site, "safe_migrate", "-v", "0", check=False).stderr == ""
    result = manage(site, "safe_migrate", "blog", "0002", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "  Unapplying blog.0003_backfill...\n" in result.stderr
    assert re.search(r"^  Unapplied blog\.0003_backfill in \d+\.\d\ds$", result.stderr, re.M)
