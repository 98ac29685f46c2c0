"""safe_migrate's command line: the options, and the Request they make."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from django_zerodowntime.migrate.outcome import Request
from django_zerodowntime.migrate.planning import bad_input

FORMATS = ["text", "json", "sarif", "github"]
FINDING_FORMATS = {"sarif", "github"}  # they render migration findings only


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("app_label", nargs="?", help="Only this app's migrations.")
    parser.add_argument("migration_name", nargs="?", help="Migrate up (or down) to this one.")
    parser.add_argument("--database", help="Database alias (default: default).")
    parser.add_argument("--check", action="store_true", help="Analyse only; apply nothing.")
    parser.add_argument(
        "--base",
        metavar="REF",
        help="With --check: judge the migrations added since git commit REF as if REF's code "
        "still served, REF's migrations applied on a scratch database (SQLite in a temporary "
        "file; with --database, a scratch database on that alias's server).",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="sarif: SARIF 2.1.0; github: GitHub Actions annotations (one per finding).",
    )
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
    actions.add_argument(
        "--rehearse",
        action="store_const",
        dest="action",
        const="rehearse",
        help="Run the plan on a scratch copy of the database and report what it really does; "
        "the database itself is not changed.",
    )
    actions.add_argument(
        "--verify-schema",
        action="store_const",
        dest="action",
        const="verify-schema",
        help="Compare the live schema with the state of the applied migrations; exit 1 on drift.",
    )
    actions.add_argument(
        "--fake",
        action="store_const",
        dest="action",
        const="fake",
        help="Record the planned migrations as applied, only if the database already looks "
        "as their state says; otherwise list every difference and record nothing.",
    )
    actions.add_argument(
        "--fake-initial",
        action="store_const",
        dest="action",
        const="fake-initial",
        help="As migrate --fake-initial, but an initial migration is faked only if its tables "
        "match its state; otherwise list every difference and apply nothing.",
    )
    parser.add_argument(
        "--rehearse-rows",
        type=int,
        default=10_000,
        metavar="N",
        help="--rehearse copies up to N rows per table (default 10000; 0: schema only).",
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
    action = options["action"] or "migrate"
    if options["format"] in FINDING_FORMATS and action != "migrate":
        raise bad_input(
            f"--format {options['format']} renders migration findings: use it with --check "
            f"or a migrating run, not with --{action}"
        )
    return Request(
        action=action,
        database=options["database"] or DEFAULT_DB_ALIAS,
        database_given=options["database"] is not None,
        base=options["base"],
        app_label=options["app_label"],
        migration_name=options["migration_name"],
        check=options["check"],
        release=options["release"],
        force=options["force"],
        host=options["host"],
        lock_wait=options["lock_wait"],
        verbosity=options["verbosity"],
        system_checks=not options["skip_checks"],
        rehearse_rows=options["rehearse_rows"],
    )
