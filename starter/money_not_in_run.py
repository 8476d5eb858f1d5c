"""Money a journey's current run does not record, though the bank's records hold it: the run
was reset on the Temporal server to before it (`temporal workflow reset`, the updates after
the reset point not applied again). A payout the ledger holds: the run waits for the
signature again, or ended, while the money is out. A repayment whose reference is claimed for
the loan (store/payment_references.py): the bank received it, and the run's account does not
count it. `status` says both beside the stage, so that nobody chases a customer for a
signature on money already paid, or for money they paid, and `status --json` lists them
(`ledger_payouts_not_in_run`, `repayments_claimed_not_in_run`).

Signing again takes the same booking (the ledger's idempotency key is the journey's):
nothing is booked twice; an entrusted payout's bookings, keyed by each payment's place in
its instruction, are taken again only by the instruction entered again as it was. A run at
the disbursement stage is left out (an entrusted payout's bookings go in one by one before
the run records them), and so is a project's drawdowns, each booked under its own tranche. A
claim whose money is kept and not booked (or returned) is left out: `status` shows that money
on its own lines (starter/pending_return.py)."""

from __future__ import annotations

from journey.bank_reference import same_reference
from journey.decisions import Repayment
from journey.repayment import money
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyStatus
from starter.bank_clock import when
from store.ledger import Booking, bookings_for
from store.payment_references import ReferenceClaim, claims_of
from store.pending import REPAYMENT, Delivery, instructions


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
        + ((f"it waits for the offer's signature again, which the customer gave in the run "
            f"before: {_signed_again(s, paid)}") if s.stage is Stage.OFFER else
           f"it is at {s.stage}: check the reset with whoever made it"),
    ]


def _signed_again(s: JourneyStatus, paid: list[Booking]) -> str:
    """What signing again books: the payout's own booking; an entrusted payout's (受托支付)
    bookings, each under its counterparty's place in the instruction, only if the instruction
    is entered again as it was."""
    if all(b.key == f"{s.workflow_id}:disbursement" for b in paid):
        return "sent again, it takes the same booking, nothing is booked twice"
    return ("sent again, with its payment instruction entered again as it was (the "
            "counterparties and amounts above, in the same order), each payment takes its "
            "booking, nothing is booked twice; an instruction split otherwise is held on a "
            "booking conflict")


def repayments_not_in_run(settings: Settings, s: JourneyStatus) -> list[ReferenceClaim]:
    """The repayments claimed for journey `s`'s loan that its run records no payment under,
    but those kept and not booked, returned or waiting to be delivered."""
    recorded = [*(p.reference for p in s.payments), *kept_references(settings, s.workflow_id)]
    return [c for c in claims_of(settings.db_url, s.workflow_id)
            if not any(same_reference(c.reference, r) for r in recorded)]


def kept_references(settings: Settings, workflow_id: str | None = None) -> list[str]:
    """The references of the repayments kept and not booked, returned or waiting to be
    delivered (journey `workflow_id`'s, or every journey's): their claims stay with them."""
    return [Repayment.model_validate_json(k.request).reference for k in instructions(
        settings.db_url, states=(Delivery.PENDING, Delivery.UNBOOKED, Delivery.RETURNED),
        workflow_id=workflow_id) if k.update == REPAYMENT]


def repayments_said(s: JourneyStatus, claimed: list[ReferenceClaim]) -> list[str]:
    """`claimed` (`repayments_not_in_run`) as `status` says them."""
    return [f"repayment {c.reference} of {money(c.amount)} ({c.kind}), typed by "
            f"{c.claimed_by} {when(s, c.claimed_at)}, is claimed for this loan and not "
            "recorded by this run: recorded in a run before a reset on the Temporal server "
            f"(`loan-journey history {s.workflow_id}` names it), or being recorded now; "
            "if `status` still shows it in a minute, record it again with `loan-journey "
            f"repay {s.workflow_id} --reference {c.reference} --amount {c.amount:.2f}` and "
            "its value date (`--paid-on`), as it was typed" for c in claimed]
