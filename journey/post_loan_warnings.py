"""Early warnings: raised on a downgrade or a covenant breach, acknowledged by the risk team.

A warning puts the loan on its risk team's queue; a member of that team acknowledges it
with the action taken and a note. Once no warning is open the loan leaves the queue. While a
project draws, a covenant breach is an event of default that refuses its drawdowns until it
is lifted: waived (the team supervisor's acknowledgement `waiver`) or cured (a later review
finds the covenant met); merely acknowledged, it stands. Pure: the workflow keeps the list
and calls these rules from its update validator and handler.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from journey.actors import Actor
from journey.policy.errors import DecisionRefused
from journey.post_loan_covenants import CovenantCheck


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


class Measured(BaseModel):
    """The latest figure a review measured for an open breach's covenant, and its trend
    against the figure before (the warning's own, or the previous review's)."""

    value: Decimal
    on: date
    review_id: str
    trend: str  # "worse" | "better" | "unchanged" | "" (no earlier figure kept)

    def said(self) -> str:
        return f"latest {self.value} on {self.on} ({self.review_id})" + (
            f", {self.trend}" if self.trend else "")


class EarlyWarning(BaseModel):
    """An early warning: a downgrade or a covenant breach, put on the risk team's queue."""

    kind: str  # "downgrade" | "covenant_breach"
    at: date
    raised_at: datetime | None = None  # when, to the second (None: raised before it was kept)
    detail: str
    team: str
    review_id: str | None = None
    acknowledged: Acknowledgement | None = None
    subject: str | None = None  # the covenant a breach is of (None: a downgrade, or older)
    # a breach's: the review that found its covenant met since, until one finds it breached
    cured_by: str | None = None
    figure: Decimal | None = None  # a breach's: the figure it was raised on (None: older)
    latest: Measured | None = None  # an open breach's: as the latest review measured it

    @property
    def open(self) -> bool:
        return self.acknowledged is None

    @property
    def lifted(self) -> bool:
        """A covenant breach that no longer stands as an event of default: waived, or cured
        by a later review (acknowledged with any other action, it stands)."""
        waived = self.acknowledged is not None \
            and self.acknowledged.action is WarningAction.WAIVER
        return self.kind == "covenant_breach" and (waived or self.cured_by is not None)


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


def record_latest(warning: EarlyWarning, check: CovenantCheck, on: date,
                  review_id: str) -> None:
    """An open breach's covenant measured again by review `review_id` on `on`: the warning
    keeps its number and its acknowledgement history, and shows the latest figure and how
    it moved (an early-warning system's 预警 tracks the figure; it raises no second task)."""
    if check.value is None:
        return
    before = warning.latest.value if warning.latest is not None else warning.figure
    trend = ""
    if before is not None:
        up = check.value > before if check.covenant.bound == "max" else check.value < before
        trend = "unchanged" if check.value == before else ("worse" if up else "better")
    warning.latest = Measured(value=check.value, on=on, review_id=review_id, trend=trend)


def warned_of(warnings: list[EarlyWarning], covenant: str) -> bool:
    """Whether a breach of `covenant` has been raised on this loan, open or acknowledged."""
    return any(w.kind == "covenant_breach" and w.subject == covenant for w in warnings)


def raised_before(warnings: list[EarlyWarning], covenant: str, newer: bool) -> bool:
    """Whether a breach of `covenant` found on file need not be raised again: one is open,
    or one was raised (acknowledged, waived or cured since) and no statement is `newer` than
    those reviewed, as a review raises one again only on statements it reads anew."""
    return open_breach(warnings, covenant) is not None \
        or (not newer and warned_of(warnings, covenant))


def record_cures(warnings: list[EarlyWarning], checks: list[CovenantCheck],
                 review_id: str) -> None:
    """The breaches of each covenant that review `review_id` tested (`checks`, those with a
    figure): cured by it when it finds the covenant met, no longer cured when breached."""
    for check in checks:
        if check.value is None:
            continue  # not tested: the statements do not give the ratio
        for w in warnings:
            if w.kind == "covenant_breach" and w.subject == check.covenant.id:
                w.cured_by = None if check.breached else review_id


def events_of_default(warnings: list[EarlyWarning], lifting: bool = True
                      ) -> list[tuple[int, EarlyWarning]]:
    """The early warnings that refuse a drawing project's drawdowns, by number: all but
    downgrades (a quarter's interest past due downgrades a project that draws on), and with
    `lifting` all but the breaches lifted (`EarlyWarning.lifted`)."""
    return [(n, w) for n, w in enumerate(warnings, start=1)
            if w.kind != "downgrade" and not (lifting and w.lifted)]


def how_to_lift(workflow_id: str, numbers: list[int], team: str,
                supervisors: list[str]) -> str:
    """Who may lift the covenant breaches `numbers` that refuse a drawdown, and how: the
    `team`'s supervisor waives them, or a review of newer statements cures them."""
    who = f"the {team} supervisor" + (f" ({', '.join(supervisors)})" if supervisors else "")
    listed = " ".join(f"--warning {n}" for n in numbers)
    return (f"a covenant breach stands until {who} waives it (`loan-journey acknowledge "
            f"{workflow_id} {listed} --action waiver --note WHY --as "
            f"{supervisors[0] if supervisors else 'SUPERVISOR'}`) or a later review finds the "
            f"covenant met (newer statements: `loan-journey documents {workflow_id} FILE... "
            f"--as CREDIT_CODE`, read at the next review, or at once with `loan-journey "
            f"schedules trigger {workflow_id}`); acknowledged with another action it stands")


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
