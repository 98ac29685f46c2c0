"""docs/switch_upstream.rst and docs/switch_drain.rst document every option and exit
status of their commands."""

from __future__ import annotations

from pathlib import Path

from django.core.management import load_command_class

from django_zerodowntime.drain_switch import ExitCode as DrainExitCode
from django_zerodowntime.upstream_switch import ExitCode

DOCS = Path(__file__).resolve().parents[1] / "docs"
REFERENCE = (DOCS / "switch_upstream.rst").read_text()
# Django's own options, on every command.
COMMON = {
    "--help",
    "--version",
    "--verbosity",
    "--settings",
    "--pythonpath",
    "--traceback",
    "--no-color",
    "--force-color",
    "--skip-checks",
}


def test_every_option_is_documented() -> None:
    command = load_command_class("django_zerodowntime", "switch_upstream")
    parser = command.create_parser("manage.py", "switch_upstream")
    options = {s for a in parser._actions for s in a.option_strings if s.startswith("--")}
    missing = {o for o in options - COMMON if f"``{o}" not in REFERENCE}
    assert not missing
    assert "--to" in options


def test_every_exit_status_is_documented_with_its_result_name() -> None:
    for code in ExitCode:
        assert f"\n{int(code)}     ``{code.name.lower()}``" in REFERENCE, code


def test_deploy_pages_are_in_the_toctree() -> None:
    index = (DOCS / "index.rst").read_text()
    for page in ("deploying", "switch_upstream"):
        assert f"   {page}\n" in index


DRAIN_REFERENCE = (DOCS / "switch_drain.rst").read_text()


def test_every_switch_drain_option_and_exit_status_is_documented() -> None:
    command = load_command_class("django_zerodowntime", "switch_drain")
    parser = command.create_parser("manage.py", "switch_drain")
    options = {s for a in parser._actions for s in a.option_strings if s.startswith("--")}
    assert not {o for o in options - COMMON if f"``{o}" not in DRAIN_REFERENCE}
    for code in DrainExitCode:
        assert f"\n{int(code)}     ``{code.name.lower()}``" in DRAIN_REFERENCE, code
    assert "   switch_drain\n" in (DOCS / "index.rst").read_text()


def test_the_documented_nginx_locations_are_the_shipped_ones() -> None:
    """The directives switch_drain.rst quotes are in the shipped configuration."""
    shipped = (DOCS.parent / "example_project" / "deploy" / "nginx-bluegreen.conf").read_text()
    for directive in (
        "proxy_set_header X-Zerodowntime-Resend @zerodowntime_resend;",
        "location @zerodowntime_resend {",
        'proxy_set_header X-Zerodowntime-Resend "@zerodowntime_resend resent";',
        "proxy_next_upstream http_503 non_idempotent;",
        "proxy_next_upstream error timeout http_502 http_503;",
        "server 127.0.0.1:8000 max_fails=0;",
    ):
        assert directive in shipped, directive
        assert directive in DRAIN_REFERENCE, directive
