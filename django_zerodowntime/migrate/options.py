"""safe_migrate's command line: the options, and the Request they make."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from django_zerodowntime.migrate.outcome import Request

FORMATS = ["text", "json"]


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("app_label", nargs="?", help="Only this app's migrations.")
    parser.add_argument("migration_name", nargs="?", help="Migrate up (or down) to this one.")
    parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias.")
    parser.add_argument("--check", action="store_true", help="Analyse only; apply nothing.")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--release", help="Release id (default: the detected release).")
    actions = parser.add_mutually_exclusive_group()
    actions.add_argument(
        "--mark-live",
        action="store_const",
        dest="action",
        const="mark-live",
        help="Record that this host now serves this release; applies no migration.",
    )
    actions.add_argument(
        "--fleet",
        action="store_const",
        dest="action",
        const="fleet",
        help="Show which host runs what.",
    )
    parser.add_argument("--host", help="Host name for --mark-live (default: this host).")
    parser.add_argument(
        "--force", metavar="REASON", help="Apply blocked operations; REASON goes in the ledger."
    )
    parser.add_argument(
        "--lock-wait",
        type=float,
        default=600.0,
        help="Seconds to wait for another safe_migrate on this database (default 600).",
    )
    parser.add_argument(
        "--noinput", "--no-input", action="store_false", dest="interactive",
        help="Accepted for compatibility with migrate; safe_migrate never prompts.",
    )  # fmt: skip
    parser.add_argument("--skip-checks", action="store_true", help="Skip system checks.")


def request_from(options: dict[str, Any]) -> Request:
    return Request(
        action=options["action"] or "migrate",
        database=options["database"],
        app_label=options["app_label"],
        migration_name=options["migration_name"],
        check=options["check"],
        release=options["release"],
        force=options["force"],
        host=options["host"],
        lock_wait=options["lock_wait"],
        verbosity=options["verbosity"],
        system_checks=not options["skip_checks"],
    )
