"""safe_migrate with squashed migrations, two databases and a router, and a third-party app.

Real subprocesses on fresh databases of the vendor under test (ZERODOWNTIME_TEST_DB);
the project is ``tests.topology`` (stage 1 uses every column, stage 2 has stopped
using the ones the later migrations drop).
"""

from __future__ import annotations

import filecmp
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.releases import scenario_database
from tests.topology import run_topology

pytestmark = pytest.mark.db

Result = subprocess.CompletedProcess[str]


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with scenario_database(tmp_path) as database_url:
        yield database_url


@pytest.fixture
def other_url(tmp_path: Path) -> Iterator[str]:
    with scenario_database(tmp_path) as database_url:
        yield database_url


def ok(result: Result) -> Result:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def plan_json(result: Result) -> dict[str, Any]:
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def names(document: dict[str, Any]) -> list[str]:
    return [f"{m['app']}.{m['name']}" for m in document["migrations"]]


def operations(document: dict[str, Any], app: str) -> list[dict[str, Any]]:
    return [op for m in document["migrations"] if m["app"] == app for op in m["operations"]]


def query(sql: str, *, alias: str = "default", **kw: Any) -> list[list[Any]]:
    """Rows of ``sql`` on ``alias``, read by the topology project itself."""
    code = (
        "import json\nfrom django.db import connections\n"
        f"cur = connections[{alias!r}].cursor()\ncur.execute({sql!r})\n"
        "print(json.dumps([list(r) for r in cur.fetchall()]))"
    )
    out = ok(run_topology("shell", "-v", "0", "-c", code, **kw)).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def recorded(app: str, *, alias: str = "default", **kw: Any) -> set[str]:
    """The migrations of ``app`` that Django's recorder holds as applied on ``alias``."""
    code = (
        "from django.db import connections\n"
        "from django.db.migrations.recorder import MigrationRecorder\n"
        f"keys = MigrationRecorder(connections[{alias!r}]).applied_migrations()\n"
        f"print(','.join(name for label, name in keys if label == {app!r}))"
    )
    out = ok(run_topology("shell", "-v", "0", "-c", code, **kw)).stdout
    return set(filter(None, out.strip().splitlines()[-1].split(","))) if out.strip() else set()


def columns(table: str, *, alias: str = "default", **kw: Any) -> set[str]:
    code = (
        "from django.db import connections\nc = connections[" + repr(alias) + "]\n"
        f"print(','.join(d.name for d in c.introspection.get_table_description("
        f"c.cursor(), {table!r})))"
    )
    out = ok(run_topology("shell", "-v", "0", "-c", code, **kw)).stdout
    return set(out.strip().splitlines()[-1].split(","))


def tables(*, alias: str = "default", **kw: Any) -> set[str]:
    code = (
        "from django.db import connections\nc = connections[" + repr(alias) + "]\n"
        "print(','.join(c.introspection.table_names(c.cursor())))"
    )
    out = ok(run_topology("shell", "-v", "0", "-c", code, **kw)).stdout
    return set(out.strip().splitlines()[-1].split(","))


# -- squashed migrations ---------------------------------------------------------------

SQUASHED_PLAIN = {"0001_initial", "0002_rating", "0001_squashed_0002_rating"}


def test_squashed_migration_is_planned_when_none_it_replaces_is_applied(url: str) -> None:
    check = ok(
        run_topology("safe_migrate", "squashed", "--check", "--format", "json", default_url=url)
    )
    document = plan_json(check)
    assert names(document) == ["squashed.0001_squashed_0002_rating"]
    assert document["verdict"] == "ok"
    assert recorded("squashed", default_url=url) == set()  # --check applied nothing
    ok(run_topology("safe_migrate", "squashed", default_url=url))
    # Django records the replaced migrations and then the squashed one itself.
    assert recorded("squashed", default_url=url) == SQUASHED_PLAIN
    assert {"name", "note", "rating"} <= columns("squashed_item", default_url=url)
    again = ok(run_topology("safe_migrate", "squashed", "--format", "json", default_url=url))
    assert plan_json(again)["migrations"] == []


def test_partly_applied_squash_is_planned_as_the_originals(url: str) -> None:
    # Apply 0001_initial alone. Django 5.2 refuses a target that a usable squash replaces
    # (Django 6 allows it), so migrate with the other package, whose 0001_initial is the same.
    squashed = Path(__file__).parent / "topology" / "squashed"
    assert filecmp.cmp(squashed / "plain/0001_initial.py", squashed / "with_drop/0001_initial.py")
    ok(run_topology("migrate", "squashed", "0001_initial", default_url=url, squash="with_drop"))
    check = ok(
        run_topology("safe_migrate", "squashed", "--check", "--format", "json", default_url=url)
    )
    assert names(plan_json(check)) == ["squashed.0002_rating"]
    (op,) = operations(plan_json(check), "squashed")
    assert (op["operation"], op["verdict"]) == ("AddField", "safe")
    ok(run_topology("safe_migrate", "squashed", default_url=url))
    assert recorded("squashed", default_url=url) == SQUASHED_PLAIN
    assert "rating" in columns("squashed_item", default_url=url)


