"""Read and write the deploy ledger: releases, rollouts, the fleet, drop permission.

A drop of table/column C is allowed only if every host's latest rollout runs
a release whose snapshot does not use C, and at least one rollout exists.
Heartbeat rollouts last seen longer ago than ``FLEET_EXPIRY_SECONDS`` drop
out; reload and manual rollouts never expire.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from django_zerodowntime.conf import conf
from django_zerodowntime.models import Release, Rollout
from django_zerodowntime.release import current_release
from django_zerodowntime.safety.findings import Usage
from django_zerodowntime.safety.plan import UsageCheck
from django_zerodowntime.safety.snapshot import Snapshot, take_snapshot

SOURCES = frozenset(choice.value for choice in Rollout.Source)


class LedgerError(Exception):
    """The ledger holds something this code cannot trust (a corrupt row)."""


@dataclass(frozen=True)
class FleetEntry:
    host: str
    release: str
    source: str
    since: datetime
    seen: datetime


def _alias() -> str:
    return conf.LEDGER_DATABASE


def _snapshot_for(release: str) -> Snapshot | None:
    # Only the running code's own snapshot is known; another release's is not.
    return take_snapshot() if release == current_release() else None


def record_release(release: str, snapshot: Snapshot | None = None, *, label: str = "") -> None:
    """Record ``release`` with ``snapshot`` (merged with what was recorded before)."""
    row = Release.objects.using(_alias()).filter(pk=release).first()
    if row is None:
        data = snapshot.to_json() if snapshot is not None else None
        Release.objects.using(_alias()).create(id=release, label=label, snapshot=data)
        return
    if snapshot is None:
        return
    # A release id reused for different code: both versions may run, keep both usages.
    merged = snapshot if row.snapshot is None else _parse(row).union(snapshot)
    if row.snapshot != merged.to_json():
        row.snapshot = merged.to_json()
        row.save(using=_alias(), update_fields=["snapshot"])


def record_forced(release: str, reason: str, migrations: list[str]) -> None:
    """Store why blocked operations were applied anyway (``--force REASON``)."""
    row = Release.objects.using(_alias()).get(pk=release)
    entry = {"at": timezone.now().isoformat(), "reason": reason, "migrations": migrations}
    row.forced = [*(row.forced or []), entry]
    row.save(using=_alias(), update_fields=["forced"])


def record_rollout(release: str, host: str, source: str) -> None:
    """``host`` now runs ``release`` (graceful_reload, ``--mark-live``, heartbeats)."""
    if source not in SOURCES:
        raise ValueError(f"rollout source {source!r} is not one of {sorted(SOURCES)}")
    if not release or not host:
        raise ValueError("a rollout needs a release id and a host name")
    record_release(release, _snapshot_for(release))
    now = timezone.now()
    Rollout.objects.using(_alias()).create(
        release_id=release, host=host, source=source, at=now, seen=now
    )


def record_heartbeat(release: str, host: str) -> None:
    """A running process reports its release: one SELECT plus one UPDATE or INSERT."""
    rollouts = Rollout.objects.using(_alias())
    latest = rollouts.filter(host=host).order_by("-seen", "-id").values("id", "release_id")[:1]
    now = timezone.now()
    if latest and latest[0]["release_id"] == release:
        rollouts.filter(id=latest[0]["id"]).update(seen=now)
        return
    record_release(release, _snapshot_for(release))
    rollouts.create(
        release_id=release, host=host, source=Rollout.Source.HEARTBEAT, at=now, seen=now
    )


def fleet(now: datetime | None = None) -> list[FleetEntry]:
    """Which release each host runs (its latest rollout that has not expired)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=conf.FLEET_EXPIRY_SECONDS)
    alive = Rollout.objects.using(_alias()).filter(
        ~Q(source=Rollout.Source.HEARTBEAT) | Q(seen__gte=cutoff)
    )
    entries: dict[str, FleetEntry] = {}
    for host, release, source, at, seen in alive.order_by("host", "-seen", "-id").values_list(
        "host", "release_id", "source", "at", "seen"
    ):
        if host in entries:
            continue
        if source not in SOURCES:
            raise LedgerError(f"corrupt ledger row: rollout of host {host!r} has source {source!r}")
        entries[host] = FleetEntry(host, release, source, at, seen)
    return list(entries.values())


def _parse(row: Release) -> Snapshot:
    try:
        return Snapshot.from_json(row.snapshot)
    except ValueError as error:
        raise LedgerError(
            f"corrupt ledger row: release {row.id!r}: {error}; delete that Release row "
            f"and record it again with `safe_migrate --mark-live` from its code"
        ) from None


def load_snapshots(releases: set[str]) -> dict[str, Snapshot | None]:
    """Stored snapshots by release id; None for a release never analysed."""
    found: dict[str, Snapshot | None] = {name: None for name in releases}
    for row in Release.objects.using(_alias()).filter(pk__in=releases):
        found[row.id] = None if row.snapshot is None else _parse(row)
    return found


def make_usage_check(current_release: str, current: Snapshot) -> UsageCheck:
    """The planner's UsageCheck, from the fleet as it stands now (read once)."""
    hosts = fleet()
    snapshots = load_snapshots({entry.release for entry in hosts})

    def usage_check(usage: Usage) -> str | None:
        if not hosts:
            return (
                f"the deploy ledger records no rollout yet, so nothing shows that the code "
                f"serving now has stopped using {usage}; once the current code serves, run "
                f"`python manage.py safe_migrate --mark-live` on each host, then try again"
            )
        users = []
        for entry in hosts:
            snapshot = snapshots[entry.release]
            if snapshot is None or snapshot.uses(usage):
                users.append(_describe(entry, snapshot))
        if current.uses(usage):
            users.append(f"this release ({current_release}) itself")
        if not users:
            return None
        return f"{usage} is still used by " + "; ".join(users)

    return usage_check


def usage_check(usage: Usage) -> str | None:
    """One question for the running code's release, reading the ledger now."""
    return make_usage_check(current_release(), take_snapshot())(usage)


def _describe(entry: FleetEntry, snapshot: Snapshot | None) -> str:
    since = entry.since.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    text = f"host {entry.host} running release {entry.release} ({entry.source} since {since})"
    if snapshot is None:
        text += " whose schema the ledger does not know (record it with `--mark-live`)"
    return text
