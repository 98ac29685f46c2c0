"""The shipped rolling deploy across three hosts, one of which dies half-way.

Three hosts, each its own network namespace (``tests/harness/netns.py``:
its own address, nothing routed off this machine), each running its own
Gunicorn of the example project through the shipped ``gunicorn@.service``
(``tests/harness/fake_systemctl.py``), one Nginx in front (the shipped
``nginx-rolling.conf`` with a third server line), one PostgreSQL ledger
shared by all (reached over its Unix socket, which no network namespace
hides). ``deploy-rolling.sh`` runs unchanged with ``INSTANCES`` listing the
three hosts, under the strict API client's load.

Release 2 stops using ``Post.body``; release 3 drops it. Once the script
has rolled h1 and h2 and drained h3, h3 dies (its Gunicorn killed, its
namespace deleted). The script must stop and name h3; no request may fail
(h1 and h2 serve; Nginx sends what it tries on h3 to them); and the drop
must be refused while the ledger shows h3 on release 1, then applied once
h3's last heartbeat is older than ``FLEET_EXPIRY_SECONDS`` (short here).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import missing
from tests.harness.load import LoadClient, Resend, api_streams
from tests.harness.load_report import assert_clean
from tests.harness.netns import Host, hosts, require_netns
from tests.harness.nginx import Nginx
from tests.harness.shipped_deploy import (
    DEPLOY,
    Origin,
    end_instances,
    git,
    start_script,
    systemctl,
    write_instance_env,
)
from tests.harness.site import http_get
from tests.test_nginx_fleet import drop_body, stop_using_body

pytestmark = [pytest.mark.slow, pytest.mark.nginx]

HEARTBEAT_SECONDS = 1.0
FLEET_EXPIRY_SECONDS = 8.0
SETTINGS_TAIL = (
    f"ZERODOWNTIME['HEARTBEAT_SECONDS'] = {HEARTBEAT_SECONDS}\n"
    f"ZERODOWNTIME['FLEET_EXPIRY_SECONDS'] = {FLEET_EXPIRY_SECONDS}\n"
)
PG_SOCKET_DIR = "/var/run/postgresql"
PORT = 8000


@pytest.fixture
def ledger_url() -> Iterator[str]:
    """A fresh PostgreSQL database, reached through the Unix socket from every host."""
    try:
        import psycopg

        admin = psycopg.connect(
            f"host={PG_SOCKET_DIR} user=postgres dbname=postgres", autocommit=True
        )
    except Exception as error:
        missing(f"PostgreSQL is not reachable on {PG_SOCKET_DIR}: {error}")
    name = f"zdt_hosts_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgres://postgres@{PG_SOCKET_DIR.replace('/', '%2F')}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(project: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env={
            "PATH": os.environ["PATH"],
            "DATABASE_URL": database_url,
            "PYTHONDONTWRITEBYTECODE": "1",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def fleet(project: Path, database_url: str) -> dict[str, str]:
    result = manage(project, database_url, "safe_migrate", "--fleet", "--format=json")
    assert result.returncode == 0, result.stderr
    return {row["host"]: row["release"] for row in json.loads(result.stdout)["hosts"]}


def three_server_conf(addresses: list[str]) -> str:
    """nginx-rolling.conf ("two (or more) instances") with a third server line."""
    shipped = (DEPLOY / "nginx-rolling.conf").read_text()
    second = "    server 127.0.0.1:8001 max_fails=0;   # b\n"
    assert second in shipped
    return shipped.replace(second, second + f"    server {addresses[2]} max_fails=0;   # c\n")


def wait_for(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        time.sleep(0.5)


LOG_LINE = re.compile(r'(\S+) \S+ (\d+) "([^"]*)" "[^"]*" "([^"]*)"')


def unanswered(nginx: Nginx, killed_at: float) -> list[tuple[float, str]]:
    """(start, last server tried) of each request Nginx answered neither 200 nor 201,
    from its access log; each must have started before the kill."""
    found = []
    for line in (nginx.tmp / "access.log").read_text().splitlines():
        match = LOG_LINE.fullmatch(line)
        assert match, line
        ended, status, servers, seconds = match.groups()
        if status in ("200", "201"):
            continue
        spent = sum(float(s) for s in re.split(r", | : ", seconds) if s != "-")
        found.append((float(ended) - spent, re.split(r", | : ", servers)[-1]))
        assert found[-1][0] <= killed_at + 0.1, f"failed after the kill: {line}"
    return found


@contextlib.contextmanager
def health_checks(addresses: list[str]) -> Iterator[None]:
    """Ask every host's /healthz twice a second, as a monitor would: each process
    sends its heartbeat at most every HEARTBEAT_SECONDS, so a host's last one is
    at most that old when it dies."""
    stop = threading.Event()

    def probe() -> None:
        while not stop.wait(0.5):
            for address in addresses:
                with contextlib.suppress(OSError):
                    http_get(f"http://{address}", "/healthz", timeout=1)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def kill_host(root: Path, host: Host) -> None:
    """The machine vanishes: every process of its Gunicorn, then its network."""
    pgid = int((root / "run" / f"example-{host.name}" / "pgid").read_text())
    os.killpg(pgid, signal.SIGKILL)
    host.remove()


def start_hosts(root: Path, machines: list[Host], ledger_url: str) -> list[str]:
    """``systemctl start gunicorn@NAME`` on each host; their addresses."""
    addresses = [f"{host.address}:{PORT}" for host in machines]
    for host, address in zip(machines, addresses, strict=True):
        values = {"GUNICORN_BIND": address, "DATABASE_URL": ledger_url, "NETNS": host.netns}
        write_instance_env(root, host.name, {**values, "GUNICORN_GRACEFUL_TIMEOUT": "10"})
        started = subprocess.run([*systemctl(root).split(), "start", f"gunicorn@{host.name}"])
        assert started.returncode == 0, f"gunicorn@{host.name} did not start"
    return addresses


def next_two_releases(origin: Origin, ledger_url: str) -> tuple[str, str]:
    """The developer's work: r2 stops using body (pushed), r3 drops it (committed only)."""
    stop_using_body(origin.project)
    manage(origin.project, ledger_url, "makemigrations", "blog")
    r2 = origin.commit("release 2")
    drop_body(origin.project)
    manage(origin.project, ledger_url, "makemigrations", "blog")
    git(origin.work, "add", "-A")
    git(origin.work, "commit", "-q", "-m", "release 3")
    return r2, git(origin.work, "rev-parse", "HEAD")[:12]


