"""The tables of bench/corpus.py: real upgrades of reusable apps through the oracle."""

from __future__ import annotations

from typing import Any

from bench.oracle.report import VENDORS, totals
from bench.tables import Rendered, Table, Text

DISAGREE = {"false-positive", "false-negative"}


def releases(data: dict[str, Any], environment: dict[str, Any]) -> Table:
    """Per upgrade: the releases, and per vendor operations, blocked, warnings, FP, FN."""
    vendors = list(data["totals"])
    found = {(u["name"], u["vendor"]): u["score"] for u in data["upgrades"]}
    rows = []
    for name, (package, old, new) in environment["releases"].items():
        cells = []
        for vendor in vendors:
            got = found.get((name, vendor))
            keys = ("operations", "blocked", "warnings", "false_positives", "false_negatives")
            cells.append(" / ".join(str(got[k]) for k in keys) if got else "not run")
        rows.append([f"`{package}` {old} -> {new}", *cells])
    return Table(["upgrade", *(VENDORS.get(v, v) for v in vendors)], rows, "l" + "r" * len(vendors))


def disagreements(data: dict[str, Any]) -> Table:
    """Every operation where a verdict and the oracle disagree, on the vendors where it does."""
    where: dict[tuple[str, str, str, int], dict[str, Any]] = {}
    for upgrade in data["upgrades"]:
        for row in upgrade["rows"]:
            if row["outcome"] in DISAGREE:
                key = (upgrade["name"], row["app"], row["migration"], row["index"])
                entry = where.setdefault(key, {"row": row, "vendors": []})
                entry["vendors"].append(VENDORS.get(upgrade["vendor"], upgrade["vendor"]))
    rows = []
    for (name, app, migration, index), entry in sorted(where.items()):
        row = entry["row"]
        said = ", ".join(
            " ".join(part for part in (p["verdict"], p["rule"], p["harm"]) if part)
            for p in row["predictions"]
        )
        rows.append(
            [
                f"{name}: `{app}.{migration}` #{index} {row['operation']}",
                ", ".join(entry["vendors"]),
                said,
                ", ".join(row["observed"]) or "nothing",
                row["outcome"],
            ]
        )
    return Table(
        ["operation", "vendors", "safe_migrate said", "oracle saw", "outcome"], rows, "lllll"
    )


def figures(data: dict[str, Any]) -> dict[str, str]:
    """``corpus-<vendor>-operations``, ``-blocked``, ``-false-positives``... and the minutes."""
    named = {"corpus-minutes": f"{data['seconds'] / 60:.0f}"}
    for vendor, score in data["totals"].items():
        for key in ("operations", "blocked", "false_positives", "false_negatives"):
            named[f"corpus-{vendor}-{key.replace('_', '-')}"] = str(score[key])
    return named


def render(result: dict[str, Any]) -> Rendered:
    data = result["data"]
    found = disagreements(data)
    blocks: list[Table | Text] = [
        Text(
            "The versions above are the driver's; each release ran in a virtualenv of its own "
            "with Django 5.2 (`bench/corpus_project/venvs.py`)."
        ),
        Text(
            "Per vendor, over every operation of every upgrade: a false positive is a blocked "
            "operation whose predicted harm did not happen; a false negative, a harm no finding "
            "of the operation predicted. Precision and recall per harm count warnings as "
            "predictions too; `locks` is not measured by the oracle."
        ),
        totals(data),
        Text(
            "Per upgrade and vendor: operations / blocked / warnings / false positives / "
            f"false negatives. The whole run took {data['seconds'] / 60:.0f} minutes."
        ),
        releases(data, result["environment"]),
    ]
    if found.rows:
        blocks += [Text("Every disagreement with the oracle:"), found]
    else:
        blocks.append(Text("No operation of the corpus disagrees with the oracle."))
    return Rendered(blocks, figures(data))
