"""The tables of bench/rehearsal.py: each vendor's rehearsal beside the static verdicts.

``rehearsal.inc`` (docs/rehearsal.rst) lists every statement; a Backfill's
batches are one row. ``rehearsal-backfill.inc`` (docs/expand_contract.rst)
gives the batches of each backfill rehearsed, per vendor, with figures for the
prose (``|rehearsal-postgresql-backfill-longest-batch|``...).
"""

from __future__ import annotations

from typing import Any

from bench.tables import Rendered, Table, Text

SQL_SHOWN = 90  # characters of a statement a table cell shows
SERVER_VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MariaDB"}


def render(result: dict[str, Any]) -> Rendered:
    """Each vendor's rehearsal, one row per statement, beside the static verdict."""
    blocks: list[Table | Text] = []
    for found in result["data"]:
        for run in found["runs"]:
            blocks += _run(found, run)
    batches, figures = _batches(result)
    return Rendered(blocks, figures, {"backfill": batches} if figures else {})


def _run(found: dict[str, Any], run: dict[str, Any]) -> list[Table | Text]:
    document = run["document"]
    rehearsed = document["rehearsal"]
    verdicts = _verdicts(document)
    contradictions = sum(
        1 for m in rehearsed["migrations"] for op in m["operations"] if op["contradicts"]
    )
    text = Text(
        f"{found['server']}, `{run['history']}`, {found['rows_in_target']:,} rows "
        f"in `testapp_post`, up to {rehearsed['rows']:,} copied: "
        f"{len(rehearsed['migrations'])} migration(s) rehearsed in "
        f"{rehearsed['seconds']:.3f} s, {contradictions} contradiction(s)."
    )
    rows = []
    for migration in rehearsed["migrations"]:
        for op in migration["operations"]:
            cells = [
                [
                    f"`{_shown(statement['sql'])}`",
                    f"{statement['seconds'] * 1000:.1f}",
                    _locks(statement["locks"]),
                    ", ".join(statement["rewrote"]) or "-",
                ]
                for statement in op["statements"]
            ]
            if op.get("batches"):
                batches = op["batches"]
                cells.append(
                    [
                        f"{batches['count']:,} batch(es) writing {batches['rows']:,} rows, "
                        f"one transaction each (longest)",
                        f"{batches['longest_seconds'] * 1000:.1f}",
                        _batch_locks(batches),
                        "-",
                    ]
                )
            for number, cell in enumerate(cells):
                first = number == 0
                rows.append(
                    [
                        f"`{migration['name']}` {op['operation']}" if first else "",
                        verdicts.get((migration["name"], op["index"]), "") if first else "",
                        *cell,
                        (op["contradicts"] or "-") if first else "",
                    ]
                )
    header = ["migration", "verdict", "statement", "ms", "locks (blocks)", "rewrote"]
    return [text, Table([*header, "contradicts"], rows, "lllrlll")]


def _batches(result: dict[str, Any]) -> tuple[list[Table | Text], dict[str, str]]:
    """Every rehearsed operation that ran batches, per vendor; and figures for the prose."""
    rows: list[list[str]] = []
    figures: dict[str, str] = {}
    runs = []
    for found in result["data"]:
        for run in found["runs"]:
            rehearsed = run["document"]["rehearsal"]
            verdicts = _verdicts(run["document"])
            for migration in rehearsed["migrations"]:
                for op in migration["operations"]:
                    batches = op.get("batches")
                    if not batches:
                        continue
                    vendor = rehearsed["vendor"]
                    runs.append(run["history"])
                    rows.append(
                        [
                            SERVER_VENDORS.get(vendor, vendor),
                            f"`{migration['name']}` {op['operation']}",
                            verdicts.get((migration["name"], op["index"]), ""),
                            f"{batches['count']:,}",
                            f"{batches['rows']:,}",
                            _rows_locked(batches["rows_locked"]),
                            f"{batches['longest_seconds'] * 1000:.1f}",
                            f"{batches['median_seconds'] * 1000:.1f}",
                            _batch_locks(batches, rows=False),
                            op["contradicts"] or "-",
                        ]
                    )
                    key = f"rehearsal-{vendor}-{op['operation'].lower()}"
                    figures[f"{key}-batches"] = f"{batches['count']:,}"
                    if batches["rows_locked"] is not None:  # "-" alone would be a list
                        figures[f"{key}-rows-locked"] = f"{batches['rows_locked']:,}"
                    figures[f"{key}-longest-batch"] = f"{batches['longest_seconds'] * 1000:.1f} ms"
                    figures[f"{key}-median-batch"] = f"{batches['median_seconds'] * 1000:.1f} ms"
    if not rows:
        return [], {}
    histories = ", ".join(f"`{history}`" for history in dict.fromkeys(runs))
    header = [
        "vendor",
        "operation",
        "verdict",
        "batches",
        "rows",
        "rows locked (most in one batch)",
        "longest batch ms",
        "median batch ms",
        "table locks each batch held (blocks)",
        "contradicts",
    ]
    return [
        Text(
            f"The batches of {histories}, {result['options']['rows']:,} rows in `testapp_post`: "
            "per batch, BEGIN to COMMIT, how long its locks lasted (1 rehearsal per vendor)."
        ),
        Table(header, rows, "lllrrrrrll"),
    ], figures


def _verdicts(document: dict[str, Any]) -> dict[tuple[str, int], str]:
    found: dict[tuple[str, int], str] = {}
    for migration in document["migrations"]:
        for op in migration["operations"]:
            key = (migration["name"], op["index"])
            said = f"{op['verdict']} {op['rule'] or ''}".strip()
            found[key] = f"{found[key]}, {said}" if key in found else said
    return found


def _shown(sql: str) -> str:
    text = " ".join(sql.replace("`", "").split())  # MariaDB's quotes would end the code span
    return text if len(text) <= SQL_SHOWN else text[: SQL_SHOWN - 4] + " ..."


def _locks(locks: list[dict[str, Any]]) -> str:
    """Each lock, what it blocks, and for how long the serving code saw a blocking one (a
    lock outlives its statement in a transaction, or under LOCK TABLES)."""
    shown = dict.fromkeys(
        f"{lock['mode']} on {lock['table']} ({' and '.join(lock['blocks']) or 'nothing'}"
        + (f", {lock['held_seconds'] * 1000:.1f} ms" if lock["blocks"] else "")
        + ")"
        for lock in locks
    )
    return "; ".join(shown) or "-"


def _rows_locked(count: int | None) -> str:
    return "-" if count is None else f"{count:,}"


def _batch_locks(batches: dict[str, Any], rows: bool = True) -> str:
    held = [_locks(batches["locks"])] if batches["locks"] else []  # held: the longest batch
    if rows and batches["rows_locked"]:
        held.append(f"row locks on up to {batches['rows_locked']:,} rows (writes to them)")
    return "; ".join(held) or "-"
