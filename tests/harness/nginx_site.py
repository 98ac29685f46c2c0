"""Two Gunicorn instances of the example project behind a real Nginx.

Two ways to switch, as shipped:

- ``nginx-bluegreen.conf`` / ``nginx-rolling.conf`` list both instances;
  :meth:`Site.switch_drain` moves traffic with their drain flags
  (``manage.py switch_drain``), and an instance gets new code by
  :meth:`Instance.reload` (``graceful_reload``) while it drains;
- ``nginx-switch-upstream.conf`` includes a file of server lines that
  :meth:`Site.switch_upstream` rewrites before reloading Nginx, and an
  instance out of that file is restarted cold (:meth:`Instance.deploy`).

Used by the Nginx tests and ``bench/deploy.py``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.harness.load import LoadClient, Resend, Stream, api_streams, post, streams
from tests.harness.load_report import LoadReport, assert_clean
from tests.harness.nginx import Nginx
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
