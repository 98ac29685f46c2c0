"""The pure parts of graceful_reload: parsing, bookkeeping, choosing."""

from __future__ import annotations

import os

import pytest

from django_zerodowntime.errors import ExitError
from django_zerodowntime.reload.choice import choose, forced_warning, supervisor_of
from django_zerodowntime.reload.outcome import ExitCode
from django_zerodowntime.reload.preflight import ServerConfig, gunicorn_args
from django_zerodowntime.reload.processes import ProcId
from django_zerodowntime.reload.watcher import GenerationState


@pytest.mark.parametrize(
    ("cmdline", "expected"),
    [
        (["/v/bin/python", "/v/bin/gunicorn", "-c", "g.py"], ["-c", "g.py"]),
        (["/v/bin/gunicorn", "app:wsgi"], ["app:wsgi"]),
        (["python3", "-m", "gunicorn", "-w", "2", "app"], ["-w", "2", "app"]),
        (["gunicorn: master [example]"], None),
        (["/usr/bin/python", "server.py"], None),
        ([], None),
    ],
)
def test_gunicorn_args_are_read_from_the_master_command_line(
    cmdline: list[str], expected: list[str] | None
) -> None:
    assert gunicorn_args(cmdline) == expected


A, B, C, D = (ProcId(pid, 100.0) for pid in (11, 12, 13, 14))


def test_generation_ready_only_after_the_stability_window() -> None:
    state = GenerationState(expected=2)
    state.observe([A, B], {A}, now=0.0)
    assert not state.stable(10.0, 0.3)
    state.observe([A, B], {A, B}, now=1.0)
    assert not state.stable(1.2, 0.3)
    assert state.stable(1.3, 0.3)


def test_max_requests_recycling_of_a_booted_worker_is_not_a_crash() -> None:
    state = GenerationState(expected=2)
    state.observe([A, B], {A, B}, now=0.0)
    state.observe([B, C], {B}, now=0.1)  # A recycled after booting; C booting
    state.observe([B, C], {B, C}, now=0.2)
    assert state.died_before_boot == 0
    assert state.stable(0.5, 0.3)


def test_booted_workers_recycled_faster_than_the_window_still_make_it_ready() -> None:
    """Heavy traffic, low max_requests: never two booted workers alive for 0.3 s together."""
    state = GenerationState(expected=2)
    E = ProcId(15, 100.0)
    state.observe([A, B], {A, B}, now=0.0)
    for now, live in [(0.1, [B, C]), (0.2, [C, D]), (0.3, [D, E])]:
        state.observe(live, set(live[:1]), now=now)
    assert state.stable(0.3, 0.3)


def test_not_stable_while_no_booted_worker_is_alive() -> None:
    state = GenerationState(expected=2)
    state.observe([A, B], {A, B}, now=0.0)
    state.observe([C, D], set(), now=0.3)  # both recycled; the next two still booting
    assert not state.stable(0.3, 0.3)
    state.observe([C, D], {C}, now=0.35)
    assert state.stable(0.35, 0.3)


def test_workers_dying_before_boot_is_a_crash_loop() -> None:
    state = GenerationState(expected=2)
    for now, live in enumerate([[A, B], [C, D], [ProcId(15, 1.0)], []]):
        state.observe(live, set(), now=float(now))
    assert state.crash_looping()


def test_one_early_death_is_tolerated() -> None:
    state = GenerationState(expected=2)
    state.observe([A, B, C], set(), now=0.0)
    state.observe([A, B], {A, B}, now=0.1)
    assert not state.crash_looping()


def test_fast_recycling_missed_by_the_poll_is_not_a_crash_loop() -> None:
    """max_requests workers that live less than a poll interval are never seen booted;
    as long as some of the generation boot, their deaths are not a crash loop."""
    state = GenerationState(expected=2)
    workers = [ProcId(100 + i, 1.0) for i in range(12)]
    for step in range(0, 12, 3):
        short_lived, booting, steady = workers[step : step + 3]
        state.observe([short_lived, booting], set(), now=step * 0.1)
        state.observe([booting, steady], {booting}, now=step * 0.1 + 0.05)
        assert not state.crash_looping()


def test_auto_picks_usr2_and_says_why() -> None:
    strategy, reason = choose("auto", ServerConfig(preload_app=False), None)
    assert strategy == "usr2"
    assert "rollback-safe" in reason


def test_auto_picks_rolling_under_a_pid_tracking_supervisor() -> None:
    strategy, reason = choose("auto", ServerConfig(preload_app=False), "systemd")
    assert strategy == "rolling"
    assert "systemd tracks the master's PID" in reason
    assert "no boot-time stall" in reason


def test_rolling_refuses_preload_app() -> None:
    with pytest.raises(ExitError) as caught:
        choose("rolling", ServerConfig(preload_app=True), None)
    assert caught.value.code == ExitCode.BAD_INPUT


def test_forced_hup_runs_with_preload_app_and_warns() -> None:
    config = ServerConfig(preload_app=True)
    assert choose("hup", config, "systemd", force=True)[0] == "hup"
    warning = forced_warning("hup", config)
    assert warning is not None
    assert "stays the OLD code" in warning
    assert forced_warning("hup", ServerConfig(preload_app=False)) is None


@pytest.mark.parametrize("requested", ["auto", "usr2", "rolling"])
def test_force_is_refused_with_other_strategies(requested: str) -> None:
    with pytest.raises(ExitError) as caught:
        choose(requested, ServerConfig(preload_app=True), None, force=True)
    assert "--force only applies to --strategy hup" in caught.value.message


def test_rolling_expects_one_more_booted_worker_per_step() -> None:
    state = GenerationState(expected=1)
    state.observe([A], {A}, now=0.0)
    assert state.stable(0.3, 0.3)
    state.expect(2)
    assert not state.stable(10.0, 0.3)
    state.observe([A, B], {A, B}, now=1.0)
    assert state.stable(1.3, 0.3)


@pytest.mark.parametrize(("requested", "supervisor"), [("hup", None), ("auto", "supervisord")])
def test_preload_app_refuses_hup(requested: str, supervisor: str | None) -> None:
    with pytest.raises(ExitError) as caught:
        choose(requested, ServerConfig(preload_app=True), supervisor)
    assert caught.value.code == ExitCode.BAD_INPUT


def test_explicit_usr2_is_used_as_asked() -> None:
    assert choose("usr2", ServerConfig(), "systemd")[0] == "usr2"


def test_this_test_process_has_no_pid_tracking_supervisor() -> None:
    assert supervisor_of(os.getpid()) is None
