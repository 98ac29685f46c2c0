"""A real Nginx in front of two Gunicorn instances of the example project.

Nginx runs the shipped ``example_project/deploy/nginx-*.conf`` with TLS, the
system paths and the instances' addresses swapped for free loopback ports
and a temp dir, so it needs no root paths beyond the binary. Used by the
Nginx tests and ``bench/deploy.py``.

Two ways to switch, as shipped:

- ``nginx-bluegreen.conf`` / ``nginx-rolling.conf`` list both instances;
  :meth:`Site.switch_drain` moves traffic with their drain flags
  (``manage.py switch_drain``), and an instance gets new code by
  :meth:`Instance.reload` (``graceful_reload``) while it drains;
- ``nginx-switch-upstream.conf`` includes a file of server lines that
  :meth:`Site.switch_upstream` rewrites before reloading Nginx, and an
  instance out of that file is restarted cold (:meth:`Instance.deploy`).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require_binary
from tests.harness.load import LoadClient, Resend, Stream, api_streams, post, streams
from tests.harness.load_report import LoadReport, assert_clean
from tests.harness.site import (
    EXAMPLE,
    Gunicorn,
    copy_example_project,
    free_port,
    http_get,
    manage,
    set_release_id,
    set_release_text,
)

ROLLING_PARAMS = "max_fails=1 fail_timeout=5s"  # for the include-file way (switch_upstream)
INCLUDE_FILE_CONF = "nginx-switch-upstream.conf"
SHIPPED_ADDRESSES = ("127.0.0.1:8000", "127.0.0.1:8001")  # blue (a), green (b) in the confs

MAIN_CONF = """\
{user}worker_processes 2;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
    # Which servers each request went to, and how long each took: bench/deploy.py
    # counts the requests that took an extra hop through a draining instance.
    log_format upstreams '$msec $request_method $status "$upstream_addr" '
                         '"$upstream_status" "$upstream_response_time"';
    access_log {tmp}/access.log upstreams;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


def loopback_site_conf(
    shipped: str,
    port: int,
    redirect_port: int,
    status_port: int,
    upstream_file: Path,
    addresses: Sequence[str],
) -> str:
    """The shipped site config on free loopback ports, without TLS, with our instances."""
    lines = []
    for line in shipped.splitlines():
        stripped = line.strip()
        if stripped.startswith(("ssl_certificate", "listen [::]")):
            continue
        line = line.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port};")
        line = line.replace("listen 80;", f"listen 127.0.0.1:{redirect_port};")
        line = line.replace("listen 127.0.0.1:8081;", f"listen 127.0.0.1:{status_port};")
        for shipped_address, address in zip(SHIPPED_ADDRESSES, addresses, strict=True):
            if stripped.startswith(f"server {shipped_address} "):
                line = line.replace(shipped_address, address)
        lines.append(line.replace("/etc/nginx/example-upstream.conf", str(upstream_file)))
    text = "\n".join(lines) + "\n"
    assert f"listen 127.0.0.1:{port};" in text
    assert f"listen 127.0.0.1:{status_port};" in text
    assert str(upstream_file) in text or all(f"server {a} " in text for a in addresses)
    return text


@dataclass(frozen=True)
class Hops:
    """The upstream attempts behind one request, from Nginx's access log: each is
    (status, seconds). Retries inside one location are separated by ",", an
    internal redirect (X-Accel-Redirect) by " : "."""

    ended: float  # time.time() when Nginx answered
    method: str
    status: int
    attempts: tuple[tuple[int, float], ...]

    @property
    def extra(self) -> bool:
        """Whether a draining instance's answer sent it on (the first attempt a 503)."""
        return len(self.attempts) > 1 and self.attempts[0][0] == 503

    @classmethod
    def parse(cls, line: str) -> Hops:
        match = re.fullmatch(r'(\S+) (\S+) (\d+) "[^"]*" "([^"]*)" "([^"]*)"', line)
        assert match, line
        ended, method, status, statuses, times = match.groups()
        pieces = [re.split(r", | : ", field) for field in (statuses, times)]
        attempts = tuple(
            (int(code) if code.isdigit() else 0, float(time) if time != "-" else 0.0)
            for code, time in zip(*pieces, strict=False)
        )
        return cls(float(ended), method, int(status), attempts)


