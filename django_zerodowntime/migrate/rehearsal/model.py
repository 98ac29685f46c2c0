"""What a rehearsal measured, as plain data: migrations, operations, statements, locks.

Nothing here knows a vendor or a connection; ``runner.rehearse`` fills it in and
``verdicts`` / ``report`` read it. Other tools (the ground-truth oracle, the
expand/contract engine) take a ``Rehearsal`` as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Lock:
    """A lock one statement took on one table, and how long the serving code saw it."""

    table: str
    mode: str  # the vendor's own name: AccessExclusiveLock, SHARED, EXCLUSIVE...
    blocks: tuple[str, ...]  # a subset of ("reads", "writes"), for the serving code's queries
    held_seconds: float = 0.0  # from the statement's start to the end of its transaction
    reaches_serving_code: bool = True  # False: a table the serving code cannot use yet


@dataclass(frozen=True)
class Statement:
    sql: str
    seconds: float
    locks: tuple[Lock, ...] = ()
    rewrote: tuple[str, ...] = ()  # real table names whose storage was rebuilt
    rewrote_existing: tuple[str, ...] = ()  # those of them that existed before the rehearsal


@dataclass(frozen=True)
class OperationRun:
    index: int  # as in the static report: the position in migration.operations, from 0
    operation: str  # the class name
    seconds: float
    statements: tuple[Statement, ...] = ()
    error: str | None = None  # what the database said when the operation failed on the copy


@dataclass(frozen=True)
class MigrationRun:
    app: str
    name: str
    seconds: float
    operations: tuple[OperationRun, ...] = ()

    @property
    def failed(self) -> bool:
        return any(operation.error for operation in self.operations)


@dataclass(frozen=True)
class Rehearsal:
    vendor: str
    database: str  # the alias of the target
    rows: int  # the most rows copied per table
    seconds: float  # running the plan on the copy (not making the copy)
    migrations: tuple[MigrationRun, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        return any(migration.failed for migration in self.migrations)
