"""The money paid out in a period, from the ledger, tied to the journeys, for `book`: every
booking the ledger made with its money moving in the period (its value date: a payout signed
on a non-working day moves on the next bank day; one kept before value dates were, its booked
day on the bank's clock), to whom, into which account, and their total; then, journey by
journey, what the ledger booked to it (whenever) against what the journey records it lent
(its payout, or a project's drawdowns booked), so that a payout booked twice, booked and not
recorded, or recorded and never booked is named. The ledger holds payouts only: the money
received is starter/money_received.py's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from journey.drawdowns import DrawdownState
from journey.loan_account import ZERO
from journey.repayment import money
from journey.settings import Settings
from journey.status import JourneyStatus
from starter.bank_clock import bank_zone
from starter.money_received import Period
from store.ledger import Booking, booked_by_journey, bookings_moving


class MoneyPaidOut(BaseModel):
    period: Period
    bookings: list[Booking]  # value dated in the period, oldest first
    not_reconciled: list[str]

    @property
    def total(self) -> Decimal:
        return sum((b.amount for b in self.bookings), ZERO)


def value_day(b: Booking) -> date:
    """The day booking `b`'s money moved: its value date, or for one kept before value dates
    were, its booked day on the bank's clock."""
    return b.value_on or b.booked_at.astimezone(bank_zone()).date()


def lent(s: JourneyStatus) -> Decimal:
    """What the journey of status `s` records it lent: its payout (a project's, at its close,
    all it drew), or while a project draws, its drawdowns booked."""
    if s.disbursement is not None:
        return s.disbursement.amount
    return sum((d.request.amount for d in s.drawdowns if d.state is DrawdownState.BOOKED), ZERO)


def money_paid_out(statuses: list[JourneyStatus], settings: Settings, period: Period
                   ) -> MoneyPaidOut:
    """The ledger's bookings value dated in `period`, tied to the journeys' `statuses` (each
    journey once: every one running, or ended since the period began, as `book` reads them):
    the journeys that lent, or whose bookings moved in the period, whose ledger and record
    disagree, and the bookings of the period no journey read records, are named."""
    moved = [b for b in bookings_moving(settings.db_url, period.first, period.last)
             if period.holds(value_day(b))]
    journeys = {s.workflow_id: s for s in statuses}
    ledger = booked_by_journey(settings.db_url, [*journeys, *(b.workflow_id for b in moved)])
    unread = list(dict.fromkeys(b.workflow_id for b in moved if b.workflow_id not in journeys))
    return MoneyPaidOut(period=period, bookings=moved, not_reconciled=[
        *(f"{w}: the ledger booked {money(ledger.get(w, ZERO))} to it, the journey records "
          f"{money(lent(s))} lent: check `loan-journey status {w}` against the ledger"
          for w, s in journeys.items() if ledger.get(w, ZERO) != lent(s)),
        *(f"{w}: the ledger booked {money(ledger[w])} to it, paid out in the period, and no "
          f"journey the book read records it (ended before the period, or outside the engine: "
          f"`loan-journey status {w}`)" for w in unread)])
