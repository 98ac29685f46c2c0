"""The drain flag: one file per instance, shared by all of its workers.

A file (not memory) because ``manage.py drain on`` runs in another process and
every Gunicorn worker must see it; checking it is one ``stat`` call.
"""

from __future__ import annotations

import os
from pathlib import Path

from django_zerodowntime.conf import conf


def drain_file() -> Path:
    return conf.DRAIN_FILE


def is_draining(path: Path | None = None) -> bool:
    """Whether the flag file exists, as far as this process can see.

    Asked on every response, so it must be cheap: ``os.access`` answers
    without raising (an exception for the usual "no such file" costs ~10 us).
    """
    return os.access(path or drain_file(), os.F_OK)


def start_draining(path: Path | None = None) -> Path:
    """Create the flag atomically (write a temp file, then rename)."""
    target = path or drain_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(f"draining since pid {os.getpid()}\n")
    os.replace(temporary, target)
    return target


def stop_draining(path: Path | None = None) -> Path:
    target = path or drain_file()
    target.unlink(missing_ok=True)
    return target