class Nginx:
    """A real nginx master on a free loopback port, all its files in ``tmp``."""

    def __init__(
        self, tmp: Path, site_conf: str, upstream_file: Path, addresses: Sequence[str]
    ) -> None:
        self.binary = require_binary("nginx")
        self.tmp = tmp
        self.upstream_file = upstream_file
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.site_path = tmp / "site.conf"
        self.status_port = free_port()
        self.status_url = f"http://127.0.0.1:{self.status_port}"  # --public-url
        self.site_path.write_text(
            loopback_site_conf(
                site_conf, self.port, free_port(), self.status_port, upstream_file, addresses
            )
        )
        user = "user root;\n" if os.geteuid() == 0 else ""
        (tmp / "nginx.conf").write_text(MAIN_CONF.format(user=user, tmp=tmp))
        self.base = f"{self.binary} -p {tmp} -e {tmp}/error.log -c {tmp}/nginx.conf"
        self.test_cmd = f"{self.base} -t"
        self.reload_cmd = f"{self.base} -s reload"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Nginx:
        self.process = subprocess.Popen(
            [*self.base.split(), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                http_get(self.url, "/livez", timeout=1)
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"nginx did not start: {self.error_log()}")

    def hops(self) -> list[Hops]:
        """One entry per request Nginx answered since it started: its upstream attempts."""
        path = self.tmp / "access.log"
        lines = path.read_text().splitlines() if path.exists() else []
        return [Hops.parse(line) for line in lines]

    def error_log(self) -> str:
        path = self.tmp / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # TERM = fast shutdown of master and workers
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(5)
        self.process = None


@dataclass
class Instance:
    """One Gunicorn instance (a checkout of the example project) behind Nginx."""

    name: str
    project: Path
    port: int
    database_url: str
    release: str = "r1"
    gunicorn: Gunicorn | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def drain_file(self) -> Path:
        return self.project / ".zerodowntime-drain"

    def env(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_url,
            "ZERODOWNTIME_RELEASE": self.release,
            "ZERODOWNTIME_HOST": f"host-{self.name}",  # each instance is a host in the ledger
        }

    def write_release(self, release: str) -> None:
        """New code on disk: the text /version/ shows and the releaseId /healthz reports."""
        set_release_text(self.project, f"release {release.removeprefix('r')}")
        set_release_id(self.project, release)
        self.release = release

    def start(self) -> None:
        set_release_id(self.project, self.release)
        self.gunicorn = Gunicorn(self.project, port=self.port, env=self.env()).start()

    def stop(self) -> None:
        if self.gunicorn is not None:
            self.gunicorn.stop()
            self.gunicorn = None

    def deploy(self, release: str) -> None:
        """A cold deploy: new code on disk, then stop + start (out of Nginx by now)."""
        self.stop()
        self.write_release(release)
        self.start()

    def reload(self, release: str) -> None:
        """New code through ``graceful_reload``: the listening socket never closes, so
        Nginx may keep sending this instance requests (it drains: it hands them back).
        ``/livez``, because a draining instance's ``/healthz`` answers 503."""
        self.write_release(release)
        result = manage(
            self.project,
            "graceful_reload",
            f"--check-url=http://{self.address}/livez",
            f"--expect-release={release}",
            "--timeout=90",
            env=self.env(),
            check=False,
            timeout=180,
        )
        assert result.returncode == 0, result.stderr


@dataclass
class Site:
    tmp: Path
    blue: Instance
    green: Instance
    nginx: Nginx

    def instance(self, name: str) -> Instance:
        return self.green if name == "green" else self.blue

    def switch_drain(
        self, to: str, *extra: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``manage.py switch_drain`` run from the checkout being switched to."""
        target = self.green if to == "green" else self.blue
        return manage(
            target.project,
            "switch_drain",
            f"--to={to}",
            f"--blue={self.blue.address}",
            f"--green={self.green.address}",
            f"--blue-drain-file={self.blue.drain_file}",
            f"--green-drain-file={self.green.drain_file}",
            f"--public-url={self.nginx.status_url}",
            "--timeout=30",
            *extra,
            env=target.env(),
            check=check,
        )

    def switch_upstream(
        self, to: str, *extra: str, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``manage.py switch_upstream`` run from the checkout being switched to."""
        target = self.green if to == "green" else self.blue
        return manage(
            target.project,
            "switch_upstream",
            f"--to={to}",
            f"--blue={self.blue.address}",
            f"--green={self.green.address}",
            f"--upstream-file={self.nginx.upstream_file}",
            f"--nginx-test-cmd={self.nginx.test_cmd}",
            f"--nginx-reload-cmd={self.nginx.reload_cmd}",
            f"--public-url={self.nginx.status_url}",
            f"--blue-drain-file={self.blue.drain_file}",
            f"--green-drain-file={self.green.drain_file}",
            "--timeout=20",
            *extra,
            env=target.env(),
            check=check,
        )

    def load(
        self, plan: Sequence[Stream] | None = None, resend: Resend = Resend.NEVER
    ) -> LoadClient:
        """The API client by default: every kind of request, nothing ever sent twice."""
        return LoadClient(self.nginx.url, plan or api_streams(), resend, timeout=20).start()

    def browser_load(self) -> LoadClient:
        """What the include-file switch is safe for: GETs resent as browsers do, POSTs
        on new connections only (a reload resets a POST on a reused one)."""
        plan = (*streams(posts=0), Stream("post-new", post(), keepalive=False))
        return LoadClient(self.nginx.url, plan, Resend.IDEMPOTENT, timeout=20).start()

    def version(self) -> str:
        return http_get(self.nginx.url, "/version/")[1].decode()

    def stored_titles(self) -> list[str]:
        """The titles of the load client's posts in the database, duplicates kept."""
        result = manage(
            self.blue.project,
            "shell",
            "-c",
            "import json; from blog.models import Post; print(json.dumps(list("
            "Post.objects.filter(title__startswith='load-').values_list('title', flat=True))))",
            env=self.blue.env(),
        )
        return list(json.loads(result.stdout.strip().splitlines()[-1]))


def start_site(
    tmp: Path,
    conf_name: str,
    servers: list[str] | None = None,
    server_params: str = "",
    database_url: str | None = None,
) -> Iterator[Site]:
    """Both instances (release r1) behind Nginx. With the include-file conf,
    ``servers`` are the ones the upstream file lists at first."""
    database_url = database_url or "sqlite:///" + str(tmp / "shared.sqlite3")
    blue = Instance("blue", copy_example_project(tmp / "blue"), free_port(), database_url)
    green = Instance("green", copy_example_project(tmp / "green"), free_port(), database_url)
    manage(blue.project, "migrate", "--noinput", env={"DATABASE_URL": database_url})
    upstream_file = tmp / "upstream.conf"
    chosen = {"blue": blue.address, "green": green.address}
    suffix = f" {server_params}" if server_params else ""
    listed = servers or ["blue", "green"]
    upstream_file.write_text("".join(f"server {chosen[name]}{suffix};\n" for name in listed))
    shipped = (EXAMPLE / "deploy" / conf_name).read_text()
    nginx = Nginx(tmp, shipped, upstream_file, [blue.address, green.address])
    try:
        blue.start()
        green.start()
        nginx.start()
        yield Site(tmp, blue, green, nginx)
    finally:
        nginx.stop()
        blue.stop()
        green.stop()


def assert_no_failures(report: LoadReport, site: Site, max_resends: int = 0) -> None:
    try:
        assert_clean(report, max_resends=max_resends)
    except AssertionError as error:
        raise AssertionError(f"{error}\nnginx: {site.nginx.error_log()[-2000:]}") from None


def assert_exactly_once(report: LoadReport, site: Site) -> None:
    """Every POST answered 201 is in the database once; no other one is."""
    stored = site.stored_titles()
    assert len(stored) == len(set(stored)), "a POST was applied twice"
    assert sorted(stored) == sorted(report.tags("POST", 201))
