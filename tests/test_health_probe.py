"""The readiness probe: cache, one computation at a time, deadline, heartbeat."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings

from django_zerodowntime.health.checks import (
    CheckFailed,
    CheckResult,
    CheckSpec,
    CheckWarning,
    Outcome,
    Status,
    run_check,
)
from django_zerodowntime.health.heartbeat import Heartbeat, ledger_recorder
from django_zerodowntime.health.probe import ReadinessProbe, overall_status
from tests.harness.deadline import IN_PROCESS_MARGIN, assert_cut_at, timed

HERE = "tests.test_health_probe"
calls: list[str] = []
release_hung = threading.Event()
entered_hung = threading.Event()


def counting_check() -> None:
    calls.append("counted")


def hung_check() -> Outcome:
    entered_hung.set()
    release_hung.wait(10)
    return Outcome(Status.PASS, "finally")


def warning_check() -> None:
    raise CheckWarning("queue is long")


def failing_check() -> None:
    raise CheckFailed("cache unreachable")


def leaky_check() -> None:
    raise RuntimeError('connection to "db.internal" as user "admin" failed')


def empty_check() -> list[Outcome]:
    return []


def several_check() -> list[Outcome]:
    return [Outcome(Status.PASS, component="a"), Outcome(Status.WARN, component="b")]


def settings_with(*checks: str | dict[str, object], **extra: object) -> override_settings:
    return override_settings(ZERODOWNTIME={"RELEASE": "r", "HEALTH_CHECKS": list(checks), **extra})


@pytest.fixture(autouse=True)
def reset() -> Iterator[None]:
    calls.clear()
    release_hung.clear()
    entered_hung.clear()
    yield
    release_hung.set()


def quiet_probe() -> ReadinessProbe:
    """A probe that never writes heartbeats: its thread would outlive the test's
    transaction and leave rows in the test database."""
    return ReadinessProbe(recorder=lambda: None)


def spec(name: str, critical: bool = True) -> CheckSpec:
    from django.utils.module_loading import import_string

    return CheckSpec(name, import_string(f"{HERE}.{name}"), critical)


def test_run_check_turns_exceptions_into_safe_outcomes() -> None:
    assert run_check(spec("warning_check")).outcomes == (Outcome(Status.WARN, "queue is long"),)
    assert run_check(spec("failing_check")).outcomes[0].status is Status.FAIL
    leaked = run_check(spec("leaky_check")).outcomes[0]
    assert leaked == Outcome(Status.FAIL, "RuntimeError raised")
    assert run_check(spec("empty_check")).outcomes == (Outcome(Status.PASS),)
    assert len(run_check(spec("several_check")).outcomes) == 2


def test_overall_status_fails_only_on_critical_failures() -> None:
    failing = CheckResult(spec("failing_check"), (Outcome(Status.FAIL),))
    optional = CheckResult(spec("failing_check", critical=False), (Outcome(Status.FAIL),))
    warned = CheckResult(spec("warning_check"), (Outcome(Status.WARN),))
    assert overall_status([failing, warned]) is Status.FAIL
    assert overall_status([optional]) is Status.WARN
    assert overall_status([warned]) is Status.WARN
    assert overall_status([]) is Status.PASS


def test_results_are_cached_for_the_cache_window() -> None:
    probe = quiet_probe()
    with settings_with(f"{HERE}.counting_check", HEALTH_CACHE_SECONDS=60):
        for _ in range(5):
            assert probe.report().status is Status.PASS
        assert probe.fresh_report() is not None
    assert calls == ["counted"]


def test_a_zero_cache_window_computes_every_time() -> None:
    probe = quiet_probe()
    with settings_with(f"{HERE}.counting_check", HEALTH_CACHE_SECONDS=0):
        probe.report()
        probe.report()
        assert probe.fresh_report() is None
    assert calls == ["counted", "counted"]


def test_concurrent_probes_share_one_computation() -> None:
    probe = quiet_probe()
    statuses: list[Status] = []
    with settings_with(f"{HERE}.hung_check", f"{HERE}.counting_check", HEALTH_CACHE_SECONDS=60):
        threads = [threading.Thread(target=lambda: statuses.append(probe.report().status))]
        threads[0].start()
        assert entered_hung.wait(5)
        # The leader is waiting for the hung check: followers must not start another.
        followers = [
            threading.Thread(target=lambda: statuses.append(probe.report().status))
            for _ in range(4)
        ]
        for thread in followers:
            thread.start()
        release_hung.set()
        for thread in threads + followers:
            thread.join(10)
    assert statuses == [Status.PASS] * 5
    assert calls == ["counted"]


def test_a_hung_check_fails_at_the_deadline_without_piling_up_threads() -> None:
    probe = quiet_probe()
    with settings_with(f"{HERE}.hung_check", HEALTH_CACHE_SECONDS=0, HEALTH_DEADLINE_SECONDS=0.3):
        first, first_took = timed(probe.report)
        second, second_took = timed(probe.report)
        assert_cut_at(first_took, 0.3, IN_PROCESS_MARGIN)
        assert_cut_at(second_took, 0.3, IN_PROCESS_MARGIN)
        workers = [t for t in threading.enumerate() if t.name == "zerodowntime-health"]
        assert len([t for t in workers if t is probe._worker]) == 1
        release_hung.set()
        assert probe._inflight is not None
        assert probe._inflight.done.wait(5)
        third = probe.report()
    assert first.status is second.status is Status.FAIL
    assert first.results[0].outcomes[0].output == "no answer within 0.3 s"
    assert third.status is Status.PASS


def test_a_follower_with_no_answer_yet_waits_for_the_leader() -> None:
    probe = quiet_probe()
    reports = []
    with settings_with(f"{HERE}.hung_check", HEALTH_DEADLINE_SECONDS=5, HEALTH_CACHE_SECONDS=60):
        leader = threading.Thread(target=lambda: reports.append(probe.report()))
        leader.start()
        assert entered_hung.wait(5)
        follower = threading.Thread(target=lambda: reports.append(probe.report()))
        follower.start()
        release_hung.set()
        leader.join(10)
        follower.join(10)
    assert [r.status for r in reports] == [Status.PASS, Status.PASS]


def test_a_follower_with_no_answer_gives_up_at_its_deadline() -> None:
    probe = quiet_probe()
    reports = []
    with settings_with(f"{HERE}.hung_check", HEALTH_DEADLINE_SECONDS=0.2, HEALTH_CACHE_SECONDS=0):
        leader = threading.Thread(target=lambda: reports.append(probe.report()))
        leader.start()
        assert entered_hung.wait(5)
        # The leader holds the lock for up to its deadline; the follower waits as long.
        follower, took = timed(probe.report)
        leader.join(10)
    assert follower.status is Status.FAIL
    assert took <= 0.2 + IN_PROCESS_MARGIN


def test_a_forked_process_starts_with_fresh_state() -> None:
    probe = quiet_probe()
    with settings_with(f"{HERE}.counting_check", HEALTH_CACHE_SECONDS=60):
        probe.report()
        probe._pid = -1  # as if this object had been inherited through fork()
        assert probe.fresh_report() is None
        probe.report()
    assert calls == ["counted", "counted"]


def test_only_inline_checks_need_no_thread() -> None:
    probe = quiet_probe()
    with settings_with("django_zerodowntime.health.checks.drain"):
        assert probe.fresh_report() is not None
        assert probe.report().status is Status.PASS
    assert probe._worker is None


def test_heartbeat_is_sent_off_the_request_path_and_throttled() -> None:
    sent: list[tuple[str, str]] = []
    heartbeat = Heartbeat(lambda: lambda release, host: sent.append((release, host)))
    with override_settings(ZERODOWNTIME={"HOST": "web-1", "HEARTBEAT_SECONDS": 60}):
        assert heartbeat.maybe_send("r1")
        heartbeat.wait(5)
        assert not heartbeat.maybe_send("r1")
    assert sent == [("r1", "web-1")]


def test_heartbeat_failures_are_swallowed() -> None:
    def broken(release: str, host: str) -> None:
        raise ConnectionError("ledger down")

    heartbeat = Heartbeat(lambda: broken)
    with override_settings(ZERODOWNTIME={"HEARTBEAT_SECONDS": 0.0001}):
        assert heartbeat.maybe_send("r1")
        heartbeat.wait(5)


def test_no_heartbeat_without_a_ledger() -> None:
    heartbeat = Heartbeat(lambda: None)
    with override_settings(ZERODOWNTIME={"HEARTBEAT_SECONDS": 60}):
        assert not heartbeat.maybe_send("r1")
    heartbeat.wait(1)  # nothing to wait for


def test_heartbeat_seconds_none_turns_heartbeats_off() -> None:
    sent: list[tuple[str, str]] = []
    heartbeat = Heartbeat(lambda: lambda release, host: sent.append((release, host)))
    with override_settings(ZERODOWNTIME={"HEARTBEAT_SECONDS": None}):
        assert not heartbeat.maybe_send("r1")
    heartbeat.wait(1)
    assert sent == []


def test_a_heartbeat_still_running_is_not_doubled() -> None:
    gate = threading.Event()
    heartbeat = Heartbeat(lambda: lambda release, host: gate.wait(5) and None)
    with override_settings(ZERODOWNTIME={"HEARTBEAT_SECONDS": 0.0001}):
        assert heartbeat.maybe_send("r1")
        assert not heartbeat.maybe_send("r1")
    gate.set()
    heartbeat.wait(5)


def test_the_ledger_recorder_is_the_ledgers_record_heartbeat() -> None:
    from django_zerodowntime.ledger.record import record_heartbeat

    assert ledger_recorder() is record_heartbeat


def test_the_ledger_recorder_is_none_when_the_ledger_cannot_import(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "django_zerodowntime.ledger.record", None)
    assert ledger_recorder() is None


def recorded(probe: ReadinessProbe, host: str) -> bool:
    """Has the heartbeat written ``host``'s rollout? Let a write in progress finish first:
    the in-memory SQLite test database's shared cache answers "table is locked" at once."""
    from django.db import OperationalError

    from django_zerodowntime.models import Rollout

    probe.heartbeat.wait(10)
    try:
        return Rollout.objects.filter(host=host).exists()
    except OperationalError:  # the thread started between wait() and the query
        return False


@pytest.mark.db
@pytest.mark.django_db(transaction=True)
def test_each_computation_records_a_heartbeat_in_the_ledger(tmp_path: Path) -> None:
    from django_zerodowntime.models import Rollout

    probe = ReadinessProbe()
    with settings_with(
        "django_zerodowntime.health.checks.database",
        HOST="probe-host",
        HEALTH_CACHE_SECONDS=0,
    ):
        assert probe.report().status is Status.PASS
        # The heartbeat starts after the computation, off the request path.
        deadline = time.monotonic() + 10
        while not recorded(probe, "probe-host"):
            assert time.monotonic() < deadline, "no heartbeat reached the ledger"
            time.sleep(0.02)
    rollout = Rollout.objects.get(host="probe-host")
    assert rollout.release_id == "r"
