"""Refused attempts to act on a loan, kept for auditors (`loan-journey refusals`).

Nothing refused reaches a journey's history: the journey's validators refuse an update before
it, the server refuses what it cannot take, and the command line refuses what it can check
before it sends anything (an application naming an industry or a region the policy does not
list, an agreed rate below the policy's floor, a field the engine does not take, a document
given twice, a review cadence the policy does not allow, someone outside the staff
directory). Each is kept in the journey database, whoever refused it: the journey, what was
attempted on it (the update's name, `start`, `schedule paused`, ...), who as given (`--as`,
`--role`; a start's submitter from its application), from where (user@host and pid) and why.

A command that acts on a loan is marked `@acting(action)`: while it runs, what it attempts is
known, and a refusal that ends it (`BadInput`, `Refused`, or a value the command refuses with
`typer.BadParameter`) is kept as an attempt at that action (`refusal_of`). A start names no
journey before it exists: it is kept under the journey id its application would have had
(`loan-<application id>`), or "-" when the file gives no application id (the reason names the
file). A command line the parser refuses before its command runs (a value not among an
option's choices, such as `--grade 99`, a date or an amount that is none, an option missing
or unknown) is kept too when its command acts on a loan (`KeepingRefusals`): the journey (the
first argument typed when it looks like a journey id, also where the parser failed before it),
the actor and the role as far as the parser can read them ("-" where not), and the parser's
reason. Every refused command line keeps what was typed, with its secrets and a person's data
left out (`as_typed`). What is no refusal is not kept: a journey not found (but money typed against
an id no journey has is, with its amount and reference: starter/money_references.py), a
server or database that
cannot be reached, codec keys missing, no answer in time (an act kept for delivery then:
starter/pending.py; one its delivery finds refused, ended or gone is a refusal).

One refused attempt is kept once: the same refusal met again in the same process (it passes
the command's mark and then the boundary), or a write retried because the database did not
confirm the first, adds no second row (store/refusals.py). An operator who runs a refused
command again makes a new attempt, kept as its own.
"""

from __future__ import annotations

import contextvars
import functools
import re
import shlex
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import DBAPIError
from typer._click.core import Command
from typer._click.exceptions import UsageError  # typer's own click: its parser's refusals
from typer._click.globals import get_current_context
from typer.core import TyperGroup, TyperOption

from journey.settings import Settings
from starter.errors import BadInput, NotFound, Refused
from store.refusals import Refusal, RefusalRow, origin, record_refusal
from store.seal_key import sealing_key
from store.sealed_records import REFUSED
from store.seals import KEY_SETTING, sealed_in

F = TypeVar("F", bound=Callable[..., Any])
KEEP_TRIES = 3  # writes of a refusal whose connection was lost mid-write; kept once
_KEPT = "_kept_for_auditors"
_ATTEMPT_OF = "_attempt_of"  # on a marked command: its attempt from its parameters
# an option whose value is not kept as typed, and a URL's password (up to the last @ before
# the host: the userinfo's own)
_SECRET_OPTION = re.compile(
    r"^--?[\w-]*(db|url|pass|pwd|secret|token|key|credential|auth|cookie|session)[\w-]*$",
    re.I)
_URL_PASSWORD = re.compile(r"(\w+://[^/:@\s]*:)[^/\s]*@")
# options whose value is a person's data: a customer's own words (a feedback's comment, which
# the journey keeps in its history alone, encrypted where codec keys are set) and the name of
# who signed for the company; a refused command line keeps that one was given, not what
PERSONAL_OPTIONS = frozenset({"--comment", "--signatory"})
_NUMBER = re.compile(r"^-\d")  # `--amount -5`: a value, not an option
# a journey id as the command line's JourneyId takes it (applications.journey_id)
_JOURNEY_ID = re.compile(r"^loan-\S+$")
_err = Console(stderr=True, soft_wrap=True)


@dataclass(frozen=True)
class Attempt:
    """What a command attempts on a loan, as the command line was told it."""

    workflow_id: str
    action: str = ""  # "": the action its command is marked with
    actor: str = "-"
    role: str = "-"
    typed: str = ""  # the command line as typed, secrets left out (`as_typed`)


_attempting: contextvars.ContextVar[Attempt | None] = contextvars.ContextVar(
    "attempting", default=None)
# the command line being run: the program's name and the words after its own options
_command_line: contextvars.ContextVar[tuple[str, list[str]] | None] = contextvars.ContextVar(
    "command_line", default=None)


def attempting() -> Attempt | None:
    """What the running command attempts, when it acts on a loan."""
    return _attempting.get()


