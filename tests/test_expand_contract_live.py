"""expand_contract end to end: three releases written by the command, two writers never stopping.

On the vendor under test (ZERODOWNTIME_TEST_DB), for a rename (title ->
headline) and a retype (views IntegerField -> BigIntegerField, note CharField ->
TextField, two pairs on one table):

1. release N (models unchanged, the expand migration) is applied while a
   process running the old code writes through the ORM;
2. a process running release N+1's code (the models.py edit the switch step
   printed) starts writing, and the switch is applied under both;
3. the contract step is refused while the ledger shows a host on release N,
   and applied once every host runs N+1, while the new code writes.

After each step the two columns are equal on every row; no write fails; every
value either writer wrote last is readable in the new column at the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.expand.releases import (
    Writer,
    apply_printed_edit,
    columns,
    differing,
    manage,
    new_release,
    ok,
    query,
)
from tests.releases import scenario_database

pytestmark = pytest.mark.db

TABLE = "catalog_item"


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with scenario_database(tmp_path) as database_url:
        yield database_url


def step(release: Path, changes: list[tuple[str, str, str]], name: str, url: str) -> str:
    printed = ""
    for kind, target, argument in changes:
        result = manage(
            release,
            "expand_contract",
            kind,
            target,
            argument,
            "--step",
            name,
            "--batch-size",
            "100",
            url=url,
            release_id=release.name,
        )
        printed += ok(result).stdout
    return printed


def assert_quiet(release: Path, url: str) -> None:
    """makemigrations finds nothing: the migrations' state matches that release's models."""
    ok(
        manage(
            release,
            "makemigrations",
            "--check",
            "--dry-run",
            "catalog",
            url=url,
            release_id=release.name,
        )
    )


def seed(release: Path, url: str, rows: int) -> None:
    code = (
        "from catalog.models import Item\n"
        f"Item.objects.bulk_create([Item(title=f'seed-{{i}}', views=i, note=f'n{{i}}') "
        f"for i in range({rows})])"
    )
    ok(manage(release, "shell", "-v", "0", "-c", code, url=url, release_id=release.name))


def drive(
    tmp: Path,
    url: str,
    changes: list[tuple[str, str, str]],
    fields: tuple[list[str], list[str]],
    pairs: list[tuple[str, str]],
) -> None:
    base = new_release(tmp, "base")
    ok(manage(base, "safe_migrate", url=url, release_id="base"))
    seed(base, url, 1500)

    # Release N: models unchanged; the expand migration, applied under the old code's writes.
    release_n = new_release(tmp, "release-n", base)
    step(release_n, changes, "expand", url)
    assert_quiet(release_n, url)
    old_writer = Writer(release_n, url, "old", fields[0], tmp)
    new_writer = None
    try:
        ok(manage(release_n, "safe_migrate", url=url, release_id="release-n"))
        ok(manage(release_n, "safe_migrate", "--mark-live", url=url, release_id="release-n"))
        for old, new in pairs:
            assert differing(url, TABLE, old, new) == 0, (old, new)

        # Release N+1: the printed models.py edit; its code writes while the switch applies.
        release_n1 = new_release(tmp, "release-n1", release_n)
        printed = step(release_n1, changes, "switch", url)
        for _ in changes:
            apply_printed_edit(release_n1, printed)
            printed = printed.split("\nwith\n", 1)[1]
        assert_quiet(release_n1, url)
        new_writer = Writer(release_n1, url, "new", fields[1], tmp)
        ok(manage(release_n1, "safe_migrate", url=url, release_id="release-n1", host="web-2"))
        ok(
            manage(
                release_n1,
                "safe_migrate",
                "--mark-live",
                url=url,
                release_id="release-n1",
                host="web-2",
            )
        )
        for old, new in pairs:
            assert differing(url, TABLE, old, new) == 0, (old, new)

        # Release N+2: refused while web-1 runs release N, applied once it runs N+1.
        release_n2 = new_release(tmp, "release-n2", release_n1)
        step(release_n2, changes, "contract", url)
        assert_quiet(release_n2, url)
        refused = manage(
            release_n2,
            "safe_migrate",
            "--format",
            "json",
            url=url,
            release_id="release-n2",
            host="web-2",
        )
        assert refused.returncode == 1, refused.stdout + refused.stderr
        blocked = [
            op
            for migration in json.loads(refused.stdout)["migrations"]
            for op in migration["operations"]
            if op["verdict"] == "blocked"
        ]
        assert [op["rule"] for op in blocked] == ["ZDT101"] * len(pairs)
        assert all(re.search(r"release-n\b", op["reason"]) for op in blocked), blocked
        for old, _new in pairs:
            assert old in columns(url, TABLE)  # nothing was applied
        old_report = old_writer.stop()  # web-1 moves to release N+1
        ok(manage(release_n1, "safe_migrate", "--mark-live", url=url, release_id="release-n1"))
        ok(manage(release_n2, "safe_migrate", url=url, release_id="release-n2", host="web-2"))
        assert not {old for old, _new in pairs} & columns(url, TABLE)
        new_report = new_writer.stop()
    finally:
        old_writer.kill()
        if new_writer is not None:
            new_writer.kill()

    for report in (old_report, new_report):
        assert report["failures"] == []
        assert report["writes"] > 20, report["writes"]
    assert_values(url, old_report, [old for old, _new in pairs], [new for _old, new in pairs])
    assert_values(
        url, new_report, [name.split(":")[0] for name in fields[1]], [new for _old, new in pairs]
    )


def assert_values(url: str, report: dict[str, object], names: list[str], cols: list[str]) -> None:
    """Every row a writer wrote holds, in the surviving columns, the last values it wrote."""
    written: dict[str, dict[str, object]] = report["written"]  # type: ignore[assignment]
    got = {
        str(row[0]): [str(v) for v in row[1:]]
        for row in query(url, f"SELECT id, {', '.join(cols)} FROM {TABLE}")
    }
    wrong = {
        pk: (got.get(pk), values)
        for pk, values in written.items()
        if got.get(pk) != [str(values[name]) for name in names]
    }
    assert not wrong, list(wrong.items())[:5]


def test_rename_through_three_releases_under_two_writers(tmp_path: Path, url: str) -> None:
    drive(
        tmp_path,
        url,
        [("rename", "catalog.Item.title", "headline")],
        (["title:str"], ["headline:str"]),
        [("title", "headline")],
    )


def test_retype_through_three_releases_under_two_writers(tmp_path: Path, url: str) -> None:
    drive(
        tmp_path,
        url,
        [
            ("retype", "catalog.Item.views", "models.BigIntegerField(default=0)"),
            ("retype", "catalog.Item.note", "models.TextField(default='')"),
        ],
        (["views:int", "note:str"], ["views:int", "note:str"]),
        [("views", "views_v2"), ("note", "note_v2")],
    )
