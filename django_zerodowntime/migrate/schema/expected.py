"""The schema migration state says a database has: tables, columns, indexes, constraints.

Read from the rendered models of a ``ProjectState`` with the target's connection
(types, and what that vendor creates: PostgreSQL's ``_like`` indexes, no separate
index for an InnoDB foreign key, no partial index on MariaDB...). Only models
that migrations manage on that database count; the tables of the others
(unmanaged, proxy, kept off by the routers, apps without migrations) are ignored.
"""

from __future__ import annotations

from typing import Any

from django.db import models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState
from django.db.models.fields import NOT_PROVIDED

from django_zerodowntime.migrate.schema.model import (
    CHECK,
    FOREIGN_KEY,
    INDEX,
    PRIMARY_KEY,
    UNIQUE,
    Column,
    Constraint,
    Schema,
    Table,
)

ModelClass = type[models.Model]


def expected_schema(
    state: ProjectState,
    connection: BaseDatabaseWrapper,
    *,
    migrated_apps: set[str],
    more_ignored: set[str] | frozenset[str] = frozenset(),
) -> Schema:
    editor = connection.schema_editor(collect_sql=True, atomic=False)
    tables: dict[str, Table] = {}
    ignored = {MigrationRecorder.Migration._meta.db_table, *more_ignored}
    for model in state.apps.get_models(include_auto_created=True):
        meta = model._meta
        if compared(model, connection.alias) and meta.app_label in migrated_apps:
            tables[meta.db_table] = table_of(model, connection, editor)
        else:
            ignored.add(meta.db_table)
    return Schema(connection.vendor, tables, frozenset(ignored - set(tables)))


def compared(model: ModelClass, alias: str) -> bool:
    """A model whose table migrations make on ``alias``."""
    meta = model._meta
    return (
        meta.managed
        and not meta.proxy
        and not meta.swapped
        and router.allow_migrate_model(alias, model)
    )


def table_of(
    model: ModelClass, connection: BaseDatabaseWrapper, editor: BaseDatabaseSchemaEditor
) -> Table:
    meta = model._meta
    columns: list[Column] = []
    constraints: list[Constraint] = []
    for field in meta.local_concrete_fields:
        if field.column is None:
            continue
        db_type = field.db_parameters(connection)["type"]
        if db_type is None:
            continue
        columns.append(Column(field.column, db_type, field.null, _db_default(field, editor)))
        constraints += field_constraints(model, field, connection, editor)
    for names in meta.unique_together:
        constraints.append(Constraint(UNIQUE, _columns(model, names)))
    expressions_supported = connection.features.supports_expression_indexes
    for index in meta.indexes:
        if expressions_supported or not index.contains_expressions:
            fields = [name for name, _order in index.fields_orders]
            constraints.append(Constraint(INDEX, _columns(model, fields), index.name))
    for constraint in meta.constraints:
        if constraint.create_sql(model, editor) is None:
            continue  # this vendor does not make it (a condition on MariaDB...)
        if isinstance(constraint, models.UniqueConstraint):
            kind, fields = UNIQUE, list(constraint.fields)
        elif isinstance(constraint, models.CheckConstraint):
            kind, fields = CHECK, []
        else:  # third-party constraints (ExclusionConstraint...): by name only
            kind, fields = INDEX, []
        constraints.append(Constraint(kind, _columns(model, fields), constraint.name))
    return Table(meta.db_table, tuple(columns), tuple(constraints))


def field_constraints(
    model: ModelClass,
    field: Any,
    connection: BaseDatabaseWrapper,
    editor: BaseDatabaseSchemaEditor,
) -> list[Constraint]:
    column = (field.column,)
    found = []
    if field.primary_key:
        found.append(Constraint(PRIMARY_KEY, column))
    elif field.unique:
        found.append(Constraint(UNIQUE, column))
    remote = field.remote_field
    if remote is not None and field.db_constraint and connection.features.supports_foreign_keys:
        target = remote.model._meta
        target_column = target.get_field(remote.field_name).column
        found.append(Constraint(FOREIGN_KEY, column, references=(target.db_table, target_column)))
    # Django's own decisions, so that every vendor's habits are followed (private API,
    # stable since Django 2.x).
    should_be_indexed: Any = getattr(editor, "_field_should_be_indexed")  # noqa: B009
    if should_be_indexed(model, field):
        found.append(Constraint(INDEX, column))
    like = getattr(editor, "_create_like_index_sql", None)
    if like is not None and like(model, field) is not None:
        found.append(Constraint(INDEX, column))
    if field.db_check(connection):
        found.append(Constraint(CHECK, column))
    mariadb = getattr(connection, "mysql_is_mariadb", False)
    if mariadb and field.db_parameters(connection)["type"] == "json":
        found.append(Constraint(CHECK, column))  # MariaDB's JSON: CHECK (json_valid(...))
    return found


def _db_default(field: Any, editor: BaseDatabaseSchemaEditor) -> str | None:
    if field.db_default is NOT_PROVIDED:
        return None
    sql, params = editor.db_default_sql(field)
    return str(sql % tuple(editor.quote_value(p) for p in params)) if params else str(sql)


def _columns(model: ModelClass, names: Any) -> tuple[str, ...]:
    fields: list[Any] = [model._meta.get_field(name) for name in names]
    return tuple(str(field.column) for field in fields)
