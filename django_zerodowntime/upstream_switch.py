"""The steps of a blue-green (or rolling) switch of an Nginx upstream.

Order matters, and every step before the Nginx reload can fail without
anyone noticing: wait for the target's health, write the include file
atomically, ``nginx -t`` (restore the old file if it fails), reload, confirm
through Nginx (switch back if it fails), and only then drain the old side,
so the old side serves until the new one demonstrably does.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django_zerodowntime import health_client, upstream
from django_zerodowntime.errors import ExitError


class ExitCode(enum.IntEnum):
    SWITCHED = 0
    TARGET_NOT_READY = 1
    BAD_INPUT = 2
    NGINX_TEST_FAILED = 3
    NGINX_RELOAD_FAILED = 4
    NOT_CONFIRMED = 5
    DRAIN_FAILED = 6


@dataclass(frozen=True)
class Side:
    name: str
    address: str
    drain_file: Path | None = None


@dataclass(frozen=True)
class SwitchPlan:
    targets: tuple[Side, ...]
    others: tuple[Side, ...]
    upstream_file: Path
    health_path: str
    expect_release: str | None
    timeout: float
    nginx_test_cmd: str
    nginx_reload_cmd: str
    public_url: str | None = None
    server_parameters: str = ""


@dataclass
class SwitchOutcome:
    changed: bool = False
    releases: dict[str, str | None] = field(default_factory=dict)
    drained: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Progress = Callable[[str], None]
SetDrain = Callable[[Path, bool], None]


def switch(
    plan: SwitchPlan,
    *,
    set_drain: SetDrain,
    progress: Progress,
    probe: health_client.Probe = health_client.read_health,
    run: Callable[[str], upstream.CommandResult] = upstream.run_command,
) -> SwitchOutcome:
    outcome = SwitchOutcome()
    old_text = read_current(plan)
    for side in plan.targets:
        if side.drain_file is not None:
            try:
                set_drain(side.drain_file, False)  # a rollback target was drained last time
            except OSError as error:
                raise ExitError(
                    ExitCode.BAD_INPUT,
                    f"cannot clear {side.name}'s drain flag {side.drain_file}: {error}. "
                    "Nothing was changed.",
                ) from None
    for side in plan.targets:
        url = f"http://{side.address}{plan.health_path}"
        progress(f"waiting for {side.name} ({url}) to answer 200")
        ready, reading = health_client.wait_until_ready(
            url, plan.expect_release, plan.timeout, probe=probe
        )
        if not ready:
            wanted = f" with releaseId {plan.expect_release!r}" if plan.expect_release else ""
            raise ExitError(
                ExitCode.TARGET_NOT_READY,
                f"{side.name} ({url}) did not answer 200{wanted} within {plan.timeout:g} s "
                f"(last: {reading.describe()}). Nothing was changed: Nginx still sends "
                f"traffic to {servers_of(old_text)}. Is {side.name} running the new "
                "release, migrated, and not draining (manage.py drain status)?",
            )
        outcome.releases[side.name] = reading.release
    names = "+".join(side.name for side in plan.targets)
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    new_text = upstream.render_upstream(
        [side.address for side in plan.targets],
        f"{names}: written by switch_upstream {stamp}",
        plan.server_parameters,
    )
    if upstream.server_lines(old_text) == upstream.server_lines(new_text):
        outcome.notes.append(f"{plan.upstream_file} already reads: {servers_of(new_text)}")
    else:
        apply_file(plan, old_text, new_text, run=run, progress=progress)
        outcome.changed = True
    if plan.public_url:
        confirm(plan, outcome, old_text, probe=probe, run=run, progress=progress)
    else:
        outcome.notes.append("no --public-url: not confirmed through Nginx")
    drain_others(plan, outcome, set_drain=set_drain, progress=progress)
    return outcome


def read_current(plan: SwitchPlan) -> str:
    try:
        text = plan.upstream_file.read_text(encoding="utf-8")
        servers = upstream.parse_upstream(text)
    except (OSError, upstream.UpstreamFileError) as error:
        raise ExitError(ExitCode.BAD_INPUT, f"cannot use {plan.upstream_file}: {error}") from None
    known = {side.address for side in plan.targets + plan.others}
    unknown = [server for server in servers if server not in known]
    if unknown:
        raise ExitError(
            ExitCode.BAD_INPUT,
            f"{plan.upstream_file} lists {', '.join(unknown)}, which is neither side "
            f"({', '.join(sorted(known))}); refusing to drop a server I was not told about.",
        )
    return text


def servers_of(text: str) -> str:
    return ", ".join(upstream.parse_upstream(text)) or "no server"


def apply_file(
    plan: SwitchPlan,
    old_text: str,
    new_text: str,
    *,
    run: Callable[[str], upstream.CommandResult],
    progress: Progress,
) -> None:
    try:
        upstream.write_atomically(plan.upstream_file, new_text)
    except OSError as error:
        raise ExitError(
            ExitCode.BAD_INPUT,
            f"cannot write {plan.upstream_file}: {error}. Nothing was changed; the deploy "
            "user needs write access to its directory (the new file is renamed over it).",
        ) from None
    progress(f"wrote {plan.upstream_file}: {servers_of(new_text)}")
    tested = run(plan.nginx_test_cmd)
    if not tested.ok:
        upstream.write_atomically(plan.upstream_file, old_text)
        raise ExitError(
            ExitCode.NGINX_TEST_FAILED,
            f"'{plan.nginx_test_cmd}' failed (exit {tested.returncode}), so Nginx was not "
            f"reloaded and {plan.upstream_file} was restored; traffic still goes to "
            f"{servers_of(old_text)}. Fix the Nginx configuration first:\n{tested.output}",
        )
    reloaded = run(plan.nginx_reload_cmd)
    if not reloaded.ok:
        upstream.write_atomically(plan.upstream_file, old_text)
        raise ExitError(
            ExitCode.NGINX_RELOAD_FAILED,
            f"'{plan.nginx_reload_cmd}' failed (exit {reloaded.returncode}); "
            f"{plan.upstream_file} was restored so it matches what Nginx still runs "
            f"({servers_of(old_text)}). Is Nginx running?\n{reloaded.output}",
        )
    progress(f"nginx reloaded ('{plan.nginx_reload_cmd}')")


def confirm(
    plan: SwitchPlan,
    outcome: SwitchOutcome,
    old_text: str,
    *,
    probe: health_client.Probe,
    run: Callable[[str], upstream.CommandResult],
    progress: Progress,
) -> None:
    assert plan.public_url is not None
    url = upstream.health_url(plan.public_url, plan.health_path)
    releases = set(outcome.releases.values())
    progress(
        f"confirming through {url} that releaseId {', '.join(sorted(map(str, releases)))} answers"
    )
    confirmed, reading = upstream.confirm_serving(url, releases, plan.timeout, probe=probe)
    if confirmed:
        others = {other_release(plan, side, probe) for side in plan.others}
        if releases & (others - {None}):
            outcome.notes.append(
                "both sides report the same releaseId: the confirmation shows the site "
                "answers through Nginx, not which side answered"
            )
        return
    message = (
        f"{url} did not report releaseId {sorted(map(str, releases))} within "
        f"{plan.timeout:g} s (last: {reading.describe()})."
    )
    if outcome.changed:
        upstream.write_atomically(plan.upstream_file, old_text)
        back = run(plan.nginx_test_cmd)
        back = run(plan.nginx_reload_cmd) if back.ok else back
        state = "switched back" if back.ok else f"switching back FAILED ({back.output})"
        message += f" {state} to {servers_of(old_text)}; the old side was not drained."
    else:
        message += " The upstream file already listed the target; nothing was changed."
    raise ExitError(ExitCode.NOT_CONFIRMED, message)


def other_release(plan: SwitchPlan, side: Side, probe: health_client.Probe) -> str | None:
    return probe(f"http://{side.address}{plan.health_path}").release


def drain_others(
    plan: SwitchPlan, outcome: SwitchOutcome, *, set_drain: SetDrain, progress: Progress
) -> None:
    targets = {side.address for side in plan.targets}
    for side in plan.others:
        if side.drain_file is None:
            outcome.notes.append(
                f"{side.name} was not drained (no --{side.name}-drain-file): "
                "run `manage.py drain on` for it"
            )
            continue
        try:
            set_drain(side.drain_file, True)
        except OSError as error:
            raise ExitError(
                ExitCode.DRAIN_FAILED,
                f"traffic now goes to {', '.join(sorted(targets))}, but draining "
                f"{side.name} ({side.drain_file}) failed: {error}. Drain it by hand.",
            ) from None
        outcome.drained.append(side.name)
        progress(f"drained {side.name} ({side.drain_file})")
