"""Every rule id, with the one-line title the docs and reports use."""

from __future__ import annotations

RULES: dict[str, str] = {
    "ZDT101": "drops a column a running release still uses",
    "ZDT102": "drops a table a running release still uses",
    "ZDT103": "drops an M2M table a running release still uses",
    "ZDT201": "adds a NOT NULL column without a database default",
    "ZDT202": "adds a column with a volatile database default (PostgreSQL)",
    "ZDT203": "adds a unique column with a callable default",
    "ZDT204": "sets an existing column NOT NULL",
    "ZDT205": "changes a column type in a way that rewrites the table",
    "ZDT206": "narrows a column type (varchar shrink, bigint to int)",
    "ZDT207": "changes an indexed varchar to text (PostgreSQL)",
    "ZDT208": "adds a foreign key constraint on an existing table",
    "ZDT209": "drops the database default of a NOT NULL column",
    "ZDT301": "creates an index without CONCURRENTLY (PostgreSQL)",
    "ZDT302": "creates a unique constraint without CONCURRENTLY (PostgreSQL)",
    "ZDT303": "adds a check constraint validated under a lock",
    "ZDT304": "runs a CONCURRENTLY operation inside an atomic migration",
    "ZDT401": "renames a column",
    "ZDT402": "renames a model's table or M2M tables",
    "ZDT403": "changes a model's db_table",
    "ZDT501": "RunSQL that cannot be understood",
    "ZDT502": "RunPython (blocked on PostgreSQL beside DDL in an atomic migration)",
    "ZDT503": "RunSQL that changes data or drops other objects",
    "ZDT901": "unknown operation that emits SQL",
    "ZDT902": "operation that could not be analysed",
    "ZDT903": "operation that cannot be unapplied",
}
