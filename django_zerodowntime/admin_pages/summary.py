"""What the release pages say about a ledger row, as plain text: pure functions."""

from __future__ import annotations

from typing import Any

from django_zerodowntime.ledger.snapshot import LedgerError, stored_snapshot

NOT_ANALYSED = (
    "not known: a host reported this release, but its code never ran safe_migrate "
    "or --mark-live, so drops wait for it"
)


def snapshot_summary(release: str, data: object) -> str:
    """``4 tables, 17 columns used; marked unused: column blog_post.subtitle``."""
    if data is None:
        return NOT_ANALYSED
    try:
        snapshot = stored_snapshot(release, data)
    except LedgerError as error:
        return str(error)
    text = f"{len(snapshot.tables)} tables, {len(snapshot.columns)} columns used"
    marked = snapshot.marked_unused()
    if not marked:
        return text + "; nothing marked unused"
    names = ", ".join(("table " if u.column is None else "column ") + str(u) for u in marked)
    return f"{text}; marked unused: {names}"


def _entries(value: Any) -> list[dict[str, Any]]:
    # JSON the ledger wrote; anything else (a hand-edited row) shows as nothing.
    return [e for e in value if isinstance(e, dict)] if isinstance(value, list) else []


def _when(entry: dict[str, Any]) -> str:
    return str(entry.get("at", ""))[:19].replace("T", " ")


def migrations_applied(applied: Any) -> list[str]:
    """One line per safe_migrate run: ``blog.0002_post_subtitle on default at 2026-...``."""
    lines = []
    for entry in _entries(applied):
        names = ", ".join(str(n) for n in entry.get("migrations", [])) or "nothing"
        lines.append(f"{names} on {entry.get('database', '?')} at {_when(entry)}")
    return lines


def forced_reasons(forced: Any) -> list[str]:
    """One line per --force: ``"table is empty" for blog.0003_remove at 2026-...``."""
    lines = []
    for entry in _entries(forced):
        names = ", ".join(str(n) for n in entry.get("migrations", []))
        lines.append(f"{entry.get('reason', '')!r} for {names} at {_when(entry)}")
    return lines
