"""`up` runs its worker only while the dev server it started runs: a server killed or crashed
ends `up` (exit 5, saying how it ended) instead of a worker retrying a dead address for ever
and holding the metrics ports."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Coroutine
from typing import Any

from journey.settings import Settings
from starter.errors import SetupError
from starter.occupied import listener


async def while_serving(work: Coroutine[Any, Any, None], settings: Settings) -> None:
    """Run `work` (the worker) until it returns; should the dev server listening on the
    Temporal address (the one this process started) exit first, cancel it (the worker
    shuts down) and raise SetupError naming how the server ended and where its log is."""
    pid = listener(int(settings.temporal_address.rpartition(":")[2]))
    running = asyncio.ensure_future(work)
    if pid is None:  # no /proc to tell (not Linux): the worker alone, as before
        return await running
    ended = asyncio.ensure_future(_exit_of(pid))
    try:
        await asyncio.wait({running, ended}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        ended.cancel()
    if running.done():
        return running.result()
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await running  # its shutdown, against a server gone: what it says adds nothing
    raise SetupError(
        f"the Temporal dev server (pid {pid}) {ended.result()}, so the worker was stopped: "
        "its log is this command's output above; run `loan-journey up` again (the "
        f"journeys are kept in {settings.temporal_db_file})")


async def _exit_of(pid: int) -> str:
    """Once process `pid` (a child of this one) has exited: how, in words. It is left for
    its owner (the SDK) to reap."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:  # gone already, and reaped
        return "exited"
    loop = asyncio.get_running_loop()
    exited = loop.create_future()
    loop.add_reader(handle, exited.set_result, None)
    try:
        await exited
    finally:
        loop.remove_reader(handle)
        os.close(handle)
    with contextlib.suppress(ChildProcessError):
        status = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if status is not None and status.si_code == os.CLD_EXITED:
            return f"exited with code {status.si_status}"
        if status is not None:
            return f"was killed by {signal.Signals(status.si_status).name}"
    return "exited"