def acting(action: str, named: Callable[[Mapping[str, Any]], Attempt] | None = None,
           role: str | None = None) -> Callable[[F], F]:
    """Mark a command that acts on a loan: `action` is what it attempts; the journey is its
    `workflow_id`, the actor its `--as` and `--role` (`role` when it has none), unless
    `named` tells them (and the action, when it depends on them) from its parameters."""
    def attempt_of(params: Mapping[str, Any]) -> Attempt:
        attempt = named(params) if named else Attempt(
            workflow_id=str(params.get("workflow_id") or "-"), action=action,
            actor=str(params.get("actor") or "-"), role=str(role or params.get("role") or "-"))
        return replace(attempt, action=attempt.action or action)

    def mark(command: F) -> F:
        @functools.wraps(command)
        def marked(**params: Any) -> Any:
            running = get_current_context(silent=True)
            token = _attempting.set(replace(
                attempt_of(params), typed=typed_line(running.command if running else None)))
            try:
                return command(**params)
            except (BadInput, Refused, typer.BadParameter) as err:  # refused before `run`
                keep_refused(err)
                raise
            finally:
                _attempting.reset(token)

        setattr(marked, _ATTEMPT_OF, attempt_of)  # for a command line that did not parse
        return marked  # type: ignore[return-value]

    return mark


def refusal_of(attempt: Attempt, reason: str) -> Refusal:
    """A refused attempt as auditors keep it: who, from where, what, why (with the command
    line as typed, when it was typed), now."""
    return Refusal(workflow_id=attempt.workflow_id[:128], action=attempt.action[:64],
                   actor=attempt.actor[:128], role=attempt.role[:32],
                   reason=_typed_in(reason, attempt), at=datetime.now(UTC),
                   origin=origin()[:200])


def _typed_in(reason: str, attempt: Attempt | None) -> str:
    return f"{reason} (typed: {attempt.typed})" if attempt and attempt.typed else reason


def refused(err: BaseException) -> Refusal | None:
    """The refused attempt an error that ends a command stands for, if it is one: the
    journey's own (a `Refused` that carries it, or caused the error), else the running
    command's attempt refused with the error's message; either with the command line as
    typed, when one is running."""
    attempt = attempting()
    cause: BaseException | None = err
    while cause is not None:
        if isinstance(cause, Refused | NotFound) and cause.attempt is not None:
            return cause.attempt.model_copy(
                update={"reason": _typed_in(cause.attempt.reason, attempt)})
        cause = cause.__cause__
    if attempt is None or not isinstance(err, BadInput | Refused | typer.BadParameter):
        return None
    return refusal_of(attempt, _message(err))


def _message(err: BaseException) -> str:
    if isinstance(err, typer.BadParameter):
        hint = err.param_hint if isinstance(err.param_hint, str) else None
        return f"{hint}: {err.message}" if hint else err.message
    return str(err)


def keep_refused(err: BaseException) -> None:
    """Keep the refused attempt `err` stands for (`refused`), once however often it is met."""
    if getattr(err, _KEPT, False):
        return
    refusal = refused(err)
    if refusal is None:
        return
    keep(refusal)
    setattr(err, _KEPT, True)


def keep(refusal: Refusal, wait: float = 0.2) -> None:
    """Write a refused attempt to the journey database; when the connection is lost during
    the write, so that the database may have kept it without saying so, the write is tried
    again, and keeps it once all the same. One that cannot be kept is said, and the refusal
    stands. (A database that cannot be reached at all is not tried again: a locked SQLite
    file is waited for by its busy timeout already.) Sealed with the archive key; kept
    unsealed without, or with a key that is not the one the refusals were sealed with (a
    seal it made would never pass its check), which is said once refusals are kept sealed
    (`records verify` reports it)."""
    settings = Settings()
    for tried in range(1, KEEP_TRIES + 1):
        try:
            key = sealing_key(settings.db_url, settings.archive_seal_key, REFUSED)
            record_refusal(settings.db_url, refusal, key)
            if key is None and sealed_in(settings.db_url, RefusalRow.seal):
                _err.print(f"[yellow]warning:[/] the refused attempt was kept unsealed among "
                           f"sealed ones: set {KEY_SETTING}, the key they were sealed with, "
                           "where the command line runs (`loan-journey records verify` "
                           "reports it as inserted)", highlight=False)
            return
        except DBAPIError as err:
            if not err.connection_invalidated or tried == KEEP_TRIES:
                _not_kept(err)
                return
            time.sleep(wait * tried)
        except Exception as err:  # noqa: BLE001 - any store failure: say it, keep the refusal
            _not_kept(err)
            return


def _not_kept(err: Exception) -> None:
    _err.print(f"[yellow]warning:[/] the refused attempt was not logged for auditors: "
               f"{escape(str(err))}", highlight=False)


class KeepingRefusals(TyperGroup):
    """The command line's commands, keeping a refused attempt at a command that acts on a
    loan also when the parser refuses it before the command runs (a value not among an
    option's choices, a date or an amount that is none, an option missing)."""

    def invoke(self, ctx: typer.Context) -> Any:
        typed = [*ctx._protected_args, *ctx.args]  # what follows the program's own options
        line = _command_line.set((ctx.info_name or "", typed))
        try:
            return super().invoke(ctx)
        except UsageError as err:
            keep_unparsed(err, ctx, typed)
            raise
        finally:
            _command_line.reset(line)


