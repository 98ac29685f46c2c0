"""Test hosts of their own: one Linux network namespace each, on this machine.

Each host gets a namespace and a veth pair, a /30 of its own in 10.99.0.0/24:
the root namespace side is ``.4n+1``, the host's side ``.4n+2``. The rest of
the /24 is an unreachable route, so all traffic stays on this machine, also
to a host that was removed (without it, the default route would carry it off). A process started
with :meth:`Host.wrap` (``ip netns exec``) sees only the host's address and
its own loopback, like a process on another machine, but the same file
system: PostgreSQL's Unix socket (``/var/run/postgresql``) reaches the one
ledger from every host without a TCP forwarder, since Unix path sockets do
not belong to a network namespace.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

from tests.conftest import missing, require_binary

SUBNET = "10.99.0.0/24"


def ip(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


def require_netns() -> None:
    """Skip outside CI, fail in CI, when namespaces cannot be made here (not root,
    no CAP_NET_ADMIN, or a container that forbids them)."""
    require_binary("ip")
    name = f"zdt-probe-{os.getpid()}"
    made = ip("netns", "add", name, check=False)
    if made.returncode != 0:
        missing(
            f"`ip netns add` is not usable here (root with CAP_NET_ADMIN needed): "
            f"{made.stderr.strip()}"
        )
    ip("netns", "del", name, check=False)


@dataclass(frozen=True)
class Host:
    name: str
    netns: str
    address: str  # the host's own address, reachable from the root namespace
    root_link: str

    def wrap(self, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.netns, *argv]

    def remove(self) -> None:
        """Take the host off the network: its namespace, its veth pair, its routes."""
        ip("netns", "del", self.netns, check=False)
        ip("link", "del", self.root_link, check=False)


def make_host(name: str, number: int) -> Host:
    tag = f"{os.getpid() % 100000}{number}"
    netns, root_link, inner = f"zdt-{tag}", f"zdtr{tag}", f"zdti{tag}"
    base = 4 * number
    host = Host(name, netns, f"10.99.0.{base + 2}", root_link)
    ip("netns", "add", netns)
    ip("link", "add", root_link, "type", "veth", "peer", "name", inner)
    ip("link", "set", inner, "netns", netns)
    ip("addr", "add", f"10.99.0.{base + 1}/30", "dev", root_link)
    ip("link", "set", root_link, "up")
    inside = ["ip", "netns", "exec", netns, "ip"]
    for args in (
        ["addr", "add", f"{host.address}/30", "dev", inner],
        ["link", "set", inner, "up"],
        ["link", "set", "lo", "up"],
    ):
        subprocess.run([*inside, *args], capture_output=True, text=True, check=True)
    return host


@contextlib.contextmanager
def hosts(names: list[str]) -> Iterator[list[Host]]:
    """One namespace per name (numbered from 1), removed afterwards."""
    made: list[Host] = []
    # Nothing for 10.99.0.0/24 leaves this machine: once a host's veth is gone,
    # its address is unreachable at once instead of going to the default route.
    ip("route", "replace", "unreachable", SUBNET)
    try:
        for number, name in enumerate(names, start=1):
            made.append(make_host(name, number))
        yield made
    finally:
        for host in made:
            host.remove()
        ip("route", "del", "unreachable", SUBNET, check=False)
