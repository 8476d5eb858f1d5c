"""`loan-journey` run as a process of its own for each command, forked from one that imported
the command line once (as Python's forkserver does), instead of started from nothing.

Each command of the e2e tests ran `python -m starter.cli` afresh: some 1.4 s of CPU importing
the command line before it did anything, over a third of the CPU of the e2e tests' part of the
suite on two cores, and a command takes well under that to run. The forked process is the real
command line, `starter.cli.main()`, with the test's environment, arguments and working
directory, its own stdout and stderr, and its own exit code (or signal); it shares nothing with
other commands but the modules imported before any ran: the command line reads its settings,
connects, and opens the journey database only once forked. The importing process starts no
thread and no runtime (a fork would copy them half-held), and it is the suite's own checkout,
as `-m starter.cli` was. The long-running processes (`up`, a worker) are still started from
nothing, as an operator starts them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The importing process: it forks one child per request line, and answers with the child's
# pid, then with its exit status once reaped.
_FORKER = r"""
import json, os, selectors, sys
import starter.cli

requests = sys.stdin.buffer
answers = sys.stdout


def say(**answer):
    answers.write(json.dumps(answer) + "\n")
    answers.flush()


def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        say(pid=pid, code=os.waitstatus_to_exitcode(status))


def run(request):
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for fd, path, flags in ((0, os.devnull, os.O_RDONLY),
                            (1, request["stdout"], os.O_WRONLY),
                            (2, request["stderr"], os.O_WRONLY)):
        opened = os.open(path, flags)
        os.dup2(opened, fd)
        os.close(opened)
    sys.argv = ["loan-journey", *request["args"]]
    starter.cli.main()  # ends the process (boundary.end_process)


selector = selectors.DefaultSelector()
selector.register(requests, selectors.EVENT_READ)
say(ready=True)
while True:
    if selector.select(timeout=0.02):
        line = requests.readline()
        if not line:
            break
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                run(request)
            finally:
                os._exit(70)
        say(forked=pid)
    reap()
"""


class Forker:
    """The importing process, started on first use; one command forked at a time, any number
    running at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the answers' futures
        self._forking = threading.Lock()  # one request at a time, until its child's pid
        self._process: subprocess.Popen[bytes] | None = None
        self._forked: Future[int] | None = None
        self._ended: dict[int, Future[int]] = {}
        self._early: dict[int, int] = {}  # exit codes read before their pid was handed out

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            # the terminal's size left out: a console made at import would keep it
            quiet = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
            self._process = subprocess.Popen(
                [sys.executable, "-c", _FORKER], cwd=ROOT, env=quiet, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE)
            assert self._process.stdout is not None
            ready = json.loads(self._process.stdout.readline() or b"{}")
            assert ready.get("ready"), "the command line's forking process did not start"
            threading.Thread(target=self._read, args=(self._process,), daemon=True).start()
        return self._process

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            answer = json.loads(line)
            with self._lock:
                if "forked" in answer and self._forked is not None:
                    self._forked.set_result(answer["forked"])
                elif "pid" in answer:
                    ended = self._ended.pop(answer["pid"], None)
                    if ended is None:
                        self._early[answer["pid"]] = answer["code"]
                    else:
                        ended.set_result(answer["code"])

    def run(self, args: Sequence[str], env: Mapping[str, str], timeout: float
            ) -> subprocess.CompletedProcess[str]:
        """`loan-journey ARGS` with `env`, in the checkout, as `subprocess.run(...,
        capture_output=True, text=True, timeout=timeout)` ran it."""
        with tempfile.TemporaryDirectory() as tmp:
            out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
            out.touch()  # there to read even when the child ends before it opens them
            err.touch()
            request = {"args": list(args), "env": dict(env), "cwd": str(ROOT),
                       "stdout": str(out), "stderr": str(err)}
            with self._forking:
                process = self._started()
                with self._lock:
                    forked = self._forked = Future()
                assert process.stdin is not None
                process.stdin.write(json.dumps(request).encode() + b"\n")
                process.stdin.flush()
                pid = forked.result(timeout=30)
            with self._lock:
                ended: Future[int] = Future()
                if pid in self._early:
                    ended.set_result(self._early.pop(pid))
                else:
                    self._ended[pid] = ended
            try:
                code = ended.result(timeout=timeout)
            except TimeoutError as late:
                os.kill(pid, 9)
                raise subprocess.TimeoutExpired(["loan-journey", *args], timeout) from late
            return subprocess.CompletedProcess(["loan-journey", *args], code,
                                               out.read_text(), err.read_text())


FORKER = Forker()
