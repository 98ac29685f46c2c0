"""Code that serves requests never loads the migration analysis (nor expand_contract's SQL).

A real Gunicorn worker of the example project, heartbeats on (the example's
default), serves /healthz (which writes a heartbeat to the ledger) and a page;
a ``post_request`` server hook records the worker's ``sys.modules`` after each
request. Django itself imports sqlparse (``django.db.backends.base.operations``
does, in every process that uses a database), so the sqlparse check is that
none of our modules imports it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.harness.site import Gunicorn, http_get, manage

HOOK = """
exec(open("deploy/gunicorn.conf.py").read())


def post_request(worker, req, environ, resp):
    import sys

    with open("worker-modules.json", "w") as handle:
        modules = {
            name: sorted(vars(module))
            for name, module in list(sys.modules.items())
            if name.startswith("django_zerodowntime") and module is not None
        }
        json.dump({"names": sorted(sys.modules), "ours": modules}, handle)


import json
"""


def wait_for_heartbeat(site: Path, timeout: float = 20) -> list[str]:
    """The fleet's rollout sources once the worker's heartbeat thread has written one."""
    deadline = time.monotonic() + timeout
    while True:
        fleet = json.loads(manage(site, "safe_migrate", "--fleet", "--format", "json").stdout)
        sources = [host["source"] for host in fleet["hosts"]]
        if sources or time.monotonic() > deadline:
            return sources
        time.sleep(0.2)


def test_a_web_worker_never_loads_the_migration_analysis(site: Path) -> None:
    # A migration written by expand_contract: the worker's migrations check loads it.
    manage(site, "expand_contract", "rename", "blog.Post.body", "content", "--step", "expand")
    manage(site, "safe_migrate")
    (site / "deploy" / "modules-hook.conf.py").write_text(HOOK)
    server = Gunicorn(site, workers=1, extra_args=["-c", "deploy/modules-hook.conf.py"])
    server.start()
    try:
        assert http_get(server.url, "/healthz")[0] == 200
        assert wait_for_heartbeat(site) == ["heartbeat"]
        assert http_get(server.url, "/version/")[0] == 200
    finally:
        server.stop()
    loaded = json.loads((site / "worker-modules.json").read_text())
    ours = loaded["ours"]
    assert "django_zerodowntime.ledger.record" in ours
    assert "django_zerodowntime.operations" in ours  # the expand migration was loaded
    analysis = [
        name
        for name in ours
        if name.startswith(
            (
                "django_zerodowntime.safety",
                "django_zerodowntime.migrate",
                "django_zerodowntime.expand",
            )
        )
    ]
    assert analysis == []
    assert [name for name, names in ours.items() if "sqlparse" in names] == []
    if "sqlparse" in loaded["names"]:  # only because Django's own backend imports it
        assert "django.db.backends.base.operations" in loaded["names"]