def typed_line(command: Command | None) -> str:
    """The command line being run (by `command`), as kept for auditors (`as_typed`); "" when
    none is."""
    line = _command_line.get()
    return f"{line[0]} {as_typed(line[1], command)}" if line else ""


def keep_unparsed(err: UsageError, root: typer.Context, typed: list[str]) -> None:
    """Keep what a command line the parser refused attempted, when its command acts on a
    loan: the loan (`_journey_typed`), the actor and the role as far as its options can be
    read, the parser's reason, and the command line as typed, secrets left out (`as_typed`)."""
    named = None if getattr(err, _KEPT, False) else _command_named(root, typed)
    attempt_of = getattr(named[0].command.callback, _ATTEMPT_OF, None) if named else None
    if named is None or attempt_of is None:
        return
    failed, args = named
    command = failed.command
    try:  # read what can be read, the refused value and unknown options left out
        params = command.make_context(failed.info_name, list(args), parent=failed.parent,
                                      resilient_parsing=True,
                                      ignore_unknown_options=True).params
    except UsageError:
        params = {}
    attempt = attempt_of(_journey_typed(command, params, args))
    keep(refusal_of(replace(attempt, typed=typed_line(command)), err.format_message()))
    setattr(err, _KEPT, True)


def _command_named(root: typer.Context, typed: list[str]
                   ) -> tuple[typer.Context, list[str]] | None:
    """The command the words typed name (the parser does not always say which one it
    refused, e.g. an option's value missing), with the words that follow its name; None
    where they name none."""
    at, args = root, typed
    try:
        while isinstance(at.command, TyperGroup) and args:
            name, command, args = at.command.resolve_command(at, args)
            if command is None:
                return None
            at = typer.Context(command, parent=at, info_name=name, resilient_parsing=True)
            if isinstance(command, TyperGroup):  # a group's own options, then its command
                command.parse_args(at, args)
                args = [*at._protected_args, *at.args]
    except UsageError:
        return None
    return (at, args) if at is not root else None


def _journey_typed(command: Command, params: dict[str, Any], args: list[str]
                   ) -> dict[str, Any]:
    """A loan command's parameters with its journey: as read, or else its first positional
    argument as typed, when either looks like a journey id; "-" when neither does."""
    if not any(p.name == "workflow_id" for p in command.params):
        return params
    read = str(params.get("workflow_id") or "")
    if not _JOURNEY_ID.match(read):
        read = _first_positional(args, _takes_value(command))
    return {**params, "workflow_id": read if _JOURNEY_ID.match(read) else "-"}


def _first_positional(args: list[str], takes: Mapping[str, bool]) -> str:
    """The first word typed that is neither an option nor a known option's value."""
    value_next = False
    for word in args:
        if value_next:
            value_next = False
        elif _is_option(word):
            value_next = "=" not in word and takes.get(word, False)
        else:
            return word
    return ""


def as_typed(argv: list[str], command: Command | None = None) -> str:
    """A command line as kept for auditors: left out are the value of an option named like
    a database, a URL, a password, a secret, a token, a key, a credential, an
    authorization, a cookie or a session, or that holds a person's data (`PERSONAL_OPTIONS`:
    a feedback's comment, a signatory's name), the value of a short option that is none of
    `command`'s (any, without it), and any URL's password, in free text too."""
    takes = _takes_value(command)
    kept: list[str] = []
    value_of = ""  # the option whose value the next word may be
    for word in argv:
        if value_of and (value_of in takes or not _is_option(word)):  # `--db URL`
            word, value_of = "***" if _secret(value_of, takes) else word, ""
        elif _is_option(word):
            value_of = ""
            name, eq, _ = word.partition("=")
            if eq and _secret(name, takes):  # `--db=URL`
                word = f"{name}=***"
            elif not eq and _short(name) and len(name) > 2 and name[:2] not in takes:
                word = f"{name[:2]}***"  # `-pSECRET`
            elif not eq and takes.get(name, True):  # a known option's value, or maybe one
                value_of = name
        kept.append(_URL_PASSWORD.sub(r"\1***@", word))
    return shlex.join(kept)


def _takes_value(command: Command | None) -> dict[str, bool]:
    """`command`'s option names, each with whether a value follows it."""
    return {name: not (param.is_flag or param.count)
            for param in (command.params if command else [])
            if isinstance(param, TyperOption) for name in [*param.opts, *param.secondary_opts]}


def _is_option(word: str) -> bool:
    return word.startswith("-") and len(word) > 1 and not _NUMBER.match(word)


def _short(name: str) -> bool:
    return not name.startswith("--")


def _secret(name: str, takes: Mapping[str, bool]) -> bool:
    """The value of option `name` is left out: named like a secret, a person's data
    (`PERSONAL_OPTIONS`), or a short option the command does not have."""
    return (bool(_SECRET_OPTION.match(name)) or name in PERSONAL_OPTIONS
            or (_short(name) and name not in takes))
