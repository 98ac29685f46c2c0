"""safe_migrate in-process: options, bad input (exit 2), output shapes."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from django_zerodowntime.ledger import record
from django_zerodowntime.migrate import lock, planning
from django_zerodowntime.migrate.apply import is_lock_timeout, lock_timeout
from django_zerodowntime.models import Release, Rollout

pytestmark = pytest.mark.db

JSON_KEYS = {"verdict", "release", "database", "migrations"}


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("safe_migrate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def exit_code(*args: str) -> tuple[int, str]:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return caught.value.returncode, str(caught.value)


def test_nothing_to_apply_exits_0_with_exact_json(db) -> None:  # type: ignore[no-untyped-def]
    out, _err = run("--format", "json")
    document = json.loads(out)
    assert document == {
        "verdict": "ok",
        "release": "test-release",
        "database": "default",
        "migrations": [],
    }


def test_nothing_to_apply_text(db) -> None:  # type: ignore[no-untyped-def]
    out, _err = run("--release", "r9")
    assert "Release r9 on database 'default': no migrations to apply." in out


def test_check_with_nothing_to_apply_exits_0(db) -> None:  # type: ignore[no-untyped-def]
    out, _err = run("--check", "--format", "json")
    assert set(json.loads(out)) == JSON_KEYS


def test_handle__unknown_app_label(db) -> None:  # type: ignore[no-untyped-def]
    """Exit 2: one line naming the label."""
    code, message = exit_code("nosuchapp")
    assert code == 2
    assert message == "no installed app with label 'nosuchapp'"


def test_handle__app_without_migrations(db) -> None:  # type: ignore[no-untyped-def]
    """Exit 2."""
    code, message = exit_code("messages")
    assert (code, message) == (2, "app 'messages' does not have migrations")


def test_handle__unknown_migration(db) -> None:  # type: ignore[no-untyped-def]
    """Exit 2."""
    code, message = exit_code("--check", "django_zerodowntime", "0099")
    assert (code, message) == (2, "app 'django_zerodowntime' has no migration '0099'")


def test_handle__ambiguous_migration_prefix(db) -> None:  # type: ignore[no-untyped-def]
    """Exit 2."""
    code, message = exit_code("--check", "auth", "00")
    assert code == 2
    assert "more than one migration" in message


def test_handle__unknown_database_alias(db) -> None:  # type: ignore[no-untyped-def]
    """Exit 2."""
    assert exit_code("--database", "nope")[0] == 2


def test_handle__force_without_reason(db) -> None:  # type: ignore[no-untyped-def]
    """Exit 2: a forced drop must say why."""
    code, message = exit_code("--force", "  ")
    assert code == 2
    assert "--force needs a reason" in message


def test_migrate_to_zero_is_planned_backwards(db) -> None:  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    targets = planning.resolve_targets(executor, "django_zerodowntime", "zero")
    assert targets == [("django_zerodowntime", None)]
    plan = planning.plan_for(executor, targets)
    assert plan
    assert all(backwards for _migration, backwards in plan)


def test_mark_live_then_fleet(db) -> None:  # type: ignore[no-untyped-def]
    out, _err = run("--mark-live", "--host", "web-7", "--release", "r5")
    assert out.strip() == "Recorded: host web-7 runs release r5 (manual rollout)."
    out, _err = run("--fleet")
    assert "web-7" in out
    assert "r5" in out
    (host,) = json.loads(run("--fleet", "--format", "json")[0])["hosts"]
    assert (host["host"], host["release"], host["source"]) == ("web-7", "r5", "manual")


def test_fleet_when_empty(db) -> None:  # type: ignore[no-untyped-def]
    out, _err = run("--fleet")
    assert "No host in the ledger yet" in out


def test_lock_timeout_errors_are_recognised() -> None:
    class PgError(Exception):
        sqlstate = "55P03"

    wrapped = Exception("canceling statement due to lock timeout")
    wrapped.__cause__ = PgError()
    assert is_lock_timeout(wrapped)
    assert is_lock_timeout(Exception(1205, "Lock wait timeout exceeded"))
    assert not is_lock_timeout(Exception(1146, "no such table"))


def test_ledger_lock_is_released_after_use(db) -> None:  # type: ignore[no-untyped-def]
    with lock.serialised(connection, wait=1):
        pass
    with lock.serialised(connection, wait=1):
        pass


@override_settings(ZERODOWNTIME={"LOCK_TIMEOUT": 3})
def test_lock_timeout_is_set_for_the_run_and_reset_after(db) -> None:  # type: ignore[no-untyped-def]
    queries = {
        "postgresql": "SELECT current_setting('lock_timeout')",
        "mysql": "SELECT @@SESSION.lock_wait_timeout",
    }
    query = queries.get(connection.vendor)

    def current() -> object:
        with connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchone()[0]

    if query is None:  # SQLite: no lock timeout to set; the block still runs
        with lock_timeout(connection):
            return
    before = current()
    with lock_timeout(connection):
        assert str(current()) in ("3s", "3")
    assert current() == before


def test_ledger_rows_describe_themselves(db) -> None:  # type: ignore[no-untyped-def]
    record.record_rollout("r1", "web-1", "manual")
    assert str(Release.objects.get(pk="r1")) == "r1"
    assert str(Rollout.objects.get()) == "web-1 runs r1 (manual)"


def test_text_report_names_the_rule_and_its_harm() -> None:
    from django_zerodowntime.migrate.report import text_lines

    operation = {
        "index": 0,
        "operation": "AddField",
        "target": "blog.Post.rating (blog_post.rating)",
        "verdict": "blocked",
        "rule": "ZDT201",
        "reason": "adds NOT NULL column",
        "remedy": "",
        "harm": "breaks-old-code",
    }
    migration = {"app": "blog", "name": "0002", "verdict": "refused", "operations": [operation]}
    document = {"release": "r2", "database": "default", "migrations": [migration]}
    text = "\n".join("".join(t for _s, t in line) for line in text_lines(document, applying=True))
    assert "#0 AddField blog.Post.rating (blog_post.rating) [ZDT201, breaks-old-code]:" in text


BRANCH = """\
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]
    operations = [migrations.RunSQL("SELECT 1", migrations.RunSQL.noop)]
"""


def test_handle__conflicting_migrations(db, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Exit 2 before anything is judged: two leaves, as Django's migrate refuses them."""
    package = tmp_path / "branched_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "0001_initial.py").write_text("from tests.scenarios.initial import Migration\n")
    for name in ("0002_left", "0002_right"):
        (package / f"{name}.py").write_text(BRANCH)
    monkeypatch.syspath_prepend(str(tmp_path))
    with override_settings(MIGRATION_MODULES={"testapp": "branched_migrations"}):
        code, message = exit_code("--check", "testapp")
    assert code == 2
    assert message == (
        "conflicting migrations (testapp: 0002_left, 0002_right): run makemigrations --merge"
    )
