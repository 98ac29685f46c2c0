"""Fleet awareness for real: two Gunicorn instances posing as two hosts report their
release through /healthz heartbeats; a drop waits until both are rolled.

Marked slow (four Gunicorn starts): run by ``make test-slow``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.harness.site import (
    RETIRED,
    SUBTITLE,
    Gunicorn,
    copy_example_project,
    http_get,
    manage,
    set_subtitle,
)

pytestmark = pytest.mark.slow


def env_for(host: str, release: str, database_url: str) -> dict[str, str]:
    return {
        "ZERODOWNTIME_HOST": host,
        "ZERODOWNTIME_RELEASE": release,
        "DATABASE_URL": database_url,
    }


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def fleet(site: Path, database_url: str) -> dict[str, str]:
    env = env_for("admin", "release-admin", database_url)
    out = ok(
        manage(site, "safe_migrate", "--fleet", "--format", "json", env=env, check=False)
    ).stdout
    return {entry["host"]: entry["release"] for entry in json.loads(out)["hosts"]}


def wait_for_fleet(site: Path, database_url: str, expected: dict[str, str]) -> None:
    """Probe nothing here: heartbeats are written in the background after a /healthz."""
    deadline = time.monotonic() + 30
    seen: dict[str, str] = {}
    while time.monotonic() < deadline:
        seen = fleet(site, database_url)
        if seen == expected:
            return
        time.sleep(0.3)
    raise AssertionError(f"fleet is {seen}, expected {expected}")


def serve(site: Path, host: str, release: str, database_url: str) -> Gunicorn:
    server = Gunicorn(site, workers=1, env=env_for(host, release, database_url)).start()
    status, _body = http_get(server.url, "/healthz")  # triggers this process's heartbeat
    assert status == 200, server.log()
    return server


def test_drop_waits_for_every_host_reporting_by_heartbeat(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    host_a = copy_example_project(tmp_path / "a")
    host_b = copy_example_project(tmp_path / "b")
    admin = copy_example_project(tmp_path / "admin")  # where the next releases are built
    for site in (host_a, host_b, admin):
        set_subtitle(site, SUBTITLE)
    env1 = env_for("deployer", "release-1", database_url)
    ok(manage(admin, "makemigrations", "blog", "-n", "post_subtitle", env=env1, check=False))
    for site in (host_a, host_b):
        shutil.copytree(
            admin / "blog" / "migrations", site / "blog" / "migrations", dirs_exist_ok=True
        )
    ok(manage(admin, "safe_migrate", env=env1, check=False))

    servers: list[Gunicorn] = []
    try:
        servers += [serve(host_a, "host-a", "release-1", database_url)]
        servers += [serve(host_b, "host-b", "release-1", database_url)]
        wait_for_fleet(admin, database_url, {"host-a": "release-1", "host-b": "release-1"})

        # Rolling deploy of release 2 (stops using subtitle): host A first.
        set_subtitle(host_a, RETIRED)
        servers.pop(0).stop()
        servers.insert(0, serve(host_a, "host-a", "release-2", database_url))
        wait_for_fleet(admin, database_url, {"host-a": "release-2", "host-b": "release-1"})

        # Release 3 deletes the line: refused while host B runs release 1.
        set_subtitle(admin, "")
        env3 = env_for("deployer", "release-3", database_url)
        ok(
            manage(
                admin, "makemigrations", "blog", "-n", "remove_post_subtitle", env=env3, check=False
            )
        )
        refused = manage(admin, "safe_migrate", "--format", "json", env=env3, check=False)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        reasons = json.dumps(json.loads(refused.stdout)["migrations"])
        assert "host host-b running release release-2" not in reasons
        assert "host host-b running release release-1 (heartbeat since" in reasons
        assert "host-a" not in reasons

        set_subtitle(host_b, RETIRED)  # host B rolled too
        servers.pop(1).stop()
        servers.append(serve(host_b, "host-b", "release-2", database_url))
        wait_for_fleet(admin, database_url, {"host-a": "release-2", "host-b": "release-2"})
        applied = ok(manage(admin, "safe_migrate", env=env3, check=False))
        assert "blog.0003_remove_post_subtitle: apply" in applied.stdout
        for server in servers:  # release 2 keeps serving after the drop
            assert http_get(server.url, "/")[0] == 200
    finally:
        for server in servers:
            server.stop()
