"""Free local ports, for servers the tests and the bench start."""

from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_port_pair(offset: int) -> int:
    """A free port whose neighbour at `offset` is free too: a worker serves the SDK's metrics
    on one and the journey's on the other (a port picked alone left the neighbour to chance,
    and once it was taken)."""
    while True:
        with socket.socket() as first, socket.socket() as second:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            try:
                second.bind(("127.0.0.1", port + offset))
            except OSError:
                continue
            return port
