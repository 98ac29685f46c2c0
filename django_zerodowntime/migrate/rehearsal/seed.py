"""Fill the scratch copy: the target's applied migrations, then up to N rows per table.

PostgreSQL and MariaDB: Django's executor applies, on the copy, exactly the
migrations the target has applied; then every table is emptied (data migrations
of the past may have written rows) and refilled from the target: PostgreSQL with
``COPY`` through the driver, MariaDB with ``INSERT ... SELECT`` across databases.
SQLite: the backup already holds the schema and every row; tables are cut down.
Rows whose parent row was not copied are deleted, so foreign keys hold.
The target is only read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

Key = tuple[str, str]
SKIPPED = {MigrationRecorder.Migration._meta.db_table, "sqlite_sequence"}


def bring_to_applied(
    scratch: BaseDatabaseWrapper, applied: set[Key], progress: Callable[[str], None]
) -> None:
    """Apply on the copy, in Django's order, the migrations applied on the target."""
    executor = MigrationExecutor(scratch)
    already = set(executor.loader.applied_migrations or {})
    full = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    plan = [
        (m, False)
        for m, _ in full
        if (key := (m.app_label, m.name)) in applied and key not in already
    ]
    if plan:
        progress(f"applying the {len(plan)} migration(s) the target has applied to the copy")
        executor.migrate([], plan=plan)


def copy_rows(
    target: BaseDatabaseWrapper,
    scratch: BaseDatabaseWrapper,
    rows: int,
    progress: Callable[[str], None],
) -> None:
    tables = sorted(set(table_names(scratch)) & set(table_names(target)) - SKIPPED)
    progress(f"copying up to {rows} row(s) of each of {len(tables)} table(s) from the target")
    vendor = scratch.vendor
    if vendor == "sqlite":
        with scratch.constraint_checks_disabled():
            for table in tables:
                _trim_sqlite(scratch, table, rows)
            delete_orphans(scratch, tables)
        return
    with scratch.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("BEGIN")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            quoted = ", ".join(scratch.ops.quote_name(t) for t in tables)
            if quoted:
                cursor.execute(f"TRUNCATE {quoted}")
        else:
            cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
            for table in tables:
                cursor.execute(f"DELETE FROM {scratch.ops.quote_name(table)}")
    try:
        for table in tables if rows else []:
            columns = common_columns(target, scratch, table)
            if vendor == "postgresql":
                _copy_postgresql(target, scratch, table, columns, rows)
            else:
                _copy_mysql(target, scratch, table, columns, rows)
        delete_orphans(scratch, tables)
        if vendor == "postgresql":
            _reset_sequences(scratch)
    finally:
        with scratch.cursor() as cursor:
            cursor.execute("COMMIT" if vendor == "postgresql" else "SET FOREIGN_KEY_CHECKS = 1")


def table_names(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        return list(connection.introspection.table_names(cursor))


def common_columns(target: BaseDatabaseWrapper, scratch: BaseDatabaseWrapper, table: str) -> str:
    with target.cursor() as cursor:
        there = [c.name for c in target.introspection.get_table_description(cursor, table)]
    with scratch.cursor() as cursor:
        here = {c.name for c in scratch.introspection.get_table_description(cursor, table)}
    return ", ".join(scratch.ops.quote_name(name) for name in there if name in here)


def _copy_postgresql(
    target: BaseDatabaseWrapper, scratch: BaseDatabaseWrapper, table: str, columns: str, rows: int
) -> None:
    name = scratch.ops.quote_name(table)
    out_sql = f"COPY (SELECT {columns} FROM {name} LIMIT {int(rows)}) TO STDOUT"
    in_sql = f"COPY {name} ({columns}) FROM STDIN"
    target.ensure_connection()
    source, sink = target.connection.cursor(), scratch.connection.cursor()
    if hasattr(source, "copy"):  # psycopg 3: stream block by block
        with source.copy(out_sql) as reading, sink.copy(in_sql) as writing:
            for block in reading:
                writing.write(block)
        return
    with tempfile.SpooledTemporaryFile(max_size=64 << 20) as buffer:  # psycopg2
        source.copy_expert(out_sql, buffer)
        buffer.seek(0)
        sink.copy_expert(in_sql, buffer)


def _copy_mysql(
    target: BaseDatabaseWrapper, scratch: BaseDatabaseWrapper, table: str, columns: str, rows: int
) -> None:
    quote = scratch.ops.quote_name
    source = f"{quote(str(target.settings_dict['NAME']))}.{quote(table)}"
    with scratch.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(table)} ({columns}) "
            f"SELECT {columns} FROM {source} LIMIT {int(rows)}"
        )


def _trim_sqlite(scratch: BaseDatabaseWrapper, table: str, rows: int) -> None:
    name = scratch.ops.quote_name(table)
    with scratch.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {name} WHERE rowid NOT IN (SELECT rowid FROM {name} LIMIT {int(rows)})"
        )


def delete_orphans(scratch: BaseDatabaseWrapper, tables: list[str]) -> None:
    """Delete rows whose parent row was not copied, until none is left (cascades)."""
    quote = scratch.ops.quote_name
    with scratch.cursor() as cursor:
        links = [  # Django 6.1 adds the ON DELETE rule after (column, table)
            (table, column, relation[1], relation[0])
            for table in tables
            for column, relation in scratch.introspection.get_relations(cursor, table).items()
        ]
        deleted = True
        while deleted:
            deleted = False
            for table, column, parent, parent_column in links:
                cursor.execute(
                    f"DELETE FROM {quote(table)} WHERE {quote(column)} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {quote(parent)} AS p "
                    f"WHERE p.{quote(parent_column)} = {quote(table)}.{quote(column)})"
                )
                deleted = deleted or cursor.rowcount > 0


def _reset_sequences(scratch: BaseDatabaseWrapper) -> None:
    """Make the copy's sequences start past the copied ids, as the target's do."""
    with scratch.cursor() as cursor:
        cursor.execute(
            "SELECT format('%I.%I', n.nspname, c.relname), a.attname, "
            "pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid "
            "WHERE c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped "
            "AND pg_catalog.pg_table_is_visible(c.oid) "
            "AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) "
            "IS NOT NULL"
        )
        for table, column, sequence in cursor.fetchall():
            column = scratch.ops.quote_name(column)
            cursor.execute(
                f"SELECT setval(%s, COALESCE(MAX({column}), 0) + 1, false) FROM {table}",
                [sequence],
            )
