"""Money going back to a payer, entered and awaiting its checker: the bank's four-eyes rule
for what leaves it by a refund (money paid beyond a loan's whole plan) or a return (money
received and not booked), as for an entrusted payout's instruction.

One operations person enters it, numbered (`pending refund`, `pending return`: the account it
goes to, how much, under which payment, why); nothing is paid or booked until a second one
(neither its maker nor the case's submitter) confirms it by its number (`pending confirm`),
which keeps the refund or the return (store/payer_returns.py) with who confirmed it, and
settles the entry, in one transaction; or it is cancelled (`pending cancel`), which books
nothing. Entries are kept whatever became of them: who entered one, when, and who confirmed
or cancelled it.

With the archive key, each is sealed as its maker enters it, next in the entries' own chain
(store/seals.py; sealed under the returns' lock, as the payment reference claims are), over
what was entered (`entry_facts`), which never changes: one changed in the database before its
checker confirms it is refused (starter/outflow_checks.py), paying nothing, and reported
(`loan-journey records verify`), so that what is paid is what its maker entered. Its state and
who settled it, which its settling changes, are not sealed (the refund or return it is kept as
seals them: store/payer_returns.py). Without the key it is entered unsealed, as before.

Each keeps the payment whose money goes back and the account that payment came from, as its
entry checked them (starter/payer_account.py, 退回原账户; migration 0031), sealed with what
its maker entered: its checker is shown, and its confirmation checks, the account the entry
was checked against, not one looked up again then, and an auditor reads it on the entry.
Entries made before keep neither (`source_payment` None): theirs is looked up, as then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import Date, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from store.db import session
from store.models import Base, BigId
from store.types import Money, UTCDateTime


class OutflowKind(StrEnum):
    REFUND = "refund"  # money paid beyond a loan's whole plan, owed back
    RETURN = "return"  # money received and not booked (a repayment refused at delivery)


class OutflowState(StrEnum):
    AWAITING = "awaiting"  # entered: nothing paid until a second operations person confirms
    CONFIRMED = "confirmed"  # kept as a refund or a return (store/payer_returns.py)
    CANCELLED = "cancelled"  # nothing paid


class PayerOutflow(BaseModel):
    """A refund or a return as its maker entered it, and what became of it."""

    id: int | None = None  # its number (`pending confirm N`)
    kind: OutflowKind
    workflow_id: str
    instruction_id: int | None = None  # a return's unbooked repayment
    payment: str | None = None  # a refund's payment that overpaid
    paid_on: date | None = None  # that payment's value date
    amount: Decimal
    account: str  # the payer's account it goes to, as the maker typed it
    reference: str  # the refund or return payment's, in the bank's books
    reason: str
    entered_by: str
    role: str
    origin: str  # user@host pid of the command line that entered it
    entered_at: datetime
    state: OutflowState = OutflowState.AWAITING
    settled_by: str | None = None  # who confirmed or cancelled it
    settled_at: datetime | None = None
    settled_why: str | None = None  # a cancellation's reason
    # the payment whose money goes back (a refund's that overpaid, a return's received) and
    # the account it came from (None: it named none), as the entry was checked against them;
    # no `source_payment`: entered before they were kept (migration 0031), looked up instead
    source_payment: str | None = None
    source_account: str | None = None

    @property
    def source_kept(self) -> bool:
        """Whether the entry keeps the account it was checked against (`source_account`)."""
        return self.source_payment is not None

    def said(self) -> str:
        """What it is, for a list and its checker: which money, to which account, by whom."""
        of = (f"pending instruction {self.instruction_id}" if self.kind is OutflowKind.RETURN
              else f"payment {self.payment} ({self.paid_on})")
        return (f"{self.kind} {self.id} of {self.amount:,.2f} ({self.workflow_id}, {of}) to "
                f"account {self.account} under {self.reference}: {self.reason}; entered by "
                f"{self.entered_by} at {self.entered_at:%Y-%m-%d %H:%M:%S} UTC")


class PayerOutflowRow(Base):
    __tablename__ = "payer_outflows"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    workflow_id: Mapped[str] = mapped_column(String(128), index=True)
    instruction_id: Mapped[int | None] = mapped_column(Integer)
    payment: Mapped[str | None] = mapped_column(String(128))
    paid_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    account: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    entered_by: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(200))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))
    settled_by: Mapped[str | None] = mapped_column(String(128))
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_why: Mapped[str | None] = mapped_column(Text)
    seal: Mapped[str | None] = mapped_column(String(64))  # None: entered unsealed
    source_payment: Mapped[str | None] = mapped_column(String(128))  # None: entered before
    source_account: Mapped[str | None] = mapped_column(String(64))  # None: named none


# the entries' chain of seals: their own, extended under the returns' lock
CHAIN = [PayerOutflowRow.seal]


def entry_facts(row: PayerOutflowRow) -> list[object]:
    """What an entry's seal covers: what its maker entered, which never changes (not its
    state, nor who settled it, when and why, which its checker's word changes), and the
    payment and account it was checked against; none of those for one entered before they
    were kept, so that its seal still covers what it had."""
    source = [] if row.source_payment is None else [
        f"source {row.source_payment}", row.source_account]
    return [row.id, row.kind, row.workflow_id, row.instruction_id, row.payment,
            row.paid_on.isoformat() if row.paid_on else None, f"{row.amount:.2f}", row.account,
            row.reference, row.reason, row.entered_by, row.role, row.origin,
            row.entered_at.astimezone(UTC).isoformat(), *source]


def outflow(url: str, number: int) -> PayerOutflow | None:
    """Entry `number`, whatever became of it."""
    with session(url) as s:
        row = s.get(PayerOutflowRow, number)
        return PayerOutflow.model_validate(row, from_attributes=True) if row else None


def outflows(url: str, kind: OutflowKind | None = None, workflow_id: str | None = None,
             states: Iterable[OutflowState] = (OutflowState.AWAITING,)) -> list[PayerOutflow]:
    """The entries in `states` (awaiting their checker, by default): of `kind` and journey
    `workflow_id` when given; oldest first."""
    with session(url) as s:
        query = select(PayerOutflowRow).where(
            PayerOutflowRow.state.in_([str(x) for x in states])).order_by(PayerOutflowRow.id)
        if kind is not None:
            query = query.where(PayerOutflowRow.kind == kind.value)
        if workflow_id is not None:
            query = query.where(PayerOutflowRow.workflow_id == workflow_id)
        return [PayerOutflow.model_validate(r, from_attributes=True) for r in s.scalars(query)]


def awaiting_total(entries: Iterable[PayerOutflow]) -> Decimal:
    return sum((e.amount for e in entries if e.state is OutflowState.AWAITING), Decimal(0))
