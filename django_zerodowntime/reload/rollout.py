"""Record a verified reload in the deploy ledger (a failure only warns)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.db import connections

from django_zerodowntime.conf import conf
from django_zerodowntime.ledger.record import record_rollout


def prepare_rollout() -> None:
    """Connect to the ledger's database before the reload starts, so that recording
    after the turnover adds little to the command's return."""
    with contextlib.suppress(Exception):  # record_reload_rollout reports failures
        connections[conf.LEDGER_DATABASE].ensure_connection()


def record_reload_rollout(release: str, warn: Callable[[str], None]) -> bool:
    """Write Rollout(source="reload") for this host; False (and a warning) if it fails."""
    try:
        record_rollout(release=release, host=conf.HOST, source="reload")
    except Exception as exc:  # the reload itself succeeded: never fail it here
        warn(
            f"the reload succeeded but recording the rollout failed ({type(exc).__name__}: "
            f"{exc}); run `manage.py safe_migrate --mark-live` later so drops can proceed."
        )
        return False
    return True
