"""Tell the deploy ledger which release this process runs, now and then.

Throttled to one write per ``HEARTBEAT_SECONDS`` per process, done in its own
short-lived thread so the probe never waits for it, and every failure is
swallowed: a heartbeat must never slow or fail a health answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connections

from django_zerodowntime.conf import conf

Recorder = Callable[[str, str], None]


def ledger_recorder() -> Recorder | None:
    """``ledger.record.record_heartbeat`` if the ledger is installed, else None."""
    try:
        from django_zerodowntime.ledger.record import record_heartbeat
    except ImportError:  # an install without the ledger (or a broken one): no heartbeat
        return None
    return record_heartbeat


class Heartbeat:
    def __init__(self, recorder: Callable[[], Recorder | None] = ledger_recorder) -> None:
        self._recorder = recorder
        self._lock = threading.Lock()
        self._last_sent: float | None = None
        self._thread: threading.Thread | None = None

    def maybe_send(self, release: str) -> bool:
        """Start a write unless one ran recently or is still running."""
        interval = conf.HEARTBEAT_SECONDS
        if interval is None:
            return False
        now = time.monotonic()
        with self._lock:
            recent = self._last_sent is not None and now - self._last_sent < interval
            busy = self._thread is not None and self._thread.is_alive()
            if recent or busy:
                return False
            record = self._recorder()
            if record is None:
                return False
            self._last_sent = now
            thread = threading.Thread(
                target=self._send,
                args=(record, release, conf.HOST),
                name="zerodowntime-heartbeat",
                daemon=True,
            )
            thread.start()
            self._thread = thread  # only started threads are visible to wait()
            return True

    def wait(self, timeout: float) -> None:
        """For tests and shutdown: wait for a write in progress."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    @staticmethod
    def _send(record: Recorder, release: str, host: str) -> None:
        try:
            record(release, host)
        except Exception:
            pass  # the ledger being down must not affect serving
        finally:
            connections.close_all()  # this thread's connections only
