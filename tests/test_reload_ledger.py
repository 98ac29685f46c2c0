"""A verified reload records Rollout(source="reload") in the ledger, on every vendor."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.databases import scratch_database
from tests.harness.load import LoadClient, streams
from tests.harness.load_report import assert_clean
from tests.harness.site import Gunicorn, copy_example_project, manage, set_release_text


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A database of its own for the example project, on the vendor under test."""
    with scratch_database(tmp_path) as url:
        yield url


@pytest.mark.db
def test_verified_reload_records_a_rollout_for_this_host(tmp_path: Path, database_url: str) -> None:
    project = copy_example_project(tmp_path)
    env = {"DATABASE_URL": database_url, "ZERODOWNTIME_HOST": "web-1"}
    manage(project, "migrate", "-v0", env=env)
    with Gunicorn(project, workers=2, env=env) as gunicorn:
        load = LoadClient(gunicorn.url, streams(posts=1)).start()
        try:
            set_release_text(project, "release 2")
            result = manage(project, "graceful_reload", "--format", "json", env=env, check=False)
        finally:
            report = load.stop()
    assert result.returncode == 0, result.stderr
    assert_clean(report, min_total=1)  # sync workers: no keep-alive, nothing to resend
    document = json.loads(result.stdout)
    assert document["rollout_recorded"] is True
    rows = manage(
        project,
        "shell",
        "-c",
        "from django_zerodowntime.models import Rollout; import json; print(json.dumps("
        "list(Rollout.objects.values_list('release_id', 'host', 'source'))))",
        env=env,
    )
    assert json.loads(rows.stdout.splitlines()[-1]) == [[document["release"], "web-1", "reload"]], (
        rows.stdout
    )
    shutil.rmtree(project, ignore_errors=True)
