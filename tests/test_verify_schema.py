"""--verify-schema and the verified --fake / --fake-initial, on a real database of each vendor.

Real drift is made by hand (a column added, an index dropped, a type changed),
as someone at a database prompt would; a database Django just migrated has none.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.harness.testapp_project import manage, ok, sql
from tests.releases import VENDOR, scenario_database
from tests.topology import run_topology

pytestmark = pytest.mark.db

WIDE = "tests.rehearsals.wide"
KNOWN = "tests.rehearsals.known"
DROP_INDEX = {
    "postgres": "DROP INDEX gadget_price_count",
    "sqlite": "DROP INDEX gadget_price_count",
    "mariadb": "DROP INDEX gadget_price_count ON gadgets",
}
RETYPE = {
    "postgres": ["ALTER TABLE testapp_post ALTER COLUMN subtitle TYPE text"],
    "mariadb": ["ALTER TABLE testapp_post MODIFY subtitle longtext NULL"],
    # SQLite changes no column type in place: drop the column, add it back as text.
    "sqlite": [
        "ALTER TABLE testapp_post DROP COLUMN subtitle",
        "ALTER TABLE testapp_post ADD COLUMN subtitle text NULL",
    ],
}


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with scenario_database(tmp_path) as database_url:
        yield database_url


def verify(url: str, history: str = WIDE) -> tuple[int, dict[str, Any]]:
    result = manage(url, history, "safe_migrate", "--verify-schema", "--format", "json")
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result.returncode, json.loads(result.stdout)


def applied(url: str, history: str) -> list[str]:
    code = (
        "from django.db.migrations.recorder import MigrationRecorder as R\n"
        "print(sorted(n for a, n in R.Migration.objects.values_list('app', 'name') "
        "if a == 'testapp'))"
    )
    return eval(ok(manage(url, history, "shell", "-v0", "-c", code)))  # type: ignore[no-any-return]


def test_a_database_django_just_migrated_has_no_drift(url: str) -> None:
    """Every kind of column, index and constraint, renames on the way; the unmanaged
    and proxy models' tables (absent here) are not looked for."""
    ok(manage(url, WIDE, "migrate", "-v0"))
    assert verify(url) == (0, {"database": "default", "drift": []})
    out = ok(manage(url, WIDE, "safe_migrate", "--verify-schema"))
    assert out.strip() == "Database 'default' matches the state of its applied migrations."


def test_drift_made_by_hand_is_found(url: str) -> None:
    ok(manage(url, WIDE, "migrate", "-v0"))
    sql(url, WIDE, "ALTER TABLE testapp_post ADD COLUMN sneaky integer NULL")
    sql(url, WIDE, DROP_INDEX[VENDOR])
    sql(url, WIDE, *RETYPE[VENDOR])
    code, document = verify(url)
    assert code == 1
    drift = document["drift"]
    assert {"table": "testapp_post", "column": "sneaky", "kind": "column",
            "expected": "absent", "actual": "present"} in drift  # fmt: skip
    assert {"table": "gadgets", "column": None, "kind": "index",
            "expected": "index gadget_price_count (price, count)",
            "actual": "missing"} in drift  # fmt: skip
    (retyped,) = [d for d in drift if d["kind"] == "type"]
    assert (retyped["table"], retyped["column"], retyped["expected"]) == (
        "testapp_post",
        "subtitle",
        "varchar(200)",
    )
    assert retyped["actual"].lower() in ("text", "longtext")
    assert len(drift) == 3
    result = manage(url, WIDE, "safe_migrate", "--verify-schema")
    assert result.returncode == 1
    assert "testapp_post.sneaky: column expected absent, found present" in result.stdout
    assert "has drifted from its applied migrations: 3 difference(s)" in result.stderr


def test_tables_the_routers_keep_off_a_database_are_not_looked_for(
    url: str, tmp_path: Path
) -> None:
    with scenario_database(tmp_path) as other:
        for alias in ("default", "other"):
            ok_topology("migrate", "--database", alias, "-v0", url=url, other=other)
            result = ok_topology(
                "safe_migrate", "--verify-schema", "--database", alias, "--format", "json",
                url=url, other=other,
            )  # fmt: skip
            assert json.loads(result) == {"database": alias, "drift": []}


