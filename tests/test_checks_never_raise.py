"""Installing the app never breaks a project's commands, whatever its settings.

Each case is a real settings module (minimal, or broken in one way) run in
its own process: every check of the app is called directly and must return
messages, never raise; then ``manage.py check``, ``makemigrations --check
--dry-run`` and ``migrate --plan`` must do exactly what they do without the
app, except for the app's own ``E...`` errors about a wrong ``ZERODOWNTIME``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HEALTH = "django_zerodowntime.health.middleware.HealthMiddleware"
SECURITY = "django.middleware.security.SecurityMiddleware"

BASE = """
import os
INSTALLED_APPS = ["django_zerodowntime"] if os.environ["WITH_APP"] == "1" else []
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3",
                         "NAME": os.path.join(os.path.dirname(__file__), "db.sqlite3")}}
"""
HELPERS = {
    "raising_urls.py": "raise RuntimeError('a URLconf that does not import')\n",
    "shadowing_urls.py": (
        "from django.http import HttpResponse\nfrom django.urls import path\n"
        "urlpatterns = [path('healthz', lambda request: HttpResponse())]\n"
    ),
    "raising_check.py": "raise RuntimeError('a check module that does not import')\n",
}
WRONG_TYPES = {
    7: 1,
    "HEALTH_CHECKS": "x",
    "HEALTH_DETAILS": 5,
    "HEALTH_PATH": 3,
    "LIVENESS_PATH": None,
    "LEDGER_DATABASE": ["a"],
    "HEARTBEAT_SECONDS": "60",
    "FLEET_EXPIRY_SECONDS": None,
    "HEALTH_DEADLINE_SECONDS": "1",
}

# settings module -> (lines added to BASE, ids our checks must report)
CASES: dict[str, tuple[str, list[str]]] = {
    "minimal": ("", []),
    "no_databases": ("del DATABASES", []),
    "urlconf_missing_module": ("ROOT_URLCONF = 'no_such_urls'", ["W006"]),
    "urlconf_raises": ("ROOT_URLCONF = 'raising_urls'", ["W006"]),
    "urlconf_wrong_type": ("ROOT_URLCONF = 42", ["W006"]),
    "urlconf_shadows_healthz": ("ROOT_URLCONF = 'shadowing_urls'", ["W004"]),
    "middleware_unimportable": (f"MIDDLEWARE = ['no.such.Middleware', {HEALTH!r}]", ["W001"]),
    "middleware_wrong_type": (f"MIDDLEWARE = {HEALTH!r}", ["W007"]),
    "redirect_exempt_wrong_type": (
        f"MIDDLEWARE = [{SECURITY!r}, {HEALTH!r}]\nSECURE_SSL_REDIRECT = True\n"
        "SECURE_REDIRECT_EXEMPT = 5",
        ["W001", "W005", "W007"],
    ),
    "zerodowntime_not_a_dict": ("ZERODOWNTIME = 'yes'", ["E001"]),
    "zerodowntime_wrong_types": (
        f"ZERODOWNTIME = {WRONG_TYPES!r}",
        ["E002", "E005", "E005", "E007", "E010", "E011", "E014", "E016", "E017"],
    ),
    "health_check_raises_on_import": (
        "ZERODOWNTIME = {'HEALTH_CHECKS': ['raising_check.check']}",
        ["E008"],
    ),
}
COMMANDS = [["check"], ["makemigrations", "--check", "--dry-run"], ["migrate", "--plan"]]
OUR_CHECKS = """
import json, django
django.setup()
from django_zerodowntime.checks import CHECKS
print(json.dumps([message.id for check, _ in CHECKS for message in check(None)]))
"""


@pytest.fixture(scope="module")
def settings_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("settings")
    for name, text in HELPERS.items():
        (folder / name).write_text(text)
    for name, (extra, _) in CASES.items():
        (folder / f"settings_{name}.py").write_text(BASE + extra + "\n")
    return folder


def run(
    folder: Path, case: str, args: list[str], with_app: bool
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": f"settings_{case}",
        "PYTHONPATH": os.pathsep.join([str(folder), str(REPO)]),
        "WITH_APP": "1" if with_app else "0",
    }
    return subprocess.run(
        [sys.executable, *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120
    )


def exception_of(stderr: str) -> str:
    """The last line of a traceback or of Django's error output."""
    lines = [line for line in stderr.strip().splitlines() if line and not line.startswith(" ")]
    return lines[-1] if lines else ""


@pytest.mark.parametrize("case", list(CASES))
def test_our_checks_return_messages_and_never_raise(settings_dir: Path, case: str) -> None:
    result = run(settings_dir, case, ["-c", OUR_CHECKS], with_app=True)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert sorted(found) == [f"zerodowntime.{i}" for i in CASES[case][1]]


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("command", COMMANDS, ids=lambda args: args[0])
def test_commands_run_as_they_do_without_the_app(
    settings_dir: Path, case: str, command: list[str]
) -> None:
    result = run(settings_dir, case, ["-m", "django", *command], with_app=True)
    assert "django_zerodowntime/checks" not in result.stderr, result.stderr
    assert "zerodowntime.W008" not in result.stderr + result.stdout
    if any(i.startswith("E") for i in CASES[case][1]):
        # Our own errors about ZERODOWNTIME stop the command, as system check errors do.
        assert result.returncode == 1
        assert "SystemCheckError: System check identified some issues" in result.stderr
        assert "Traceback" not in result.stderr
        return
    if result.returncode == 0:
        return
    # The command fails: it must fail the same way without the app (Django's own error).
    without = run(settings_dir, case, ["-m", "django", *command], with_app=False)
    assert without.returncode == result.returncode, result.stderr
    assert exception_of(without.stderr) == exception_of(result.stderr)
