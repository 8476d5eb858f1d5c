"""Before the embedded dev server starts: nothing else may serve its ports or hold its file.

A `loan-journey up` killed with -9 leaves its `temporal server start-dev` running. The next
`up` used to start a second server that failed on the port ("address already in use") while
`up` ran its worker against the orphan and left it running. It now refuses at once, naming
the process (from /proc, on Linux) and how to stop it; one that a live `up` runs (or that
`up` itself) is named as that `up`, to be used or stopped, not as a leftover.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

from journey.settings import Settings
from starter.errors import SetupError

_LISTEN = "0A"  # TCP state in /proc/net/tcp


def refuse_if_occupied(settings: Settings) -> None:
    """SetupError when the Temporal address or the UI port is served, or the server's
    SQLite file is open, by another process: which one, and what to do."""
    host, _, port = settings.temporal_address.rpartition(":")
    host = host or "127.0.0.1"
    for number, what in ((int(port), "the Temporal address"), (settings.ui_port, "the Web UI")):
        if _served(host, number):
            pid = listener(number)
            raise SetupError(f"{what} {host}:{number} is served already, by "
                             f"{_process(pid)}: {_advice(pid)}")
    holder = _holder(settings.temporal_db_file)
    if holder is not None:
        raise SetupError(f"{settings.temporal_db_file} is open in {_process(holder)}: "
                         f"{_advice(holder)}")


def _advice(pid: int | None) -> str:
    stop = f"`kill {pid}`" if pid is not None else "find it with `ss -ltnp`"
    for owner in (pid, _parent(pid)):
        command = _engine_command(owner)
        if owner is not None and command is not None:  # the server of a live `up`, or `up`
            return (f"a running `{command}` (pid {owner}) serves this data directory and "
                    "port: use it (type the commands to it), or stop it "
                    f"(`kill {owner}`) and run `up` again")
    return ("most likely the dev server of a `loan-journey up` that was killed; stop it "
            f"({stop}) and run `up` again, or use it as it is with `loan-journey worker`")


def _cmdline(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    return [arg for arg in text.split("\0") if arg]


def _engine_command(pid: int | None) -> str | None:
    """`loan-journey up` (its arguments as typed) when `pid` runs this command line."""
    with contextlib.suppress(OSError):
        args = _cmdline(pid) if pid is not None else []
        for i, arg in enumerate(args):
            if Path(arg).name == "loan-journey" or arg == "starter.cli":  # or python -m
                return " ".join(["loan-journey", *args[i + 1:]])
    return None


def _parent(pid: int | None) -> int | None:
    """The parent of `pid` while it runs; none for a server whose `up` was killed (its
    parent is then init or a subreaper, no `loan-journey`)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text() if pid is not None else ""
        return int(stat.rpartition(")")[2].split()[1])  # after "(comm)": state, ppid
    return None


def _served(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=1):
        return True
    return False


def _process(pid: int | None) -> str:
    if pid is None:
        return "another process"
    try:
        command = " ".join(_cmdline(pid))
    except OSError:
        return f"pid {pid}"
    return f"pid {pid} ({command.strip()[:120]})"


def listener(port: int) -> int | None:
    """The process listening on TCP `port`, where /proc tells (Linux, the same user)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for row in Path(table).read_text().splitlines()[1:]:
                fields = row.split()
                if fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(f"socket:[{fields[9]}]")
    return _owner(inodes)


def _holder(path: Path) -> int | None:
    """Another process that has `path` open, where /proc tells."""
    return _owner({str(path.resolve())})


def _owner(targets: set[str]) -> int | None:
    if not targets:
        return None
    for proc in Path("/proc").glob("[0-9]*"):
        if int(proc.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            for fd in (proc / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) in targets:
                        return int(proc.name)
    return None
