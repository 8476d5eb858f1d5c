"""Early warnings: raised on a downgrade or a covenant breach, acknowledged by the risk team.

A warning puts the loan on its risk team's queue; a member of that team acknowledges it
with the action taken and a note. Once no warning is open the loan leaves the queue. Pure:
the workflow keeps the list and calls these rules from its update validator and handler.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from journey.actors import Actor
from journey.policy.errors import DecisionRefused


class WarningAction(StrEnum):
    """What the risk team did about a warning."""

    MONITOR = "monitor"  # noted; watch at the next reviews
    CONTACT_BORROWER = "contact_borrower"
    SITE_VISIT = "site_visit"
    REQUEST_DOCUMENTS = "request_documents"
    WAIVER = "waiver"  # a covenant breach waived for now
    RESTRUCTURE = "restructure"  # restructuring proposed
    ESCALATE = "escalate"  # to the credit committee


class Resolution(StrEnum):
    """How the system closed a warning no one acknowledged: the loan ended."""

    LOAN_REPAID = "loan_repaid"
    WRITTEN_OFF = "written_off"

    @property
    def note(self) -> str:
        return self.value.replace("_", " ")


class Acknowledgement(BaseModel):
    by: str  # staff id; the post-loan system's for a warning the loan's end resolved
    at: datetime
    action: WarningAction | Resolution
    note: str


class EarlyWarning(BaseModel):
    """An early warning: a downgrade or a covenant breach, put on the risk team's queue."""

    kind: str  # "downgrade" | "covenant_breach"
    at: date
    detail: str
    team: str
    review_id: str | None = None
    acknowledged: Acknowledgement | None = None
    subject: str | None = None  # the covenant a breach is of (None: a downgrade, or older)

    @property
    def open(self) -> bool:
        return self.acknowledged is None


class AcknowledgeWarning(BaseModel):
    """The `acknowledge_warning` update: warnings by number (1 = the first raised on this
    loan); none given: every open one."""

    actor: Actor
    numbers: list[int] = Field(default_factory=list)

    @field_validator("numbers")
    @classmethod
    def _each_once(cls, numbers: list[int]) -> list[int]:
        return list(dict.fromkeys(numbers))
    action: WarningAction
    note: str = Field(min_length=2, max_length=2000)


def open_breach(warnings: list[EarlyWarning], covenant: str) -> EarlyWarning | None:
    """The open warning of a breach of `covenant`, if one is on the risk team's queue."""
    return next((w for w in warnings if w.open and w.kind == "covenant_breach"
                 and w.subject == covenant), None)


def warned_of(warnings: list[EarlyWarning], covenant: str) -> bool:
    """Whether a breach of `covenant` has been raised on this loan, open or acknowledged."""
    return any(w.kind == "covenant_breach" and w.subject == covenant for w in warnings)


def open_numbers(warnings: list[EarlyWarning]) -> list[int]:
    return [n for n, w in enumerate(warnings, start=1) if w.open]


def close_at_end(warnings: list[EarlyWarning], resolution: Resolution, by: str,
                 at: datetime) -> list[int]:
    """Close the open warnings of a loan that ended (repaid in full, written off), by the
    system `by`, at `at`: resolved by that end (no one's queue keeps a loan that is over);
    their numbers."""
    closed = open_numbers(warnings)
    for n in closed:
        warnings[n - 1].acknowledged = Acknowledgement(
            by=by, at=at, action=resolution, note=resolution.note)
    return closed


def open_warnings(warnings: list[EarlyWarning], zone: tzinfo = UTC) -> list[int]:
    """The open warnings' numbers, or DecisionRefused saying that none is open, and which was
    acknowledged last, by whom and on which day (`zone`'s, the loan's). Said before whose
    queue a warning is on: with nothing open, no team has anything to acknowledge."""
    if still_open := open_numbers(warnings):
        return still_open
    done = [(w.acknowledged, n) for n, w in enumerate(warnings, start=1) if w.acknowledged]
    if not done:
        raise DecisionRefused("this loan has no open early warning: none has been raised, "
                              "nothing to acknowledge")
    last, n = max(done, key=lambda d: (d[0].at, d[1]))
    raise DecisionRefused(
        f"this loan has no open early warning: nothing to acknowledge (the last, early "
        f"warning {n}, was acknowledged by {last.by} on {last.at.astimezone(zone):%Y-%m-%d}: "
        f"{last.action})")


def numbers_to_acknowledge(warnings: list[EarlyWarning], request: AcknowledgeWarning,
                           zone: tzinfo = UTC) -> list[int]:
    """The warnings `request` acknowledges, or DecisionRefused saying what to ask for (the
    day one was acknowledged on by `zone`'s days, the loan's, as the warnings are dated)."""
    still_open = open_warnings(warnings, zone)
    wanted = sorted(set(request.numbers)) or still_open
    for n in wanted:
        if not 1 <= n <= len(warnings):
            raise DecisionRefused(
                f"there is no early warning {n}: the open ones are "
                f"{', '.join(map(str, still_open))} (`loan-journey status` lists them)"
            )
        done = warnings[n - 1].acknowledged
        if done is not None:
            raise DecisionRefused(
                f"early warning {n} was acknowledged by {done.by} on "
                f"{done.at.astimezone(zone):%Y-%m-%d}: "
                f"the open ones are {', '.join(map(str, still_open))}"
            )
    return wanted
