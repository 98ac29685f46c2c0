"""Boot the new code the way a Gunicorn worker would, then run Django's checks.

Run as a script by preflight.py, with the master's interpreter, working
directory and environment, so it must not import django_zerodowntime:
``python boot_probe.py RESULT_FILE [--config-only] [--gunicorn ARGS... | --django]``.
It writes a JSON result to RESULT_FILE; its own output is the boot's output.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from typing import Any


def load_gunicorn(args: list[str], result: dict[str, Any], config_only: bool) -> None:
    from gunicorn.app.wsgiapp import WSGIApplication

    sys.argv = ["gunicorn", *args]
    app = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")  # reads the config like the master
    cfg = app.cfg
    result.update(
        workers=cfg.workers,
        preload_app=bool(cfg.preload_app),
        app_uri=app.app_uri,
    )
    if config_only:
        return
    result["stage"] = "import"
    app.wsgi()  # what Worker.load_wsgi() does in every new worker


def load_django_setting(result: dict[str, Any]) -> None:
    import django
    from django.conf import settings
    from django.utils.module_loading import import_string

    result["stage"] = "import"
    django.setup()
    result["app_uri"] = settings.WSGI_APPLICATION
    import_string(str(settings.WSGI_APPLICATION))


def main(argv: list[str]) -> int:
    result_file, rest = argv[0], argv[1:]
    config_only = "--config-only" in rest
    rest = [arg for arg in rest if arg != "--config-only"]
    result: dict[str, Any] = {"ok": False, "stage": "config"}
    # Booting is CPU-heavy: leave the CPU to the workers serving meanwhile.
    os.nice(10)
    # The script's own directory must not shadow the project's modules.
    sys.path[:] = [os.getcwd()] + [p for p in sys.path[1:] if p]
    try:
        if rest and rest[0] == "--gunicorn":
            load_gunicorn(rest[1:], result, config_only)
        elif not config_only:
            load_django_setting(result)
        if not config_only:
            result["stage"] = "checks"
            from django.core.management import call_command

            call_command("check")
        result["ok"] = True
    except BaseException as exc:  # SystemExit too: Gunicorn exits on a bad config
        traceback.print_exc()
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        with open(result_file, "w") as handle:
            json.dump(result, handle)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