def deploy_killing_the_last(
    root: Path, checkout: Path, ledger_url: str, nginx: Nginx, machines: list[Host]
) -> tuple[int, str, float]:
    """deploy-rolling.sh over the hosts; the last one dies once it drains (the
    switch that makes the one before it serve the new release). Exit status,
    output, when it died."""
    addresses = [f"{host.address}:{PORT}" for host in machines]
    instances = " ".join(
        f"{host.name}={address}={root}/var/lib/example-{host.name}/drain"
        for host, address in zip(machines, addresses, strict=True)
    )
    script = start_script(
        "deploy-rolling.sh",
        {
            "APP_DIR": str(checkout),
            "DATABASE_URL": ledger_url,
            "INSTANCES": instances,
            "PUBLIC_URL": nginx.status_url,
            "SYSTEMCTL": systemctl(root),
        },
    )
    assert script.stdout is not None
    output, killed_at = [], 0.0
    for line in script.stdout:
        output.append(line)
        if f"traffic now goes to blue ({addresses[-2]})" in line:
            killed_at = time.time()
            kill_host(root, machines[-1])
    return script.wait(300), "".join(output), killed_at


def test_rolling_deploy_across_three_hosts_one_dies(tmp_path: Path, ledger_url: str) -> None:
    require_netns()
    root = tmp_path / "root"
    origin = Origin(tmp_path, settings_tail=SETTINGS_TAIL)
    r1 = origin.commit("release 1")
    checkout = origin.clone(root / "srv" / "example")
    project = checkout / "example_project"
    names = ["h1", "h2", "h3"]
    for name in names:  # one checkout for every instance (one file system)
        (checkout / name).symlink_to(".")
    assert manage(project, ledger_url, "migrate", "--noinput").returncode == 0
    this = socket.gethostname()  # gunicorn@.service: ZERODOWNTIME_HOST=%H-%i

    with contextlib.ExitStack() as stack:
        machines = stack.enter_context(hosts(names))
        stack.callback(end_instances, root)
        addresses = start_hosts(root, machines, ledger_url)

        def all_on_r1() -> bool:
            for address in addresses:  # each worker beats on its first /healthz
                for _ in range(4):
                    http_get(f"http://{address}", "/healthz")
            seen = fleet(project, ledger_url)
            return all(seen.get(f"{this}-{name}") == r1 for name in names)

        wait_for(all_on_r1, "every host's heartbeat on release 1", 30)
        stack.enter_context(health_checks(addresses))
        r2, r3 = next_two_releases(origin, ledger_url)
        (tmp_path / "nginx").mkdir()
        nginx = Nginx(
            tmp_path / "nginx",
            three_server_conf(addresses),
            tmp_path / "nginx" / "unused.conf",
            addresses[:2],
        ).start()
        stack.callback(nginx.stop)
        client = LoadClient(nginx.url, api_streams(), Resend.NEVER, timeout=20).start()
        time.sleep(1)
        code, text, killed_at = deploy_killing_the_last(root, checkout, ledger_url, nginx, machines)

        # The script stopped at h3 and said so; h1 and h2 serve release 2.
        assert code == 1, text
        assert f"deploy stopped at instance h3 ({addresses[2]})" in text
        status, body = http_get(nginx.url, "/version/", timeout=10)
        assert (status, body) == (200, b"release 2"), (text, nginx.error_log()[-3000:])
        seen = fleet(project, ledger_url)
        assert seen == {f"{this}-h1": r2, f"{this}-h2": r2, f"{this}-h3": r1}

        # The drop is refused while h3's release 1 counts...
        refused = manage(origin.project, ledger_url, "safe_migrate", "--noinput")
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"host {this}-h3 running release {r1}" in refused.stdout + refused.stderr
        # ...and applied once h3's last heartbeat is FLEET_EXPIRY_SECONDS old.
        wait_for(
            lambda: f"{this}-h3" not in fleet(project, ledger_url),
            "h3's heartbeat to expire",
            FLEET_EXPIRY_SECONDS + 10,
        )
        applied = manage(origin.project, ledger_url, "safe_migrate", "--noinput")
        assert applied.returncode == 0, applied.stdout + applied.stderr
        assert "0003_remove_post_body" in applied.stdout
        allowed_after = time.time() - killed_at
        time.sleep(1)  # h1 and h2 keep writing posts after the column is gone
        report = client.stop()

    # A request in flight on h3 when it vanished gets no answer (Nginx never sends a
    # POST that reached a server again): each failure must be one of those.
    on_h3 = unanswered(nginx, killed_at)
    assert {address for _, address in on_h3} <= {addresses[2]}, on_h3
    assert report.failed == len(on_h3) <= sum(stream.threads for stream in api_streams())
    assert_clean(report.where(lambda sample: not sample.failed))  # none resent
    assert report.answered("POST", 201) > 0
    assert report.last_body("get-new") == "release 2"
    print(next(line for line in text.splitlines() if "deploy stopped" in line))
    print(
        f"failed: {report.failed}, each in flight on h3 when it died: {on_h3}; the drop "
        f"of release {r3} was allowed {allowed_after:.1f} s after h3 died"
    )
