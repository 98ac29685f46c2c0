"""`make demo`: a real deploy of the example site under load, with zero failed requests.

1. Copy the example project to a temporary directory, migrate it (SQLite),
   serve it with Gunicorn on a free loopback port, and start a load client
   (keep-alive, new-connection, slow and POST requests).
2. Deploy release 2: a code change (the text the site shows) plus a
   migration (a new nullable field on Post, written by makemigrations), with
   `manage.py safe_migrate` then `manage.py graceful_reload`.
3. Print the requests served, how many failed (must be 0) and the turnover
   time; stop everything; exit 1 if anything failed.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.harness.load import LoadClient, Resend, streams  # noqa: E402
from tests.harness.load_report import LoadReport  # noqa: E402
from tests.harness.site import (  # noqa: E402
    Gunicorn,
    copy_example_project,
    http_get,
    manage,
    set_release_text,
)

NEW_FIELD = "    subtitle = models.CharField(max_length=200, null=True, blank=True)\n"


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(project: Path, *args: str) -> str:
    """A deploy step: its output is shown; a non-zero exit stops the demo."""
    result = manage(project, *args, check=False, timeout=300)
    shown = (result.stdout + result.stderr).rstrip()
    if shown:
        print("    " + shown.replace("\n", "\n    "), flush=True)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} exited {result.returncode}")
    return result.stdout


def write_release_2(project: Path) -> None:
    """The new code: new text, and a nullable field the old code can ignore."""
    set_release_text(project, "release 2")
    models = project / "blog" / "models.py"
    text = models.read_text()
    anchor = "    body = models.TextField(blank=True)\n"
    models.write_text(text.replace(anchor, anchor + NEW_FIELD))


def deploy(project: Path, gunicorn: Gunicorn) -> dict[str, object]:
    step("deploying release 2: code change + migration (Post.subtitle, nullable)")
    write_release_2(project)
    run(project, "makemigrations", "blog", "--name", "post_subtitle")
    step("manage.py safe_migrate (the old code keeps serving while it runs)")
    run(project, "safe_migrate")
    step("manage.py graceful_reload (USR2: the old workers serve until the new ones booted)")
    output = run(
        project, "graceful_reload", "--format", "json", "--check-url", gunicorn.url + "/healthz"
    )
    return dict(json.loads(output))


def report(load: LoadReport, reload: dict[str, object], served: str) -> bool:
    print()
    print(f"requests served : {load.total}")
    print(f"failed          : {load.failed} (a 3xx, 4xx, 5xx, reset or time-out; nothing resent)")
    print(f"latency         : p50 {load.p50 * 1000:.0f} ms, p99 {load.p99 * 1000:.0f} ms, "
          f"max {load.max * 1000:.0f} ms")  # fmt: skip
    print(f"turnover time   : {reload['turnover_seconds']} s ({reload['strategy']})")
    print(f"bodies seen     : {dict(load.bodies)}")
    print(f"now serving     : {served!r}")
    ok = load.failed == 0 and served == "release 2" and load.total > 0
    print("RESULT          : " + ("OK, zero failed requests" if ok else "FAILED"))
    if load.failed:
        print(load.summary())
    return ok


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="zerodowntime-demo-"))
    gunicorn: Gunicorn | None = None
    load: LoadClient | None = None
    try:
        project = copy_example_project(workdir)
        step(f"example project copied to {project}; migrating (SQLite)")
        run(project, "migrate", "-v0")
        gunicorn = Gunicorn(project, workers=2).start()
        step(f"Gunicorn serving release 1 at {gunicorn.url} (master {gunicorn.master_pid})")
        load = LoadClient(gunicorn.url, streams(posts=1), Resend.NEVER).start()
        time.sleep(2)  # steady state before the deploy
        reload = deploy(project, gunicorn)
        time.sleep(2)  # and after it
        result = load.stop()
        load = None
        served = http_get(gunicorn.url, "/version/")[1].decode()
        return 0 if report(result, reload, served) else 1
    except Exception as exc:
        print(f"demo FAILED: {exc}", file=sys.stderr)
        if gunicorn is not None:
            print(gunicorn.log()[-3000:], file=sys.stderr)
        return 1
    finally:
        if load is not None:
            load.stop()
        if gunicorn is not None:
            gunicorn.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