def test_drop_inside_a_squashed_migration_is_judged_like_any_drop(url: str) -> None:
    squash = {"default_url": url, "squash": "with_drop"}
    ok(run_topology("migrate", "squashed", "0001_initial", **squash))
    ok(run_topology("safe_migrate", "--mark-live", **squash))  # stage 1 still uses note
    refused = run_topology("safe_migrate", "squashed", "--format", "json", **squash)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    document = plan_json(refused)
    assert names(document) == ["squashed.0002_squashed_0003"]
    add, drop = operations(document, "squashed")
    assert add["verdict"] == "safe"
    assert (drop["operation"], drop["verdict"], drop["rule"]) == (
        "RemoveField",
        "blocked",
        "ZDT101",
    )
    assert "squashed_item.note" in drop["reason"]
    assert "host web-1 running release stage1" in drop["reason"]
    assert "note = unused(" in drop["remedy"]
    assert recorded("squashed", **squash) == {"0001_initial"}  # refused whole
    # Stage 2 marks note unused and is rolled out: the same squashed drop now applies.
    ok(run_topology("safe_migrate", "--mark-live", stage=2, **squash))
    ok(run_topology("safe_migrate", "squashed", stage=2, **squash))
    assert recorded("squashed", **squash) == {
        "0001_initial",
        "0002_rating",
        "0003_drop_note",
        "0002_squashed_0003",
    }
    assert "note" not in columns("squashed_item", **squash)


# -- two databases and a router --------------------------------------------------------


def test_database_option_judges_only_what_the_router_migrates_there(
    url: str, other_url: str
) -> None:
    both = {"default_url": url, "other_url": other_url}
    ok(run_topology("migrate", "shop", "0001_initial", **both))
    ok(run_topology("migrate", "archive", "0001_initial", "--database", "other", **both))
    ok(run_topology("safe_migrate", "--mark-live", **both))  # stage 1 uses memo and body

    check = run_topology(
        "safe_migrate", "--database", "other", "--check", "--format", "json", **both
    )
    assert check.returncode == 1, check.stdout + check.stderr
    document = plan_json(check)
    assert document["database"] == "other"
    (body,) = operations(document, "archive")
    assert (body["verdict"], body["rule"]) == ("blocked", "ZDT101")
    assert "archive_entry.entry_body" in body["reason"]
    # shop lives on default only: its drop is skipped on "other", so it cannot break anything.
    (memo,) = [op for op in operations(document, "shop") if op["operation"] == "RemoveField"]
    assert memo["verdict"] == "safe"
    assert "not migrated on database 'other' by the router" in memo["reason"]

    # On default it is the other way round.
    on_default = plan_json(run_topology("safe_migrate", "--check", "--format", "json", **both))
    (memo,) = operations(on_default, "shop")
    assert memo["verdict"] == "blocked"
    assert "shop_order.memo" in memo["reason"]
    archive = operations(on_default, "archive")  # never migrated on default
    assert [op["operation"] for op in archive] == ["CreateModel", "RemoveField"]
    assert all(op["verdict"] == "safe" for op in archive)
    assert all("not migrated on database 'default' by the router" in op["reason"] for op in archive)

    # Stage 2 stops using both and is rolled out; --database other applies only there.
    ok(run_topology("safe_migrate", "--mark-live", stage=2, **both))
    ok(run_topology("safe_migrate", "--database", "other", stage=2, **both))
    assert "entry_body" not in columns("archive_entry", alias="other", **both)
    assert recorded("archive", alias="other", **both) == {"0001_initial", "0002_drop_body"}
    # The default database is untouched: shop's drop is still pending there.
    assert "memo" in columns("shop_order", **both)
    assert recorded("shop", **both) == {"0001_initial"}
    # The ledger lives on LEDGER_DATABASE (default), never on "other".
    assert "django_zerodowntime_release" not in tables(alias="other", **both)
    releases = query("SELECT id FROM django_zerodowntime_release", **both)
    assert {row[0] for row in releases} == {"stage1", "stage2"}


# -- a third-party app -----------------------------------------------------------------


def test_third_party_app_drop_is_judged_with_its_real_names(url: str) -> None:
    ok(run_topology("migrate", "zdt_coupons", "0001_initial", default_url=url))
    ok(run_topology("safe_migrate", "--mark-live", default_url=url))  # v1 uses coupon_code
    refused = run_topology("safe_migrate", "zdt_coupons", "--format", "json", default_url=url)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    (drop,) = operations(plan_json(refused), "zdt_coupons")
    assert (drop["verdict"], drop["rule"]) == ("blocked", "ZDT101")
    assert drop["target"] == "zdt_coupons.Coupon.code (vendor_coupons.coupon_code)"
    assert "drops column vendor_coupons.coupon_code" in drop["reason"]
    assert "class Coupon(models.Model):" in drop["remedy"]
    assert "db_column='coupon_code'" in drop["remedy"]
    assert recorded("zdt_coupons", default_url=url) == {"0001_initial"}
    # Version 2 of the package no longer uses the column; once it serves, the drop applies.
    ok(run_topology("safe_migrate", "--mark-live", stage=2, default_url=url))
    ok(run_topology("safe_migrate", "zdt_coupons", stage=2, default_url=url))
    assert columns("vendor_coupons", default_url=url) == {"id", "percent"}
