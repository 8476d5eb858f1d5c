"""Free local ports, for servers the tests and the bench start.

Picked below the kernel's ephemeral range: a port the system hands out for `bind(0)` is also
where it puts the local end of outgoing connections, so between the pick and the server's own
bind a client's connection could take it (a worker's metrics port was taken so, once, under
load). Below that range only another pick can, at random among some twenty thousand ports."""

from __future__ import annotations

import random
import socket
from pathlib import Path

LOWEST = 10_000
_RANDOM = random.SystemRandom()  # no test's seed makes two processes pick alike


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _pick(offset: int = 0) -> int:
    return _RANDOM.randrange(LOWEST, _ephemeral_start() - offset)


def free_port() -> int:
    while not _bindable(port := _pick()):
        pass
    return port


def free_port_pair(offset: int) -> int:
    """A free port whose neighbour at `offset` is free too: a worker serves the SDK's metrics
    on one and the journey's on the other (a port picked alone left the neighbour to chance,
    and once it was taken)."""
    while not (_bindable(port := _pick(offset)) and _bindable(port + offset)):
        pass
    return port
