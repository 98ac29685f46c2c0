"""docs/switch_upstream.rst documents every option and exit status of the command."""

from __future__ import annotations

from pathlib import Path

from django.core.management import load_command_class

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
