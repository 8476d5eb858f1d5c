"""A payout the ledger holds for a journey whose current run does not record one: the run was
reset on the Temporal server to before its payout (`temporal workflow reset`), so it waits
for the signature again, or ended, while the money is out. `status` says so beside the
stage, so that nobody chases a customer for a signature on money already paid, and
`status --json` lists them (`ledger_payouts_not_in_run`).

Signing again takes the same booking (the ledger's idempotency key is the journey's):
nothing is booked twice. A run at the disbursement stage is left out (an entrusted payout's
bookings go in one by one before the run records them), and so is a project's drawdowns,
each booked under its own tranche."""

from __future__ import annotations

from journey.repayment import money
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyStatus
from starter.bank_clock import when
from store.ledger import Booking, bookings_for


def payouts_not_in_run(settings: Settings, s: JourneyStatus) -> list[Booking]:
    """The ledger's bookings for journey `s` when its run records no payout."""
    if s.disbursement is not None or s.drawdowns or s.stage is Stage.DISBURSEMENT:
        return []
    return bookings_for(settings.db_url, s.workflow_id)


def payouts_said(s: JourneyStatus, paid: list[Booking]) -> list[str]:
    """`paid` (`payouts_not_in_run`) as `status` says them: each booking, then what to do."""
    if not paid:
        return []
    return [
        *(f"the ledger holds payout {b.booking_id} of this journey: {money(b.amount)} to "
          f"{b.payee}, value date {b.value_on or b.booked_at.date()}, booked "
          f"{when(s, b.booked_at)}" for b in paid),
        f"this run records no payout, though the money is out: it was reset on the Temporal "
        f"server to before its payout (`loan-journey history {s.workflow_id}` names who reset "
        "it and when); "
        + ("it waits for the offer's signature again, which the customer gave in the run "
           "before: sent again, it takes the same booking, nothing is booked twice"
           if s.stage is Stage.OFFER else
           f"it is at {s.stage}: check the reset with whoever made it"),
    ]
