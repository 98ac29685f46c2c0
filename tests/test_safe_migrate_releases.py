"""safe_migrate end to end: successive code releases in real subprocesses, real databases.

Each test gets its own database on the vendor under test (ZERODOWNTIME_TEST_DB).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.releases import (
    VENDOR,
    exercise,
    popen_release,
    run_release,
    scenario_database,
)

pytestmark = pytest.mark.db

RELEASES = Path(__file__).resolve().parent / "releases"
DROPPED_COLUMNS = {"subtitle", "abstract", "author_id"}
Result = subprocess.CompletedProcess[str]


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    with scenario_database(tmp_path) as database_url:
        yield database_url


def ok(result: Result) -> Result:
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def safe_migrate(release: str, *args: str, url: str, host: str = "web-1", **kw: Any) -> Result:
    return run_release(release, "safe_migrate", *args, database_url=url, host=host, **kw)


def applied(url: str) -> set[str]:
    out = ok(run_release("release3", "showmigrations", "scenario", database_url=url)).stdout
    return {line.split()[-1] for line in out.splitlines() if "[X]" in line}


def schema(url: str) -> tuple[set[str], set[str]]:
    """(tables, columns of scenario_article) as the database has them now."""
    code = (
        "from django.db import connection as c\n"
        "cur = c.cursor()\n"
        "print(','.join(sorted(c.introspection.table_names(cur))))\n"
        "print(','.join(sorted(d.name for d in "
        "c.introspection.get_table_description(cur, 'scenario_article'))))"
    )
    out = ok(run_release("release3", "shell", "-v", "0", "-c", code, database_url=url)).stdout
    tables, columns = out.strip().splitlines()[-2:]
    return set(tables.split(",")), set(columns.split(","))


def deploy(release: str, url: str, *hosts: str) -> None:
    """Migrate with the new code, then record that ``hosts`` serve it."""
    ok(safe_migrate(release, url=url))
    for host in hosts:
        ok(safe_migrate(release, "--mark-live", url=url, host=host))


def blocked(document: dict[str, object]) -> list[dict[str, object]]:
    return [
        op
        for migration in document["migrations"]  # type: ignore[attr-defined]
        for op in migration["operations"]
        if op["verdict"] == "blocked"
    ]


def test_two_deploy_rule_and_old_code_keeps_working(url: str) -> None:
    deploy("release1", url, "web-1")
    ok(exercise("release1", url))
    deploy("release2", url)  # AlterField null=True: safe while release1 serves
    ok(exercise("release1", url))  # the OLD code after the new release's migrations
    ok(safe_migrate("release2", "--mark-live", url=url))
    result = ok(safe_migrate("release3", "--format", "json", url=url))
    document = json.loads(result.stdout)
    assert document["verdict"] == "ok"
    assert [m["name"] for m in document["migrations"]] == ["0003_drop_retired"]
    tables, columns = schema(url)
    assert not DROPPED_COLUMNS & columns
    assert {"scenario_legacy", "scenario_article_tags"}.isdisjoint(tables)
    ok(exercise("release2", url))  # release2 marked them unused: unaffected by the drops
    ok(exercise("release3", url))
    # Control: the code that still used the columns really would have broken.
    assert exercise("release1", url).returncode != 0


def test_drop_in_the_release_that_stops_using_it_is_refused(url: str) -> None:
    deploy("release1", url, "web-1")
    result = safe_migrate("release3", "--format", "json", url=url)
    assert result.returncode == 1, result.stdout + result.stderr
    document = json.loads(result.stdout)
    assert document["verdict"] == "refused"
    ops = blocked(document)
    targets = " ".join(str(op["target"]) + str(op["reason"]) for op in ops)
    for name in ("subtitle", "abstract", "author", "tags", "legacy"):
        assert name in targets.lower()
    assert all(op["rule"] and op["remedy"] for op in ops)
    assert "release release1" in targets
    assert "nothing was applied" in result.stderr
    assert applied(url) == {"0001_initial"}  # refused whole: not even the safe 0002


def test_rollback_to_a_release_using_the_column_blocks_the_drop_again(url: str) -> None:
    deploy("release1", url, "web-1")
    deploy("release2", url, "web-1")
    ok(safe_migrate("release3", "--check", url=url))  # would be allowed now
    ok(safe_migrate("release1", "--mark-live", url=url))  # rolled back
    result = safe_migrate("release3", "--check", "--format", "json", url=url)
    assert result.returncode == 1
    assert "running release release1" in json.dumps(blocked(json.loads(result.stdout)))


def test_empty_ledger_blocks_every_drop(url: str) -> None:
    deploy("release1", url)
    deploy("release2", url)
    result = safe_migrate("release3", "--check", "--format", "json", url=url)
    assert result.returncode == 1
    ops = blocked(json.loads(result.stdout))
    assert len(ops) == 5
    assert all("--mark-live" in str(op["reason"]) for op in ops)


def test_check_applies_nothing(url: str) -> None:
    deploy("release1", url, "web-1")
    result = ok(safe_migrate("release2", "--check", url=url))
    assert "0002_stop_using: apply" in result.stdout
    assert applied(url) == {"0001_initial"}


def test_force_applies_and_stores_the_reason(url: str) -> None:
    deploy("release1", url, "web-1")
    ok(safe_migrate("release3", "--force", "staging copy, nobody reads it", url=url))
    assert "0003_drop_retired" in applied(url)
    code = (
        "from django_zerodowntime.models import Release;"
        "row = Release.objects.get(pk='release3');"
        "print(row.forced[0]['reason']);"
        "print(row.applied)"
    )
    out = ok(run_release("release3", "shell", "-v", "0", "-c", code, database_url=url)).stdout
    assert "staging copy, nobody reads it" in out
    # The ledger keeps what each run applied (the admin shows it per release).
    assert "'migrations': ['scenario.0002_stop_using', 'scenario.0003_drop_retired']" in out


def test_fleet_drop_waits_for_every_host(url: str) -> None:
    deploy("release1", url, "web-a", "web-b")
    deploy("release2", url, "web-a")  # rolling deploy: web-b still runs release1
    fleet = json.loads(ok(safe_migrate("release2", "--fleet", "--format", "json", url=url)).stdout)
    assert {(h["host"], h["release"]) for h in fleet["hosts"]} == {
        ("web-a", "release2"),
        ("web-b", "release1"),
    }
    text = ok(safe_migrate("release2", "--fleet", url=url)).stdout
    assert "web-b" in text
    assert "release1" in text
    result = safe_migrate("release3", "--format", "json", url=url)
    assert result.returncode == 1
    reasons = json.dumps(blocked(json.loads(result.stdout)))
    assert "host web-b running release release1" in reasons
    assert "web-a" not in reasons
    ok(safe_migrate("release2", "--mark-live", url=url, host="web-b"))
    ok(safe_migrate("release3", url=url))


def test_second_safe_migrate_waits_then_replans(url: str) -> None:
    deploy("release1", url, "web-1")
    holder_code = (
        "import sys\n"
        "from django.db import connection\n"
        "from django.core.management import call_command\n"
        "from django_zerodowntime.migrate import lock\n"
        "with lock.serialised(connection, 30):\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.readline()\n"
        "    call_command('migrate', 'scenario', verbosity=0)\n"
    )
    holder = popen_release("release2", "shell", "-v", "0", "-c", holder_code, database_url=url)
    waiter = None
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        waiter = popen_release("release2", "safe_migrate", "--format", "json", database_url=url)
        assert waiter.stderr is not None
        assert "waiting for another safe_migrate" in waiter.stderr.readline()
        holder.communicate("go\n", timeout=60)
        out, err = waiter.communicate(timeout=60)
        assert waiter.returncode == 0, out + err
        # Planned after the wait: the holder had already applied 0002.
        assert json.loads(out)["migrations"] == []
    finally:
        for process in (holder, waiter):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()


def test_lock_held_past_the_wait_is_exit_2(url: str) -> None:
    deploy("release1", url)
    holder_code = (
        "import sys\n"
        "from django.db import connection\n"
        "from django_zerodowntime.migrate import lock\n"
        "with lock.serialised(connection, 30):\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.readline()\n"
    )
    holder = popen_release("release2", "shell", "-v", "0", "-c", holder_code, database_url=url)
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        result = safe_migrate("release2", "--lock-wait", "0.5", url=url)
        assert result.returncode == 2
        assert "another safe_migrate still holds the lock" in result.stderr
    finally:
        holder.communicate("go\n", timeout=60)


def broken_release(tmp_path: Path, migration_source: str) -> str:
    """A copy of release1 with one more migration, written by the test."""
    target = tmp_path / "broken"
    shutil.copytree(RELEASES / "release1", target)
    (target / "scenario" / "migrations" / "0002_extra.py").write_text(migration_source)
    return str(target)


def test_handle__migration_file_fails_to_import(url: str, tmp_path: Path) -> None:
    """Exit 2, one line, nothing applied."""
    release = broken_release(tmp_path, "import module_that_does_not_exist\n")
    result = safe_migrate(release, url=url, release_id="broken")
    assert result.returncode == 2
    assert "a migration file failed to import" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_handle__allow_without_reason(url: str, tmp_path: Path) -> None:
    """Exit 2 before anything is applied."""
    source = (
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [('scenario', '0001_initial')]\n"
        "    zerodowntime_allow = {'ZDT101': ''}\n"
        "    operations = []\n"
    )
    result = safe_migrate(broken_release(tmp_path, source), url=url, release_id="broken")
    assert result.returncode == 2
    assert "needs a reason" in result.stderr
    assert applied(url) == set()


def test_handle__database_unreachable(tmp_path: Path) -> None:
    """Exit 2."""
    unreachable = {
        "sqlite": f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3",
        "postgres": "postgres://postgres@127.0.0.1:1/nowhere",
        "mariadb": "mysql://root@127.0.0.1:1/nowhere",
    }[VENDOR]
    result = safe_migrate("release1", url=unreachable)
    assert result.returncode == 2, result.stderr
    assert "is unreachable" in result.stderr


def test_handle__corrupt_ledger_row(url: str) -> None:
    """Exit 2 naming the release row."""
    deploy("release1", url, "web-1")
    code = (
        "from django_zerodowntime.models import Release;"
        "Release.objects.filter(pk='release1').update(snapshot={'tables': 5})"
    )
    ok(run_release("release1", "shell", "-v", "0", "-c", code, database_url=url))
    result = safe_migrate("release3", "--check", url=url)
    assert result.returncode == 2
    assert "corrupt ledger row: release 'release1'" in result.stderr


@pytest.mark.skipif(VENDOR == "sqlite", reason="SQLite has no lock timeout")
def test_lock_timeout_exits_1_naming_the_table(url: str) -> None:
    deploy("release1", url, "web-1")
    database = url.rsplit("/", 1)[1]
    if VENDOR == "postgres":
        import psycopg

        blocker = psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{database}")
    else:
        import MySQLdb

        blocker = MySQLdb.connect(host="127.0.0.1", user="root", database=database)
    try:
        cursor = blocker.cursor()
        cursor.execute("SELECT * FROM scenario_article")  # an open transaction reading it
        cursor.fetchall()
        result = safe_migrate("release2", url=url, extra_env={"ZDT_LOCK_TIMEOUT": "1"})
    finally:
        blocker.rollback()
        blocker.close()
    assert result.returncode == 1, result.stderr
    assert "lock on scenario_article" in result.stderr
    assert "0002_stop_using" not in applied(url)


def test_check_before_the_ledger_exists_blocks_drops_and_creates_nothing(url: str) -> None:
    ok(run_release("release1", "migrate", "scenario", database_url=url))  # plain migrate
    result = safe_migrate("release3", "--check", "--format", "json", url=url)
    assert result.returncode == 1
    ops = blocked(json.loads(result.stdout))
    assert ops
    assert all("ledger does not exist yet" in str(op["reason"]) for op in ops)
    tables, _columns = schema(url)
    assert "django_zerodowntime_release" not in tables