def ok_topology(*args: str, url: str, other: str) -> str:
    result = run_topology(*args, default_url=url, other_url=other)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_fake_is_refused_when_the_database_does_not_match(url: str) -> None:
    """testapp 0002-0005 were never run: faking them would make django_migrations lie."""
    ok(manage(url, KNOWN, "migrate", "testapp", "0001", "-v0"))
    result = manage(url, KNOWN, "safe_migrate", "testapp", "--fake", "--format", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["recorded"] is False
    assert [m["name"] for m in document["migrations"]][-1] == "0005_int_to_bigint"
    found = {(d["column"], d["kind"], d["actual"]) for d in document["drift"]}
    assert ("summary", "column", "missing") in found
    assert ("rating", "column", "missing") in found
    assert ("views", "index", "missing") in found
    assert "nothing was recorded" in result.stderr
    assert applied(url, KNOWN) == ["0001_initial"]


def test_fake_is_recorded_when_the_database_matches(url: str) -> None:
    """Someone added the column by hand, as 0002 says: --fake may record 0002."""
    ok(manage(url, KNOWN, "migrate", "testapp", "0001", "-v0"))
    sql(url, KNOWN, "ALTER TABLE testapp_post ADD COLUMN summary varchar(90) NULL")
    refused = manage(url, KNOWN, "safe_migrate", "testapp", "0002", "--fake")
    assert refused.returncode == 1  # varchar(90), not the varchar(80) of the state
    assert "testapp_post.summary: type expected varchar(80), found" in refused.stdout
    sql(url, KNOWN, "ALTER TABLE testapp_post DROP COLUMN summary")
    sql(url, KNOWN, "ALTER TABLE testapp_post ADD COLUMN summary varchar(80) NULL")
    out = ok(manage(url, KNOWN, "safe_migrate", "testapp", "0002", "--fake"))
    assert "the database matches; recording testapp.0002_add_nullable as applied" in out
    assert applied(url, KNOWN) == ["0001_initial", "0002_add_nullable"]


def test_fake_check_verifies_and_records_nothing(url: str) -> None:
    ok(manage(url, KNOWN, "migrate", "testapp", "0001", "-v0"))
    sql(url, KNOWN, "ALTER TABLE testapp_post ADD COLUMN summary varchar(80) NULL")
    out = ok(manage(url, KNOWN, "safe_migrate", "testapp", "0002", "--fake", "--check"))
    assert "(--check: nothing recorded)" in out
    assert applied(url, KNOWN) == ["0001_initial"]


def test_fake_initial_verifies_the_tables_it_would_fake(url: str) -> None:
    """Tables made by 0001 exist but are not recorded; one column is missing."""
    ok(manage(url, KNOWN, "migrate", "testapp", "0001", "-v0"))
    ok(manage(url, KNOWN, "migrate", "testapp", "zero", "--fake", "-v0"))
    sql(url, KNOWN, "ALTER TABLE testapp_post DROP COLUMN subtitle")
    result = manage(url, KNOWN, "safe_migrate", "testapp", "0001", "--fake-initial")
    assert result.returncode == 1
    assert "testapp_post.subtitle: column expected present, found missing" in result.stdout
    assert applied(url, KNOWN) == []
    sql(url, KNOWN, "ALTER TABLE testapp_post ADD COLUMN subtitle varchar(200) NULL")
    faked = manage(url, KNOWN, "safe_migrate", "testapp", "0001", "--fake-initial")
    assert faked.returncode == 0, faked.stdout + faked.stderr
    assert applied(url, KNOWN) == ["0001_initial"]
    assert "  Faked testapp.0001_initial in " in faked.stderr  # the progress says so


def test_fake_with_nothing_to_record_or_backwards_records_nothing(url: str) -> None:
    ok(manage(url, KNOWN, "migrate", "testapp", "0001", "-v0"))
    out = ok(manage(url, KNOWN, "safe_migrate", "testapp", "0001", "--fake"))
    assert "--fake: no migrations to record." in out
    backwards = manage(url, KNOWN, "safe_migrate", "testapp", "zero", "--fake")
    assert backwards.returncode == 2
    assert "--fake verifies migrations to apply, and this target unapplies some" in (
        backwards.stderr
    )
    assert applied(url, KNOWN) == ["0001_initial"]
