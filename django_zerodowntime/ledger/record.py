"""Write the ledger: releases with their snapshot, rollouts, heartbeats, forced refusals."""

from __future__ import annotations

from django.utils import timezone

from django_zerodowntime.conf import conf
from django_zerodowntime.ledger.snapshot import Snapshot, stored_snapshot, take_snapshot
from django_zerodowntime.models import Release, Rollout
from django_zerodowntime.release import current_release

SOURCES = frozenset(choice.value for choice in Rollout.Source)


def _snapshot_for(release: str) -> Snapshot | None:
    # Only the running code's own snapshot is known; another release's is not.
    return take_snapshot() if release == current_release() else None


def record_release(release: str, snapshot: Snapshot | None = None, *, label: str = "") -> None:
    """Record ``release`` with ``snapshot`` (merged with what was recorded before)."""
    alias = conf.LEDGER_DATABASE
    row = Release.objects.using(alias).filter(pk=release).first()
    if row is None:
        data = snapshot.to_json() if snapshot is not None else None
        Release.objects.using(alias).create(id=release, label=label, snapshot=data)
        return
    if snapshot is None:
        return
    # A release id reused for different code: both versions may run, keep both usages.
    merged = (
        snapshot if row.snapshot is None else stored_snapshot(row.id, row.snapshot).union(snapshot)
    )
    if row.snapshot != merged.to_json():
        row.snapshot = merged.to_json()
        row.save(using=alias, update_fields=["snapshot"])


def record_forced(release: str, reason: str, migrations: list[str]) -> None:
    """Store why blocked operations were applied anyway (``--force REASON``)."""
    row = Release.objects.using(conf.LEDGER_DATABASE).get(pk=release)
    entry = {"at": timezone.now().isoformat(), "reason": reason, "migrations": migrations}
    row.forced = [*(row.forced or []), entry]
    row.save(using=conf.LEDGER_DATABASE, update_fields=["forced"])


def record_applied(release: str, database: str, migrations: list[str]) -> None:
    """Store which migrations a safe_migrate run for ``release`` applied on ``database``."""
    row = Release.objects.using(conf.LEDGER_DATABASE).get(pk=release)
    entry = {"at": timezone.now().isoformat(), "database": database, "migrations": migrations}
    row.applied = [*(row.applied or []), entry]
    row.save(using=conf.LEDGER_DATABASE, update_fields=["applied"])


def record_rollout(release: str, host: str, source: str) -> None:
    """``host`` now runs ``release`` (graceful_reload, ``--mark-live``, heartbeats)."""
    if source not in SOURCES:
        raise ValueError(f"rollout source {source!r} is not one of {sorted(SOURCES)}")
    if not release or not host:
        raise ValueError("a rollout needs a release id and a host name")
    record_release(release, _snapshot_for(release))
    now = timezone.now()
    Rollout.objects.using(conf.LEDGER_DATABASE).create(
        release_id=release, host=host, source=source, at=now, seen=now
    )


def record_heartbeat(release: str, host: str) -> None:
    """A running process reports its release: one SELECT plus one UPDATE or INSERT."""
    rollouts = Rollout.objects.using(conf.LEDGER_DATABASE)
    latest = rollouts.filter(host=host).order_by("-seen", "-id").values("id", "release_id")[:1]
    now = timezone.now()
    if latest and latest[0]["release_id"] == release:
        rollouts.filter(id=latest[0]["id"]).update(seen=now)
        return
    record_release(release, _snapshot_for(release))
    rollouts.create(
        release_id=release, host=host, source=Rollout.Source.HEARTBEAT, at=now, seen=now
    )
