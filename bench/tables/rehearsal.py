"""The tables of bench/rehearsal.py: each vendor's rehearsal beside the static verdicts."""

from __future__ import annotations

from typing import Any

from bench.tables import Rendered, Table, Text

SQL_SHOWN = 90  # characters of a statement a table cell shows


def render(result: dict[str, Any]) -> Rendered:
    """Each vendor's rehearsal, one row per statement, beside the static verdict."""
    blocks: list[Table | Text] = []
    for found in result["data"]:
        for run in found["runs"]:
            document = run["document"]
            rehearsed = document["rehearsal"]
            verdicts = {
                (m["name"], op["index"]): f"{op['verdict']} {op['rule'] or ''}".strip()
                for m in document["migrations"]
                for op in m["operations"]
            }
            contradictions = sum(
                1 for m in rehearsed["migrations"] for op in m["operations"] if op["contradicts"]
            )
            blocks.append(
                Text(
                    f"{found['server']}, `{run['history']}`, {found['rows_in_target']:,} rows "
                    f"in `testapp_post`, up to {rehearsed['rows']:,} copied: "
                    f"{len(rehearsed['migrations'])} migration(s) rehearsed in "
                    f"{rehearsed['seconds']:.3f} s, {contradictions} contradiction(s)."
                )
            )
            rows = []
            for migration in rehearsed["migrations"]:
                for op in migration["operations"]:
                    verdict = verdicts.get((migration["name"], op["index"]), "")
                    for number, statement in enumerate(op["statements"]):
                        first = number == 0
                        rows.append(
                            [
                                f"`{migration['name']}` {op['operation']}" if first else "",
                                verdict if first else "",
                                f"`{_shown(statement['sql'])}`",
                                f"{statement['seconds'] * 1000:.1f}",
                                _locks(statement["locks"]),
                                ", ".join(statement["rewrote"]) or "-",
                                (op["contradicts"] or "-") if first else "",
                            ]
                        )
            header = ["migration", "verdict", "statement", "ms", "locks (blocks)", "rewrote"]
            blocks.append(Table([*header, "contradicts"], rows, "lllrlll"))
    return Rendered(blocks)


def _shown(sql: str) -> str:
    text = " ".join(sql.replace("`", "").split())  # MariaDB's quotes would end the code span
    return text if len(text) <= SQL_SHOWN else text[: SQL_SHOWN - 4] + " ..."


def _locks(locks: list[dict[str, Any]]) -> str:
    shown = dict.fromkeys(
        f"{lock['mode']} on {lock['table']} ({' and '.join(lock['blocks']) or 'nothing'})"
        for lock in locks
    )
    return "; ".join(shown) or "-"
