"""The fleet-aware drop rule, end to end: two hosts, a rolling deploy, a drop.

Two Gunicorn instances of the example project pose as two hosts
(``ZERODOWNTIME_HOST`` host-blue and host-green) behind a real Nginx (the
shipped ``nginx-rolling.conf``: both always in the upstream, traffic moved
by their drain flags, no Nginx reload), under the strict API client's load
(nothing ever sent twice), sharing one database. Each reports its release through its health
endpoint (heartbeat rollouts in the ledger). The releases:

- r1: ``Post.body`` is used (the shipped example);
- r2: ``body = unused(...)``, with the AlterField makemigrations emits;
- r3: the ``body`` line deleted, with the RemoveField.

Half-way through the rolling deploy of r2 (host-blue on r2, host-green still
on r1), ``safe_migrate`` with r3's code must refuse the drop and name
host-green and r1; once host-green runs r2 it must apply it, and no request
may fail along the way: every POST answered 201 is stored exactly once.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.databases import scratch_database
from tests.harness.nginx_site import (
    Instance,
    Site,
    assert_exactly_once,
    assert_no_failures,
    start_site,
)
from tests.harness.site import copy_example_project, http_get, manage

pytestmark = [pytest.mark.nginx, pytest.mark.db]

BODY_LINE = "    body = models.TextField(blank=True)\n"
UNUSED_BODY_LINE = "    body = unused(models.TextField(blank=True))\n"


def stop_using_body(project: Path) -> None:
    """Release 2's code: body marked unused, and no template reads it."""
    models = project / "blog" / "models.py"
    text = models.read_text().replace(BODY_LINE, UNUSED_BODY_LINE)
    models.write_text("from django_zerodowntime import unused\n" + text)
    detail = project / "blog" / "templates" / "blog" / "detail.html"
    detail.write_text(detail.read_text().replace("<div>{{ post.body|linebreaks }}</div>\n", ""))


def drop_body(project: Path) -> None:
    """Release 3's code: the line is gone."""
    models = project / "blog" / "models.py"
    models.write_text(models.read_text().replace(UNUSED_BODY_LINE, ""))


def makemigrations(project: Path, site: Site) -> list[str]:
    manage(project, "makemigrations", "blog", env={"DATABASE_URL": site.blue.database_url})
    return sorted(p.name for p in (project / "blog" / "migrations").glob("0*.py"))


def copy_code(source: Path, target: Path) -> None:
    for relative in ("blog/models.py", "blog/templates/blog/detail.html"):
        shutil.copy(source / relative, target / relative)
    for migration in (source / "blog" / "migrations").glob("0*.py"):
        shutil.copy(migration, target / "blog" / "migrations" / migration.name)


def fleet(site: Site) -> dict[str, str]:
    result = manage(
        site.blue.project,
        "safe_migrate",
        "--fleet",
        "--format=json",
        env={"DATABASE_URL": site.blue.database_url},
    )
    return {row["host"]: row["release"] for row in json.loads(result.stdout)["hosts"]}


def probe_until_fleet(site: Site, instance: Instance, expected: dict[str, str]) -> None:
    """Probe like a load balancer until the ledger shows ``expected``."""
    deadline = time.monotonic() + 30
    while True:
        for _ in range(4):  # reach every worker: each sends its own first heartbeat
            http_get(f"http://{instance.address}", "/healthz")
        seen = fleet(site)
        if all(seen.get(host) == release for host, release in expected.items()):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the ledger shows {seen}, not {expected}")
        time.sleep(0.5)


def safe_migrate_r3(next_release: Path, site: Site) -> tuple[int, str]:
    result = manage(
        next_release,
        "safe_migrate",
        "--noinput",
        env={"DATABASE_URL": site.blue.database_url, "ZERODOWNTIME_RELEASE": "r3"},
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh database shared by both hosts, on the vendor the suite runs on."""
    with scratch_database(tmp_path) as url:
        yield url


@pytest.fixture
def two_hosts(tmp_path: Path, database_url: str) -> Iterator[Site]:
    yield from start_site(tmp_path, "nginx-rolling.conf", database_url=database_url)


def test_drop_is_refused_while_a_host_runs_the_old_release_then_allowed(
    two_hosts: Site, tmp_path: Path
) -> None:
    site = two_hosts
    blue, green = site.blue, site.green
    probe_until_fleet(site, blue, {"host-blue": "r1"})
    probe_until_fleet(site, green, {"host-green": "r1"})

    # The next two releases' code, written by the developer (makemigrations).
    stop_using_body(blue.project)
    assert makemigrations(blue.project, site)[-1] == "0002_alter_post_body.py"
    next_release = copy_example_project(tmp_path / "next")
    copy_code(blue.project, next_release)
    drop_body(next_release)
    assert makemigrations(next_release, site)[-1] == "0003_remove_post_body.py"

    load = site.load()
    time.sleep(1)
    # Rolling deploy of r2: migrate first (an AlterField to NULL is safe for r1).
    blue.write_release("r2")  # on disk; blue's workers still run r1
    manage(blue.project, "safe_migrate", "--noinput", env=blue.env())
    site.switch_drain("green")  # blue drains: Nginx sends its requests to green
    blue.reload("r2")
    site.switch_drain("blue", "--expect-release=r2")
    probe_until_fleet(site, blue, {"host-blue": "r2", "host-green": "r1"})

    code, output = safe_migrate_r3(next_release, site)
    assert code == 1, output
    assert "host host-green running release r1" in output
    assert "blog_post.body" in output

    copy_code(blue.project, green.project)
    green.reload("r2")
    site.switch_drain("both", "--expect-release=r2")
    probe_until_fleet(site, green, {"host-blue": "r2", "host-green": "r2"})

    code, output = safe_migrate_r3(next_release, site)
    assert code == 0, output
    time.sleep(1)  # r2 keeps writing posts after the column is gone
    report = load.stop()
    assert_no_failures(report, site)
    assert report.last_body("get-new") == "release 2"
    assert report.answered("POST", 201) > 0
    assert_exactly_once(report, site)
