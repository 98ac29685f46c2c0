"""A real Nginx on free loopback ports, running a shipped site configuration.

The shipped ``example_project/deploy/nginx-*.conf`` with TLS, the system
paths and the instances' addresses swapped for free loopback ports and a
temp dir, so it needs no root paths beyond the binary. Its access log says
which servers each request went to (:class:`Hops`). The two instances behind
it and the ways to switch between them are in ``tests.harness.nginx_site``.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require_binary
from tests.harness.site import (
    free_port,
    http_get,
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
