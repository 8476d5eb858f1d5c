"""The project's error hierarchy for the command line: each says what to do, with an exit code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import ValidationError
from temporalio.service import RPCError, RPCStatusCode

if TYPE_CHECKING:
    from starter.ended_outside import OutsideEnd
    from store.refusals import Refusal


class JourneyError(Exception):
    """Base of the errors the command line turns into a message and an exit code."""

    exit_code = 1


class BadInput(JourneyError):
    """The operator's input is wrong: fix the file or the option named in the message."""

    exit_code = 2


class Refused(JourneyError):
    """The journey refused the action (wrong stage, wrong person): nothing was recorded in
    its history; `attempt`, when given, is kept for auditors (store/refusals.py)."""

    exit_code = 3

    def __init__(self, message: str, attempt: Refusal | None = None) -> None:
        super().__init__(message)
        self.attempt = attempt


class Ended(Refused):
    """The journey has ended: it takes no more actions."""


class EndedUnread(Ended):
    """The journey has ended on its own course, and no worker answered its status query: how
    and when it ended is all that is read (from the server, without a worker)."""


class EndedOutside(Ended):
    """The Temporal server ended the journey (terminated, cancelled, timed out, failed), not
    its own course: `end` (starter/ended_outside.OutsideEnd) says how, when, by whom, and
    where it stood; `status --json` prints it."""

    def __init__(self, end: OutsideEnd) -> None:
        super().__init__(end.said())
        self.end = end


class NotMet(JourneyError):
    """The journey took the request and refused it by its rules (a drawdown whose conditions
    precedent are not met, a vote set aside that does not count): recorded in its history, so
    no refused attempt kept apart; the message names what failed and what to do. Exits as a
    refusal does."""

    exit_code = 3


class SealBroken(JourneyError):
    """A quote would price on an LPR fixing that fails its seal (store/lpr_in_force.py), or
    `start` hold an agreed rate to one, or read a line of the credit code's exposure that fails
    its seal (store/exposure_vouched.py): none is given, nothing started; or `pending confirm`
    pay a refund or a return whose entry fails its seal (starter/outflow_checks.py): nothing
    paid; or a command act by a recorded policy whose text was changed in the journey database
    (store/policies.py `PolicyTextChanged`): nothing done by it. The message names the row
    and what to do. Exits as `records verify` does when it finds a row tampered with."""


class NotFound(JourneyError):
    """No journey with that id on the server; `attempt`, when given (money typed against an id
    no journey has), is kept for auditors as a refusal is."""

    exit_code = 4

    def __init__(self, message: str, attempt: Refusal | None = None) -> None:
        super().__init__(message)
        self.attempt = attempt


class Erased(NotFound):
    """The scan asked for was erased once its retention passed (`scans erase`): the message
    says when, under which rule, by whom. Exits as a document the store never held does."""


class SetupError(JourneyError):
    """Something the project needs is not installed or not reachable."""

    exit_code = 5


class ServerLost(SetupError):
    """The Temporal server answered the connect and then went away during the command (it
    stopped, restarted, or the network between dropped): what was sent before may have been
    recorded, so the message says how to check before sending it again."""


class KeysNeeded(SetupError):
    """A key is missing here: payloads are encrypted and the codec keys
    (LOAN_JOURNEY_CODEC_KEYS) are not set, or are not the workers' keys, or are malformed; or
    the archive key (LOAN_JOURNEY_ARCHIVE_KEY) that seals archived runs and the bank's records
    (starter/records.py) is not set where they are sealed or checked. Set it as the workers
    have it. Its own code, apart from a server or database that cannot be reached."""

    exit_code = 8


class NoAnswer(JourneyError):
    """The journey did not answer in time: no worker polls its task queue, or all are busy."""

    exit_code = 6


class Unfinished(NoAnswer):
    """What was said after a journey's end is in a run that started and did not finish in
    time: it keeps it once a worker runs it, so it must not be sent again."""


class NotRecorded(JourneyError):
    """The action was done, but the journey's history does not record it: the message says
    how to record it."""

    exit_code = 7


def calendar_unusable(err: Exception) -> SetupError:
    """The bank's calendar file (LOAN_JOURNEY_CALENDAR_FILE) cannot be used: `err` says why."""
    return SetupError(f"LOAN_JOURNEY_CALENDAR_FILE cannot be used: {err}; point it at a "
                      "readable calendar file, or unset it for the holidays package's "
                      "calendar alone")


def plain_errors(err: ValidationError) -> str:
    """A model's validation errors for people: each field and what is wrong with it,
    without pydantic's input dump and link."""
    return "; ".join(
        (f"{'.'.join(map(str, e['loc']))}: " if e["loc"] else "")
        + e["msg"].removeprefix("Value error, ")
        for e in err.errors()
    )


def no_such_namespace(err: Exception) -> bool:
    """The server's NOT_FOUND for a namespace (the operator's setting), not for a workflow."""
    return (isinstance(err, RPCError) and err.status is RPCStatusCode.NOT_FOUND
            and err.message.startswith("Namespace"))


def server_gone(err: Exception) -> bool:
    """The server stopped answering a call after the connect (the SDK's UNAVAILABLE: a
    transport error, "tcp connect error" once it is down), not a refusal of the call."""
    return isinstance(err, RPCError) and err.status is RPCStatusCode.UNAVAILABLE
