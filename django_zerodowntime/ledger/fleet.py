"""Read the ledger: which release each host runs, and who still uses a table or column.

A drop of table/column C is allowed only if every host's latest rollout runs
a release whose snapshot does not use C, and at least one rollout exists.
Heartbeat rollouts last seen longer ago than ``FLEET_EXPIRY_SECONDS`` drop
out; reload and manual rollouts never expire. One silent for two beats is
stale: it may be gone, yet it counts until it expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from django_zerodowntime.conf import conf
from django_zerodowntime.ledger.record import SOURCES
from django_zerodowntime.ledger.snapshot import LedgerError, Snapshot, stored_snapshot
from django_zerodowntime.models import Release, Rollout
from django_zerodowntime.usage import Usage, UsageCheck


@dataclass(frozen=True)
class FleetEntry:
    host: str
    release: str
    source: str
    since: datetime
    seen: datetime


def fleet(now: datetime | None = None) -> list[FleetEntry]:
    """Which release each host runs (its latest rollout that has not expired)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=conf.FLEET_EXPIRY_SECONDS)
    alive = Rollout.objects.using(conf.LEDGER_DATABASE).filter(
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


def expires_at(entry: FleetEntry) -> datetime | None:
    """When a heartbeat host drops out of the fleet unless it beats again; None: never."""
    if entry.source != Rollout.Source.HEARTBEAT:
        return None
    return entry.seen + timedelta(seconds=conf.FLEET_EXPIRY_SECONDS)


def is_stale(entry: FleetEntry, now: datetime | None = None) -> bool:
    """A heartbeat host silent for two beats (or half the expiry, if sooner)."""
    if entry.source != Rollout.Source.HEARTBEAT:
        return False
    beat = conf.HEARTBEAT_SECONDS
    limit = (
        conf.FLEET_EXPIRY_SECONDS / 2
        if beat is None
        else min(2 * beat, conf.FLEET_EXPIRY_SECONDS / 2)
    )
    return (now or timezone.now()) - entry.seen > timedelta(seconds=limit)


def load_snapshots(releases: set[str]) -> dict[str, Snapshot | None]:
    """Stored snapshots by release id; None for a release never analysed."""
    found: dict[str, Snapshot | None] = {name: None for name in releases}
    for row in Release.objects.using(conf.LEDGER_DATABASE).filter(pk__in=releases):
        found[row.id] = None if row.snapshot is None else stored_snapshot(row.id, row.snapshot)
    return found


def usage_check_for(current_release: str, current: Snapshot) -> UsageCheck:
    """Who still uses a name, from the fleet as it stands now (read once)."""
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


def _describe(entry: FleetEntry, snapshot: Snapshot | None) -> str:
    since = entry.since.strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    text = f"host {entry.host} running release {entry.release} ({entry.source} since {since})"
    if snapshot is None:
        text += " whose schema the ledger does not know (record it with `--mark-live`)"
    return text
