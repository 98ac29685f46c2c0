"""The CI recipes parse, and every safe_migrate command they run is one the command accepts."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import get_commands

from django_zerodowntime.management.commands.safe_migrate import Command

ROOT = Path(__file__).resolve().parents[1]
HOOKS = ROOT / ".pre-commit-hooks.yaml"
CI_DOC = (ROOT / "docs" / "ci.rst").read_text()


def parsed_options(command_line: str) -> dict[str, Any]:
    """``python manage.py safe_migrate ARGS`` parsed by safe_migrate's own parser."""
    words = shlex.split(command_line)
    assert words[:3] == ["python", "manage.py", "safe_migrate"], command_line
    assert get_commands()["safe_migrate"] == "django_zerodowntime"
    parser = Command().create_parser("manage.py", "safe_migrate")
    return vars(parser.parse_args(words[3:]))


def yaml_blocks(text: str) -> list[Any]:
    blocks = re.findall(r"\.\. code-block:: yaml\n\n((?:   .*\n|\n)+)", text)
    return [yaml.safe_load("\n".join(line[3:] for line in block.splitlines())) for block in blocks]


def commands_in(value: Any) -> list[str]:
    """Every string in a YAML document that runs safe_migrate (``run:`` or ``script:``)."""
    if isinstance(value, dict):
        return [c for item in value.values() for c in commands_in(item)]
    if isinstance(value, list):
        return [c for item in value for c in commands_in(item)]
    if isinstance(value, str) and "manage.py safe_migrate" in value:
        return [value.split(">", 1)[0] if "--format sarif >" in value else value]
    return []


def test_pre_commit_hook_parses_and_runs_a_real_command() -> None:
    [hook] = yaml.safe_load(HOOKS.read_text())
    assert {"id", "name", "entry", "language"} <= hook.keys()
    assert hook["language"] == "system"
    assert hook["pass_filenames"] is False
    options = parsed_options(hook["entry"])
    assert (options["check"], options["base"]) == (True, "HEAD")
    files = re.compile(hook["files"])
    assert files.search("shop/migrations/0002_drop_sku.py")
    assert files.search("migrations/0001_initial.py")
    assert not files.search("shop/models.py")
    assert not files.search("shop/migrations/helpers/sql.txt")


def test_the_ci_docs_jobs_parse_and_run_real_commands() -> None:
    documents = yaml_blocks(CI_DOC)
    assert len(documents) >= 4  # GitHub (annotations, SARIF), GitLab, pre-commit config
    commands = [
        command.replace("${{ github.base_ref }}", "main")
        for document in documents
        for command in commands_in(document)
    ]
    assert len(commands) == 3
    formats = set()
    for command in commands:
        options = parsed_options(command)
        assert options["check"]
        assert options["base"]
        assert options["database"] == "default"
        formats.add(options["format"])
    assert formats == {"github", "sarif", "text"}


@pytest.mark.parametrize(
    "word", ["fetch-depth: 0", "GIT_DEPTH: 0", "upload-sarif", "id: safe-migrate-base"]
)
def test_the_ci_docs_say_what_a_job_needs(word: str) -> None:
    assert word in CI_DOC
