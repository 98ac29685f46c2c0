"""Run a command with its output on a real pseudo-terminal, as a person at a terminal would."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.harness.site import site_env

# CSI sequences: colours, erase line, cursor up, cursor hide/show.
ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_on_a_terminal(site: Path, *args: str, stdout_too: bool = True) -> tuple[int, str, str]:
    """``manage.py ARGS`` with stderr (and stdout, unless asked not) on a pseudo-terminal
    120 columns wide; returns (exit status, what the terminal received, piped stdout)."""
    terminal, child_end = pty.openpty()
    fcntl.ioctl(child_end, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = site_env(site, {"TERM": "xterm-256color"})
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "COLUMNS", "LINES"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=site,
        env=env,
        stdin=child_end,
        stdout=child_end if stdout_too else subprocess.PIPE,
        stderr=child_end,
    )
    os.close(child_end)
    received = bytearray()
    while True:
        try:
            chunk = os.read(terminal, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(terminal)
    piped = process.stdout.read().decode() if process.stdout else ""
    return process.wait(timeout=120), received.decode(errors="replace"), piped


def screen_lines(screen: str) -> list[str]:
    """What was written, escapes taken out, one entry per line or redraw."""
    return ESCAPES.sub("", screen).replace("\r", "\n").splitlines()
