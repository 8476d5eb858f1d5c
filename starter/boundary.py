"""The one place where exceptions become messages and exit codes (traceback with --verbose)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Coroutine, Iterator
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import ArgumentError, OperationalError
from temporalio.service import RPCError, RPCStatusCode

from journey.policy.bank_calendar import CalendarFileError
from journey.settings import Settings, StoreSettings
from starter.attempts import keep_refused
from starter.codec import SETTING, CodecError, undecodable
from starter.connect import lost
from starter.errors import (
    BadInput,
    JourneyError,
    KeysNeeded,
    SealBroken,
    SetupError,
    calendar_unusable,
    no_such_namespace,
    server_gone,
)
from store.blob_cipher import DocumentKeysMissing
from store.db import SchemaBehind, SchemaTooNew
from store.policies import PolicyKeyWrong, PolicyTextChanged

T = TypeVar("T")
# Not wrapped at the terminal's width: a log or a script reads each error on one line.
err_console = Console(stderr=True, soft_wrap=True)
_NO_NAMESPACE = "Worker validation failed: Namespace "
verbose = False


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine; a JourneyError prints its advice and exits with its code."""
    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        err_console.print("stopped")
        raise typer.Exit(130) from None
    except Exception as err:
        raise typer.Exit(report(err)) from None


def report(err: Exception) -> int:
    """Print what a command's error means and what to do, and return its exit code; an
    error that is not one of ours, or any with --verbose, is raised again (a traceback)."""
    known = err if isinstance(err, JourneyError) else translated(err)
    if known is None or verbose:
        raise err
    keep_refused(known)  # a refused attempt to act on a loan, for auditors
    # escaped: a message quotes what people typed, and "[x]" in it is not markup
    err_console.print(f"[bold red]error:[/] {escape(str(known))}", highlight=False)
    return known.exit_code


def translated(err: Exception) -> JourneyError | None:
    """The few errors from below that are the operator's to fix, in our terms: a request the
    Temporal server refused as invalid (a malformed query, a run id that is not one), a file
    that cannot be read or written, a journey database that cannot be reached, whose URL is
    wrong or whose schema this process may not change, an encrypted answer read without the
    keys (payloads, or the document store's files: `DocumentKeysMissing`), a bank's calendar
    file that cannot be used, a recorded policy whose text was changed in the journey
    database (`PolicyTextChanged`: as a row that fails its seal), a namespace that does not
    exist (said by the server, or by the SDK's validation of a worker that makes no call
    before it), a server that went away during the command (any command's call after the
    connect: `lost`).
    Anything else is a defect: None."""
    if no_such_namespace(err) or (
            isinstance(err, RuntimeError) and str(err).startswith(_NO_NAMESPACE)):
        said = err.message if isinstance(err, RPCError) else str(err).split(": Status")[0]
        return SetupError(f"the Temporal server says: {said}; check "
                          "LOAN_JOURNEY_TEMPORAL_NAMESPACE, or create the namespace")
    if server_gone(err):  # after the connect, which says its own (starter/connect.py)
        settings = Settings()
        return lost(settings.temporal_address, settings.temporal_namespace)
    if isinstance(err, RPCError) and err.status is RPCStatusCode.INVALID_ARGUMENT:
        return BadInput(f"the Temporal server refused the request: {err.message}")
    if isinstance(err, OSError) and err.filename is not None:
        return BadInput(f"{err.filename}: {err.strerror or err}")
    if isinstance(err, DocumentKeysMissing):
        return KeysNeeded(str(err))
    if undecodable(err):  # a read; operations.act says what an update's means
        return CodecError(f"what the journey answered is encrypted, and {SETTING} is not set "
                          "here: set it as the workers have it")
    if isinstance(err, PolicyKeyWrong):  # the key to fix, not the policy
        return KeysNeeded(str(err))
    if isinstance(err, PolicyTextChanged):  # read for a decision: nothing is decided by it
        return SealBroken(str(err))
    if isinstance(err, CalendarFileError):  # read by the command's own working calendar
        return calendar_unusable(err)
    if isinstance(err, SchemaTooNew):
        return SetupError(f"the journey database {err}: run the newer version, or restore the "
                          "database from a backup taken before it migrated it "
                          "(LOAN_JOURNEY_DATABASE_URL)")
    if isinstance(err, SchemaBehind):
        return SetupError(f"the journey database {err}: run the migrate job first (`docker "
                          "compose run --rm migrate`, i.e. `loan-journey db upgrade`), after "
                          "a backup (docker/README.md)")
    if isinstance(err, OperationalError | ArgumentError):  # the URL, or the database down
        cause = str(getattr(err, "orig", None) or err).splitlines()[0]
        return SetupError(f"the journey database cannot be used: {cause}; check "
                          "LOAN_JOURNEY_DATABASE_URL and LOAN_JOURNEY_DATABASE_PASSWORD (or "
                          "its _FILE), or the --db given, and that the database runs")
    return None


@contextlib.contextmanager
def settings_checked() -> Iterator[None]:
    """Bad settings in the environment end the process with a message that names each
    variable and what is wrong with it (exit code of a SetupError), not a traceback. The
    values are left out: a database URL or a key would end up in the logs."""
    try:
        yield
    except ValidationError as err:
        if err.title not in (Settings.__name__, StoreSettings.__name__) or verbose:
            raise
        wrong = "; ".join(f"{_variable(e['loc'])}: {e['msg']}" for e in err.errors())
        err_console.print(f"[bold red]error:[/] bad setting: {escape(wrong)}", highlight=False)
        end_process(SetupError.exit_code)


def _variable(loc: tuple[int | str, ...]) -> str:
    """The environment variable of a setting's error: its field's (a field read under a name
    of its own, OCR_THREADS say, is reported by that name already)."""
    field = "_".join(map(str, loc))
    return Settings.env_name(field) if field in Settings.model_fields else field


def end_process(code: int) -> NoReturn:
    """End the process with `code` once its output is flushed, skipping Python's own teardown:
    the Temporal SDK's native threads can abort it (temporalio/sdk-python#300), which turned a
    refused update's exit code 3 into SIGABRT after its message was printed (6 runs in 150
    on a loaded machine)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that left (`| head`)
            stream.flush()
    os._exit(code)


def exit_code(done: SystemExit) -> int:
    """The code `sys.exit` would end with; a message instead of a code is printed, as there."""
    if done.code is None or isinstance(done.code, int):
        return done.code or 0
    print(done.code, file=sys.stderr)
    return 1
