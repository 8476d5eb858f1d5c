"""The loan book by borrower (统一授信 as risk reads it): each borrower's loans, by its credit
code, with what they lend (principal left), what settles them today, the worst class among
them, and what the bank is bound to lend it besides: its loans signed and not paid out (the
pipeline, journey/signed_pipeline.py) and what its projects may still draw (undrawn
commitments, journey/undrawn_commitments.py), counted as committed. Two loans of one
borrower are one exposure."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel

from journey.classification import RiskClass
from journey.loan_account import ZERO
from journey.loan_book import LoanBook


class BorrowerExposure(BaseModel):
    credit_code: str
    borrower: str
    loans: int  # lines of the loan book
    principal: Decimal  # not repaid yet, of its loans
    # what settles its loans today, of those that quote it (`unquoted` do not)
    to_settle: Decimal
    unquoted: int
    committed: Decimal  # signed and not paid out, and its projects' undrawn commitments
    signed_not_paid: int  # of them, loans signed and not paid out
    worst_class: RiskClass | None  # of its loans; None with nothing lent yet

    @property
    def exposure(self) -> Decimal:
        return self.principal + self.committed


def by_borrower(book: LoanBook) -> list[BorrowerExposure]:
    """Every borrower of the book's loans, pipeline and commitments, the largest exposure
    (principal and committed) first; a borrower named by no credit code is its journey's
    own."""
    keyed: dict[str, BorrowerExposure] = {}

    def of(code: str, name: str) -> BorrowerExposure:
        return keyed.setdefault(code, BorrowerExposure(
            credit_code=code, borrower=name, loans=0, principal=ZERO, to_settle=ZERO,
            unquoted=0, committed=ZERO, signed_not_paid=0, worst_class=None))

    for b in book.lines:
        e = of(b.credit_code or b.workflow_id, b.borrower)
        e.loans += 1
        e.principal += b.principal
        if b.to_settle is None:
            e.unquoted += 1
        else:
            e.to_settle += b.to_settle
        if e.worst_class is None or b.risk_class.rank > e.worst_class.rank:
            e.worst_class = b.risk_class
    for p in book.pipeline:
        e = of(p.credit_code or p.workflow_id, p.borrower)
        e.committed += p.amount
        e.signed_not_paid += 1
    for c in book.commitments:
        of(c.credit_code or c.workflow_id, c.borrower).committed += c.undrawn
    return sorted(keyed.values(), key=lambda e: (-e.exposure, e.credit_code))


def exposure_total(borrowers: list[BorrowerExposure]) -> Decimal:
    return sum((e.exposure for e in borrowers), Decimal(0))
