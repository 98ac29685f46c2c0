"""The ledger's own tables: are they there, and apply their migrations if not.

The ledger's migrations are plain CreateModel operations: safe while old code runs.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from django_zerodowntime.models import Release

LEDGER_APP = "django_zerodowntime"


class Stream(Protocol):
    """Where Django's ``migrate`` writes its progress (a command's stdout or stderr)."""

    def write(self, text: str) -> Any: ...


def ledger_exists(alias: str) -> bool:
    """Is the Release table on database ``alias`` (whether or not it is up to date)?"""
    connection = connections[alias]
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
    return Release._meta.db_table in names


def ledger_ready(executor: MigrationExecutor) -> bool:
    """True when the ledger's own migrations are applied on ``executor``'s database."""
    leaves = [key for key in executor.loader.graph.leaf_nodes() if key[0] == LEDGER_APP]
    return not executor.migration_plan(leaves)


def migrate_ledger(alias: str, stream: Stream) -> None:
    """Apply the ledger's own migrations on database ``alias``."""
    call_command(
        "migrate", LEDGER_APP, database=alias, interactive=False, verbosity=0, stdout=stream
    )
