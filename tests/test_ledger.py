"""The deploy ledger: releases, rollouts, heartbeats, the fleet and drop permission."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from django_zerodowntime.errors import ExitError
from django_zerodowntime.ledger import fleet, record
from django_zerodowntime.ledger.snapshot import LedgerError, Snapshot, take_snapshot
from django_zerodowntime.migrate import lock
from django_zerodowntime.migrate.outcome import ExitCode
from django_zerodowntime.models import Release, Rollout
from django_zerodowntime.release import current_release
from django_zerodowntime.usage import Usage

pytestmark = pytest.mark.db

USES_SUBTITLE = Snapshot(
    tables=frozenset({"blog_post"}),
    columns=frozenset({("blog_post", "title"), ("blog_post", "subtitle")}),
)
RETIRED_SUBTITLE = Snapshot(
    tables=frozenset({"blog_post"}),
    columns=frozenset({("blog_post", "title")}),
    unused_columns=frozenset({("blog_post", "subtitle")}),
)
SUBTITLE = Usage("blog_post", "subtitle")


def roll(release: str, host: str, snapshot: Snapshot | None, source: str = "manual") -> None:
    record.record_release(release, snapshot)
    record.record_rollout(release, host, source)


def age(host: str, seconds: float) -> None:
    past = timezone.now() - timedelta(seconds=seconds)
    Rollout.objects.filter(host=host).update(at=past, seen=past)


def test_empty_ledger_blocks_every_drop_and_says_how_to_bootstrap(db) -> None:  # type: ignore[no-untyped-def]
    check = fleet.usage_check_for("r2", RETIRED_SUBTITLE)
    sentence = check(SUBTITLE)
    assert sentence is not None
    assert "safe_migrate --mark-live" in sentence
    assert check(Usage("other_table")) is not None


def test_drop_allowed_once_every_host_runs_a_release_without_the_column(db) -> None:  # type: ignore[no-untyped-def]
    roll("r2", "web-1", RETIRED_SUBTITLE)
    assert fleet.usage_check_for("r3", RETIRED_SUBTITLE)(SUBTITLE) is None
    running = fleet.usage_check_for(current_release(), take_snapshot())
    assert running(SUBTITLE) is None  # the running code does not use it either
    assert running(Usage("django_zerodowntime_rollout", "host")) is not None


def test_drop_refused_naming_the_host_and_release_still_using_it(db) -> None:  # type: ignore[no-untyped-def]
    roll("r1", "web-1", USES_SUBTITLE)
    roll("r1", "web-2", USES_SUBTITLE)
    roll("r2", "web-1", RETIRED_SUBTITLE)
    sentence = fleet.usage_check_for("r3", RETIRED_SUBTITLE)(SUBTITLE)
    assert sentence is not None
    assert "host web-2 running release r1" in sentence
    assert "web-1" not in sentence
    roll("r2", "web-2", RETIRED_SUBTITLE)
    assert fleet.usage_check_for("r3", RETIRED_SUBTITLE)(SUBTITLE) is None


def test_rollback_to_a_release_using_the_column_blocks_again(db) -> None:  # type: ignore[no-untyped-def]
    roll("r1", "web-1", USES_SUBTITLE)
    roll("r2", "web-1", RETIRED_SUBTITLE)
    roll("r1", "web-1", None)  # rolled back: r1's snapshot is already known
    sentence = fleet.usage_check_for("r3", RETIRED_SUBTITLE)(SUBTITLE)
    assert sentence is not None
    assert "release r1" in sentence


def test_the_release_being_deployed_counts_too(db) -> None:  # type: ignore[no-untyped-def]
    roll("r2", "web-1", RETIRED_SUBTITLE)
    sentence = fleet.usage_check_for("r3", USES_SUBTITLE)(SUBTITLE)
    assert sentence is not None
    assert "this release (r3) itself" in sentence


def test_release_with_unknown_schema_blocks(db) -> None:  # type: ignore[no-untyped-def]
    record.record_rollout("never-analysed", "web-1", "reload")
    sentence = fleet.usage_check_for("r3", RETIRED_SUBTITLE)(SUBTITLE)
    assert sentence is not None
    assert "does not know" in sentence


def test_heartbeat_refreshes_the_same_row(db) -> None:  # type: ignore[no-untyped-def]
    record.record_release("r1", USES_SUBTITLE)
    record.record_heartbeat("r1", "web-1")
    record.record_heartbeat("r1", "web-1")
    assert Rollout.objects.filter(host="web-1").count() == 1
    record.record_heartbeat("r2", "web-1")
    assert [e.release for e in fleet.fleet()] == ["r2"]
    assert Rollout.objects.filter(host="web-1").count() == 2


@override_settings(ZERODOWNTIME={"FLEET_EXPIRY_SECONDS": 60})
def test_heartbeat_hosts_drop_out_after_the_expiry_window(db) -> None:  # type: ignore[no-untyped-def]
    record.record_release("r1", USES_SUBTITLE)
    record.record_heartbeat("r1", "old-box")
    roll("r2", "web-1", RETIRED_SUBTITLE)
    assert fleet.usage_check_for("r3", RETIRED_SUBTITLE)(SUBTITLE) is not None
    age("old-box", 61)
    assert [entry.host for entry in fleet.fleet()] == ["web-1"]
    assert fleet.usage_check_for("r3", RETIRED_SUBTITLE)(SUBTITLE) is None


@override_settings(ZERODOWNTIME={"FLEET_EXPIRY_SECONDS": 60})
def test_reload_and_manual_rollouts_never_expire(db) -> None:  # type: ignore[no-untyped-def]
    roll("r1", "web-1", USES_SUBTITLE, source="reload")
    roll("r1", "web-2", USES_SUBTITLE, source="manual")
    age("web-1", 10**6)
    age("web-2", 10**6)
    assert sorted(entry.host for entry in fleet.fleet()) == ["web-1", "web-2"]


@override_settings(ZERODOWNTIME={"FLEET_EXPIRY_SECONDS": 60})
def test_expired_heartbeat_falls_back_to_the_hosts_reload(db) -> None:  # type: ignore[no-untyped-def]
    roll("r2", "web-1", RETIRED_SUBTITLE, source="reload")
    record.record_release("r1", USES_SUBTITLE)
    record.record_heartbeat("r1", "web-1")  # a last probe of an old worker
    assert [e.release for e in fleet.fleet()] == ["r1"]
    Rollout.objects.filter(source="heartbeat").update(seen=timezone.now() - timedelta(hours=1))
    assert [e.release for e in fleet.fleet()] == ["r2"]


def test_rollout_records_the_running_codes_snapshot(db) -> None:  # type: ignore[no-untyped-def]
    record.record_rollout("test-release", "web-1", "reload")
    row = Release.objects.get(pk="test-release")
    assert "django_zerodowntime_rollout" in Snapshot.from_json(row.snapshot).tables


def test_record_release_merges_a_reused_release_id(db) -> None:  # type: ignore[no-untyped-def]
    record.record_release("r1", RETIRED_SUBTITLE)
    record.record_release("r1", USES_SUBTITLE)
    record.record_release("r1", None)
    stored = Snapshot.from_json(Release.objects.get(pk="r1").snapshot)
    assert stored.uses(SUBTITLE)


def test_forced_reason_is_stored(db) -> None:  # type: ignore[no-untyped-def]
    record.record_release("r1", USES_SUBTITLE)
    record.record_forced("r1", "table is empty", ["blog.0003_remove"])
    (entry,) = Release.objects.get(pk="r1").forced
    assert entry["reason"] == "table is empty"
    assert entry["migrations"] == ["blog.0003_remove"]


@pytest.mark.parametrize(
    ("release", "host", "source", "message"),
    [("r", "h", "cron", "not one of"), ("", "h", "manual", "needs a release id")],
)
def test_bad_rollout_is_refused(db, release: str, host: str, source: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        record.record_rollout(release, host, source)


def test_corrupt_snapshot_row_is_a_ledger_error(db) -> None:  # type: ignore[no-untyped-def]
    Release.objects.create(id="r1", snapshot={"tables": "oops"})
    Rollout.objects.create(
        release_id="r1", host="web-1", source="manual", at=timezone.now(), seen=timezone.now()
    )
    with pytest.raises(LedgerError, match="corrupt ledger row: release 'r1'"):
        fleet.usage_check_for("r3", RETIRED_SUBTITLE)


def test_corrupt_rollout_source_is_a_ledger_error(db) -> None:  # type: ignore[no-untyped-def]
    Release.objects.create(id="r1", snapshot=USES_SUBTITLE.to_json())
    Rollout.objects.create(
        release_id="r1", host="web-1", source="cron", at=timezone.now(), seen=timezone.now()
    )
    with pytest.raises(LedgerError, match="source 'cron'"):
        fleet.fleet()


def test_second_holder_waits_then_gives_up(transactional_db) -> None:  # type: ignore[no-untyped-def]
    held = threading.Event()
    done = threading.Event()
    seen_wait: list[bool] = []

    def holder() -> None:
        try:
            with lock.serialised(connections["default"], wait=5):
                held.set()
                done.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(10)
        with (
            pytest.raises(ExitError, match="another safe_migrate") as refused,
            lock.serialised(connections["default"], 0.3, lambda: seen_wait.append(True)),
        ):
            pass  # pragma: no cover
        assert seen_wait == [True]
        assert refused.value.code is ExitCode.BAD_INPUT
    finally:
        done.set()
        thread.join(10)
    with lock.serialised(connections["default"], wait=5):
        pass  # free again once the holder let go


def test_applied_migrations_are_stored_per_run(db) -> None:  # type: ignore[no-untyped-def]
    record.record_release("r1", None)
    record.record_applied("r1", "default", ["blog.0002_x"])
    record.record_applied("r1", "other", ["blog.0003_y (unapplied)"])
    runs = Release.objects.get(pk="r1").applied
    assert [(run["database"], run["migrations"]) for run in runs] == [
        ("default", ["blog.0002_x"]),
        ("other", ["blog.0003_y (unapplied)"]),
    ]


@override_settings(ZERODOWNTIME={"HEARTBEAT_SECONDS": 60, "FLEET_EXPIRY_SECONDS": 600})
def test_a_heartbeat_host_silent_for_two_beats_is_stale_until_it_expires(db) -> None:  # type: ignore[no-untyped-def]
    roll("r1", "web-1", USES_SUBTITLE, source="reload")
    record.record_heartbeat("r1", "web-2")
    age("web-1", 500)
    age("web-2", 119)
    now = timezone.now()
    entries = {entry.host: entry for entry in fleet.fleet(now)}
    assert not fleet.is_stale(entries["web-2"], now)
    assert not fleet.is_stale(entries["web-1"], now)  # a reload rollout never goes stale
    assert fleet.expires_at(entries["web-1"]) is None
    later = now + timedelta(seconds=2)
    assert fleet.is_stale(entries["web-2"], later)  # two beats missed
    assert fleet.expires_at(entries["web-2"]) == entries["web-2"].seen + timedelta(seconds=600)


@override_settings(ZERODOWNTIME={"HEARTBEAT_SECONDS": None, "FLEET_EXPIRY_SECONDS": 600})
def test_with_heartbeats_off_here_stale_means_half_the_expiry(db) -> None:  # type: ignore[no-untyped-def]
    record.record_heartbeat("r1", "web-2")
    age("web-2", 299)
    [entry] = fleet.fleet()
    assert not fleet.is_stale(entry)
    assert fleet.is_stale(entry, timezone.now() + timedelta(seconds=2))
