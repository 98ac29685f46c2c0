"""The shipped deploy scripts, run as they ship, under load through a real Nginx.

``example_project/deploy/deploy-{single,rolling,bluegreen}.sh`` are run with
bash, unchanged: only their documented variables point at a test checkout
(cloned from a local bare repository, so ``git pull`` is real), its venv,
free ports, drain flags under a temp root and, for the two Nginx scripts,
``SYSTEMCTL`` = ``tests/harness/fake_systemctl.py``, which runs the shipped
``gunicorn@.service``'s own ``ExecStart=`` and ``ExecReload=``
(``graceful_reload``) against real Gunicorn processes. Nginx runs the
shipped site configuration. The strict API client (nothing ever sent
twice, POSTs included) loads the site through Nginx the whole time; each
deploy must fail no request, serve the new release and leave the ledger
naming the new release for every instance.
"""

from __future__ import annotations

import ast
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.load import LoadClient, Resend, api_streams
from tests.harness.load_report import LoadReport, assert_clean
from tests.harness.nginx import Nginx
from tests.harness.shipped_deploy import (
    DEPLOY,
    Origin,
    described,
    end_instances,
    run_script,
    systemctl,
    write_instance_env,
)
from tests.harness.site import Gunicorn, free_port, http_get

pytestmark = [pytest.mark.slow, pytest.mark.nginx]


