"""A decider's request for information, open until what it asks has come and been read.

A request asks the customer a question (the decider's `question`; the decider's reason stays
in the bank's record) and names document kinds and periods (`InfoRequest`), or, naming none,
asks only the question, which the customer answers in writing: a written answer
(`WrittenAnswer`, `loan-journey answer`), or any document read after the request (a signed
letter, scanned). Only what came after the request counts, and only the borrower's own statements
(`other_company`); an unreadable one is asked for again by the completeness check, as any
unreadable document is. Since the marker `info-requests-new-and-own` (`on_file` set), only
what is new counts: a copy of a document on file before the request is nothing the deciders
had not seen, and a statement counts only once it shows it is the borrower's (its company
legible, `borrowers_own`); `status` says why such a document did not count.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from journey.decisions import InfoRequest, Verdict, WrittenAnswer
from journey.documents import DocumentKind, DocumentReading, ReadStatus
from journey.policy.completeness import LABELS, borrowers_own, other_company
from journey.policy.errors import DecisionRefused
from journey.repayment import is_month_end
from journey.stages import Stage

STATEMENTS = (DocumentKind.BALANCE_SHEET, DocumentKind.INCOME_STATEMENT)


class OpenRequest(BaseModel):
    """A request for information the case waits on."""

    stage: Stage  # the deciding stage that asked, where the case returns
    question: str  # the decider's question (a request without one, from before: its reason)
    asks: InfoRequest | None = None  # None: the question is answered in writing
    since: int  # the batches of documents that had come when it was asked
    # sha256 of every document received before it (None: asked before the marker, when a
    # copy sent again and a statement of an illegible company counted)
    on_file: list[str] | None = None
    answer: WrittenAnswer | None = None  # the customer's, to a question


def refuse_unasked(verdict: Verdict, question: str | None) -> None:
    """Refuse a request for information without a question for the customer: its reason is
    the bank's, never sent."""
    if verdict is Verdict.REQUEST_INFO and question is None:
        raise DecisionRefused(
            "a request for information asks the customer a question (--question), in words "
            "for them: it is what they are sent; the reason stays in the bank's record")


def refuse_unended_periods(asks: InfoRequest | None, today: date) -> None:
    """Refuse a request for the statements of a period that has not ended by the bank's
    `today`, or of a day no accounting period ends on: no statement could ever meet it."""
    for period in asks.periods if asks else []:
        if period > today:
            raise DecisionRefused(
                f"the period ending {period} has not ended (today is {today}): ask for the "
                "statements of a period that has ended, or ask for what you need in the question")
        if not is_month_end(period):
            raise DecisionRefused(
                f"{period} is not the last day of a month, as a statement's period end is: "
                "give the day the period ends (such as 2025-12-31)")


def _items(asks: InfoRequest) -> list[tuple[DocumentKind, date | None]]:
    kinds = asks.kinds or list(STATEMENTS)
    return [(kind, period)
            for kind in kinds
            for period in (asks.periods if kind in STATEMENTS and asks.periods else [None])]


def _label(kind: DocumentKind, period: date | None) -> str:
    return f"the {LABELS[kind]}" + (f" of the period ending {period}" if period else "")


def _not_new(request: OpenRequest, r: DocumentReading, borrower: str) -> str | None:
    """Why a document read after the request is no new information (None: it is)."""
    if request.on_file is None:
        return None
    if r.ref.sha256 in request.on_file:
        return (f"{r.ref.filename} was on file before the request: a copy sent again is not "
                "new information")
    if r.kind in STATEMENTS and not borrowers_own(r.statement, borrower):
        return (f"{r.ref.filename}: the company on it is illegible, so it cannot be shown to "
                f"be {borrower}'s: send a copy with the company's name legible")
    return None


def still_awaited(request: OpenRequest, readings: list[DocumentReading],
                  batch_of: dict[str, int], borrower: str, *, customer: bool = False,
                  near_names_held: bool = True) -> list[str]:
    """What the request still waits for, and why a document that came did not count: none
    once it is met. In words for operations (the stage that asked, the command that records a
    written answer), or with `customer` for the customer. `readings` is the loan file;
    `batch_of` maps sha256 to upload batch."""
    after = [r for r in readings
             if r.status is ReadStatus.READ and batch_of.get(r.ref.sha256, 0) > request.since
             and other_company(r.statement, borrower, near_names_held=near_names_held) is None]
    why_not = {r.ref.sha256: why for r in after
               if (why := _not_new(request, r, borrower)) is not None}
    came = [r for r in after if r.ref.sha256 not in why_not]
    if request.asks is None:
        awaited = [] if came or request.answer else [
            "a written answer to the bank's question (tell your relationship manager, or "
            f"send a signed letter, scanned): {request.question}" if customer else
            f"a written answer (`loan-journey answer`, or a signed letter, scanned) to the "
            f"question asked at {request.stage}: {request.question}"]
    else:
        asked_at = (f"which the bank asks for: {request.question}" if customer
                    else f"asked at {request.stage}: {request.question}")
        awaited = [f"{_label(kind, period)}, {asked_at}" for kind, period in _items(request.asks)
                   if not any(r.kind is kind and (period is None or (
                       r.statement is not None and r.statement.period_end == period))
                       for r in came)]
    return [*awaited, *why_not.values()] if awaited else []


def vote_suspended(asker: str, awaited: list[str], returns_to: str, cast: list[str]) -> str:
    """Why a vote cast while `asker`'s request for information is open waits: what the
    customer is still to send, and that the case returns to `returns_to`, where the votes
    `cast` before the request stand (workflows/info_requests.py `_votes_kept`)."""
    stand = (f", and the votes cast ({', '.join(cast)}) stand unless a document they were "
             "cast on is superseded" if cast else "")
    if not awaited:
        return (f"{asker}'s request is met: the case returns to {returns_to} once the file "
                f"is checked{stand}; vote then")
    return (f"the vote is suspended until the customer answers {asker}'s question or sends "
            f"what was asked ({'; '.join(awaited)}): the case returns to {returns_to} "
            f"then{stand}")
