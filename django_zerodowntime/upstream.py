"""The Nginx upstream include file, and the confirmation through Nginx.

The include file holds only ``server HOST:PORT;`` lines (and comments); the
Nginx config wraps it in ``upstream NAME { include PATH; }``. Everything here
is a plain function so tests call it without a command or a server.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django_zerodowntime.health_client import HealthReading, Probe, read_health

_HOST = r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
_ADDRESS = re.compile(rf"^{_HOST}:(?P<port>[0-9]{{1,5}})$")
_SERVER_LINE = re.compile(r"^server\s+(?P<address>\S+?)(?:\s+[^;]*)?;$")


class UpstreamFileError(ValueError):
    """The include file holds something other than ``server`` lines."""


def parse_address(value: str) -> str:
    """``HOST:PORT`` as Nginx and requests both understand it, or ValueError."""
    match = _ADDRESS.match(value.strip())
    if not match or not 0 < int(match["port"]) < 65536:
        raise ValueError(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8000 or [::1]:8000)")
    return value.strip()


def render_upstream(addresses: Sequence[str], comment: str = "", parameters: str = "") -> str:
    """The include file's text: an optional comment, then one server line each.

    ``parameters`` (e.g. ``max_fails=1 fail_timeout=5s``) go on every line.
    """
    if not addresses:
        raise ValueError("an upstream needs at least one server")
    if any(char in parameters for char in ";#{}\n"):
        raise ValueError(f"server parameters {parameters!r} may not contain ; # {{ }} or newlines")
    suffix = f" {parameters.strip()}" if parameters.strip() else ""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines += [f"server {parse_address(address)}{suffix};" for address in addresses]
    return "\n".join(lines) + "\n"


def server_lines(text: str) -> list[str]:
    """The lines Nginx acts on (comments and blank lines dropped)."""
    stripped = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in stripped if line]


def parse_upstream(text: str) -> list[str]:
    """The server addresses of an include file, in order.

    Parameters after the address (``max_fails=...``) are tolerated and
    ignored; any other directive is an error, since rewriting the file would
    silently drop it.
    """
    servers = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        match = _SERVER_LINE.match(line)
        if not match:
            raise UpstreamFileError(f"line {number} is not a 'server HOST:PORT;' line: {raw!r}")
        try:
            servers.append(parse_address(match["address"]))
        except ValueError as error:
            raise UpstreamFileError(f"line {number}: {error}") from None
    return servers


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` so that a reader sees the old or the new text, never half.

    The temp file lives in the same directory (rename is atomic only within a
    file system), keeps the old file's mode, and is fsynced before and after
    the rename so a crash cannot leave an empty include behind.
    """
    directory = path.parent
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_command(command: str, timeout: float = 60.0) -> CommandResult:
    """Run ``command`` (split like a shell would, but without a shell)."""
    try:
        done = subprocess.run(
            shlex.split(command),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as error:
        return CommandResult(127, str(error))
    except subprocess.TimeoutExpired:
        return CommandResult(124, f"did not finish within {timeout:.0f} s")
    return CommandResult(done.returncode, (done.stdout + done.stderr).strip())


def health_url(base: str, health_path: str) -> str:
    """``base`` with the health path appended, unless it already names a path."""
    scheme, _, rest = base.partition("://")
    if "/" in rest.strip("/"):
        return base
    return f"{scheme}://{rest.rstrip('/')}{health_path}" if rest else base


def confirm_serving(
    url: str,
    releases: set[str | None],
    timeout: float,
    *,
    in_a_row: int = 5,
    probe: Probe = read_health,
    interval: float = 0.2,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[bool, HealthReading]:
    """Poll ``url`` (through Nginx) until ``in_a_row`` answers in a row are 200
    and report one of ``releases``.

    Several in a row, each on a new connection, because Nginx applies a
    reload asynchronously and its old workers finish their connections first.
    """
    deadline = clock() + timeout
    streak = 0
    while True:
        reading = probe(url)
        streak = streak + 1 if reading.status == 200 and reading.release in releases else 0
        if streak >= in_a_row:
            return True, reading
        if clock() + interval > deadline:
            return False, reading
        sleep(interval)
