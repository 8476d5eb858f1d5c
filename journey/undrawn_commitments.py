"""The loan book's undrawn commitments: each signed project-finance facility whose drawdowns
are still open, with what the bank committed, what it drew and what it may still draw, until
when, and the commitment fee (承诺费) accrued so far, off the balance sheet until drawn. A
project that has drawn nothing lends nothing (it is no line of the loans, journey/loan_book.py)
but binds the bank all the same; one that has drawn part is both: a loan for what it drew, a
commitment for the rest. The figures are status's own (journey/drawdowns.py `Commitment`,
journey/availability_interest.py `InterestPosition`)."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from decimal import Decimal

from pydantic import BaseModel

from journey.loan_account import ZERO
from journey.stages import Stage
from journey.status import JourneyStatus


class CommitmentLine(BaseModel):
    workflow_id: str
    borrower: str = ""  # its name and credit code, as the journey has them
    credit_code: str = ""
    commitment: Decimal  # what the bank committed, less any part cancelled
    drawn: Decimal
    undrawn: Decimal  # what may still be drawn
    available_until: date  # the availability period's end, by the loan's days
    # the commitment fee accrued since the last quarter ended, not yet charged; None for a
    # project drawing since before quarterly interest (no fee)
    fee_accrued: Decimal | None
    # paid beyond what its payoff asks today (status's "paid ahead"), credited to what falls due
    paid_ahead: Decimal

    @property
    def lent(self) -> bool:
        """Drawn in part: a loan of the book too, whose line has its fee accrued (in its
        interest accrued) and what it paid ahead, counted there (journey/loan_book.py)."""
        return self.drawn > 0


class CommitmentTotal(BaseModel):
    """The facilities' totals; the fee accrued and what was paid ahead of those with nothing
    drawn only: a facility that drew has them in its loan line, counted once, in the loans'."""

    commitment: Decimal
    drawn: Decimal
    undrawn: Decimal
    fee_accrued: Decimal
    paid_ahead: Decimal


def commitment_line(s: JourneyStatus) -> CommitmentLine | None:
    """The facility of a project whose drawdowns are open, drawn or not; None for any other
    journey (drawdowns closed: a loan, or a fee owed, of journey/loan_book.py)."""
    c, position = s.commitment, s.availability_interest
    if s.stage is not Stage.DISBURSEMENT or c is None or c.closed_at is not None:
        return None
    zone = timezone(timedelta(hours=s.days_utc_offset))
    payoff = position.payoff if position is not None else None
    return CommitmentLine(
        workflow_id=s.workflow_id, **borrower_of(s), commitment=c.total - c.cancelled,
        drawn=c.drawn, undrawn=c.available,
        available_until=c.available_until.astimezone(zone).date(),
        fee_accrued=position.fee_accrued if position is not None else None,
        paid_ahead=payoff.paid_ahead if payoff is not None else ZERO,
    )


def borrower_of(s: JourneyStatus) -> dict[str, str]:
    """A book line's borrower fields: the applicant's name and credit code, "" if unsaid."""
    return {"borrower": s.applicant or "", "credit_code": s.customer or ""}


def commitments_total(lines: list[CommitmentLine]) -> CommitmentTotal:
    return CommitmentTotal(
        commitment=sum((c.commitment for c in lines), ZERO),
        drawn=sum((c.drawn for c in lines), ZERO),
        undrawn=sum((c.undrawn for c in lines), ZERO),
        fee_accrued=sum((c.fee_accrued for c in lines
                         if c.fee_accrued is not None and not c.lent), ZERO),
        paid_ahead=sum((c.paid_ahead for c in lines if not c.lent), ZERO),
    )