def fleet(project: Path, database_url: str) -> dict[str, str]:
    """Host -> release, as ``safe_migrate --fleet`` reads the ledger."""
    result = subprocess.run(
        [
            str(project.parent / "venv" / "bin" / "python"),
            "manage.py",
            "safe_migrate",
            "--fleet",
            "--format=json",
        ],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return {row["host"]: row["release"] for row in json.loads(result.stdout)["hosts"]}


def reload_rollouts(project: Path, database_url: str) -> set[tuple[str, str]]:
    """(host, release) of every rollout graceful_reload recorded: these never expire,
    so one naming the old release would block drops for good."""
    code = (
        "from django_zerodowntime.models import Rollout; print(sorted(set("
        "Rollout.objects.filter(source='reload').values_list('host', 'release_id'))))"
    )
    result = subprocess.run(
        [str(project.parent / "venv" / "bin" / "python"), "manage.py", "shell", "-c", code],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )
    return {tuple(row) for row in ast.literal_eval(result.stdout.strip().splitlines()[-1])}


def migrate(checkout: Path, database_url: str) -> None:
    subprocess.run(
        [str(checkout / "venv" / "bin" / "python"), "manage.py", "migrate", "--noinput", "-v0"],
        cwd=checkout / "example_project",
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": database_url},
        check=True,
    )


def start_nginx(tmp: Path, conf: str, addresses: list[str]) -> Nginx:
    (tmp / "nginx").mkdir()
    shipped = (DEPLOY / conf).read_text()
    return Nginx(tmp / "nginx", shipped, tmp / "nginx" / "unused.conf", addresses).start()


def load(nginx: Nginx) -> LoadClient:
    client = LoadClient(nginx.url, api_streams(), Resend.NEVER, timeout=20).start()
    time.sleep(1)
    return client


def assert_served_without_failure(report: LoadReport, nginx: Nginx, release_text: str) -> None:
    try:
        assert_clean(report)  # no failure, no request sent twice
    except AssertionError as error:
        raise AssertionError(f"{error}\nnginx: {nginx.error_log()[-2000:]}") from None
    assert report.answered("POST", 201) > 0
    assert report.last_body("get-new") == report.last_body("get-keepalive") == release_text


def unit_env(root: Path, name: str, port: int, database_url: str) -> None:
    write_instance_env(
        root,
        name,
        {
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "DATABASE_URL": database_url,
            "GUNICORN_GRACEFUL_TIMEOUT": "10",
        },
    )


def start_unit(root: Path, name: str) -> None:
    done = subprocess.run([*systemctl(root).split(), "start", f"gunicorn@{name}"], check=False)
    assert done.returncode == 0, f"gunicorn@{name} did not start: {root}/run/example-{name}"


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """The stand-in for /: /srv, /run, /var/lib, /etc of the units."""
    path = tmp_path / "root"
    path.mkdir()
    yield path
    end_instances(path)


def test_deploy_single_sh(tmp_path: Path) -> None:
    """One instance, reloaded by graceful_reload from the script (no systemctl)."""
    origin = Origin(tmp_path)
    origin.commit("release 1")
    checkout = origin.clone(tmp_path / "srv" / "example")
    database_url = f"sqlite:///{tmp_path}/db.sqlite3"
    migrate(checkout, database_url)
    env = {"DATABASE_URL": database_url, "ZERODOWNTIME_HOST": "web-1"}
    with Gunicorn(checkout / "example_project", env=env) as gunicorn:
        nginx = start_nginx(tmp_path, "nginx-rolling.conf", [f"127.0.0.1:{gunicorn.port}"] * 2)
        try:
            release = origin.commit("release 2")
            client = load(nginx)
            result = run_script(
                "deploy-single.sh",
                {
                    **env,
                    "APP_DIR": str(checkout),
                    "SITE_URL": gunicorn.url,
                    "PIDFILE": str(gunicorn.pidfile),
                },
            )
            time.sleep(1)
            report = client.stop()
        finally:
            nginx.stop()
    assert result.returncode == 0, described(result)
    assert f"release {release} is live" in result.stdout
    assert_served_without_failure(report, nginx, "release 2")
    assert fleet(checkout / "example_project", database_url)["web-1"] == release
    assert reload_rollouts(checkout / "example_project", database_url) == {("web-1", release)}


def test_deploy_rolling_sh(tmp_path: Path, root: Path) -> None:
    """gunicorn@a and gunicorn@b of one checkout, drained and reloaded one at a time."""
    origin = Origin(tmp_path)
    origin.commit("release 1")
    checkout = origin.clone(root / "srv" / "example")
    for name in ("a", "b"):  # "two symlinks to one checkout are fine" (gunicorn@.service)
        (checkout / name).symlink_to(".")
    database_url = f"sqlite:///{tmp_path}/db.sqlite3"
    migrate(checkout, database_url)
    ports = {"a": free_port(), "b": free_port()}
    for name, port in ports.items():
        unit_env(root, name, port, database_url)
        start_unit(root, name)
    addresses = [f"127.0.0.1:{ports['a']}", f"127.0.0.1:{ports['b']}"]
    nginx = start_nginx(tmp_path, "nginx-rolling.conf", addresses)
    try:
        release = origin.commit("release 2")
        client = load(nginx)
        result = run_script(
            "deploy-rolling.sh",
            {
                "APP_DIR": str(checkout),
                "DATABASE_URL": database_url,
                "A": addresses[0],
                "B": addresses[1],
                "A_DRAIN": f"{root}/var/lib/example-a/drain",
                "B_DRAIN": f"{root}/var/lib/example-b/drain",
                "PUBLIC_URL": nginx.status_url,
                "SYSTEMCTL": systemctl(root),
            },
        )
        time.sleep(1)
        report = client.stop()
    finally:
        nginx.stop()
    assert result.returncode == 0, described(result)
    assert f"release {release} is live on {addresses[0]} {addresses[1]}" in result.stdout
    assert_served_without_failure(report, nginx, "release 2")
    host = socket.gethostname()
    seen = fleet(checkout / "example_project", database_url)
    assert {seen[f"{host}-a"], seen[f"{host}-b"]} == {release}
    reloads = reload_rollouts(checkout / "example_project", database_url)
    assert reloads == {(f"{host}-a", release), (f"{host}-b", release)}


def test_deploy_bluegreen_sh_twice(tmp_path: Path, root: Path) -> None:
    """Green is started (drained) by the first deploy and goes live; the second
    deploy reloads blue, now idle, and switches back to it."""
    origin = Origin(tmp_path)
    origin.commit("release 1")
    database_url = f"sqlite:///{tmp_path}/db.sqlite3"
    ports = {"blue": free_port(), "green": free_port()}
    for name, port in ports.items():
        origin.clone(root / "srv" / "example" / name)
        unit_env(root, name, port, database_url)
    migrate(root / "srv" / "example" / "blue", database_url)
    start_unit(root, "blue")
    drains = {name: root / "var" / "lib" / f"example-{name}" / "drain" for name in ports}
    drains["green"].parent.mkdir(parents=True)
    drains["green"].touch()  # "Once, by hand: the idle side's flag must exist"
    addresses = [f"127.0.0.1:{ports['blue']}", f"127.0.0.1:{ports['green']}"]
    nginx = start_nginx(tmp_path, "nginx-bluegreen.conf", addresses)
    env = {
        "SRV": str(root / "srv" / "example"),
        "DATABASE_URL": database_url,
        "BLUE": addresses[0],
        "GREEN": addresses[1],
        "BLUE_DRAIN": str(drains["blue"]),
        "GREEN_DRAIN": str(drains["green"]),
        "PUBLIC_URL": nginx.status_url,
        "SYSTEMCTL": systemctl(root),
    }
    try:
        client = load(nginx)
        first = origin.commit("release 2")
        to_green = run_script("deploy-bluegreen.sh", env)
        version_after_first = http_get(nginx.url, "/version/")[1].decode()
        second = origin.commit("release 3")
        to_blue = run_script("deploy-bluegreen.sh", env)
        time.sleep(1)
        report = client.stop()
    finally:
        nginx.stop()
    assert to_green.returncode == 0, described(to_green)
    assert f"release {first} is live on green; blue drains" in to_green.stdout
    assert version_after_first == "release 2"
    assert to_blue.returncode == 0, described(to_blue)
    assert f"release {second} is live on blue; green drains" in to_blue.stdout
    assert_served_without_failure(report, nginx, "release 3")
    assert drains["green"].exists()
    assert not drains["blue"].exists()
    host = socket.gethostname()
    seen = fleet(root / "srv" / "example" / "blue" / "example_project", database_url)
    assert seen[f"{host}-blue"] == second
    assert seen[f"{host}-green"] == first  # kept, drained, for a rollback
    reloads = reload_rollouts(root / "srv" / "example" / "blue" / "example_project", database_url)
    assert reloads == {(f"{host}-blue", second)}  # green was started, not reloaded
