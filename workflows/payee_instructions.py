"""Operations' payment instruction (受托支付): the wait for it and the bookings it makes.

Shared by a loan's entrusted payout (workflows/entrusted_payout.py, whose updates take the
instruction and its confirmation: maker-checker) and a project's entrusted drawdowns
(workflows/drawdowns.py): the payout waits for a confirmed instruction under the policy's
instruction SLA, then the ledger books one payment to each counterparty it names.
A loan's payout, to the borrower or to the counterparties, is value-dated (`payout_value_on`).
"""

import asyncio
from datetime import date
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.contracts import BookingInput
    from journey.drawdowns import paid_under
    from journey.entrusted_payment import OPERATIONS_TEAM, EntrustedPayout
    from journey.policy import StageSla
    from journey.status import Disbursement, StageVisit
    from workflows.bookings import Bookings

# workflow.patched marker: before it, a loan's payout ran from the day it was booked, a Sunday
# night's too; since, from its value date, the day the bank moves the money: the booked day
# when that is a working day of the pinned calendar, else the next one. Kept on the booking
# (the ledger row) and the Disbursement; the plan, the account and the notice run from it.
PAYOUT_VALUE_DATED = "payout-value-dated"


class PayeeInstructions(Bookings):
    def _init_updates(self) -> None:
        super()._init_updates()
        self._entrusted: EntrustedPayout | None = None

    def _instruction_sla(self) -> StageSla | None:
        entrusted_policy = self.policy.entrusted_payment
        return entrusted_policy.instruction_sla if entrusted_policy is not None else None

    async def _await_instruction(self, visit: StageVisit, payout: EntrustedPayout,
                                 key: str) -> None:
        """Operations told (`key`) what `payout` waits for; until its instruction is
        confirmed (or the journey withdrawn), under the policy's SLA from `visit`'s entry."""
        await self._behind(self.notify(key, OPERATIONS_TEAM, "payment_instruction_due",
                                       payout.waiting_for()))
        sla = self._instruction_sla()
        watcher = self.arm_own_sla(visit, sla) if sla is not None else None
        try:
            await self.wait_for(lambda: payout.instruction is not None)
        finally:
            if watcher is not None:
                watcher.cancel()

    def payout_value_on(self) -> date | None:
        """The value date of a loan's payout booked now: the loan's day when the bank works
        on it, else its next working day (the pinned calendar's); None before the marker (the
        day booked stands). No cut-off: the calendar has none for payments."""
        if not workflow.patched(PAYOUT_VALUE_DATED):
            return None
        return self.calendar.next_working_day(self.today())

    async def _book_counterparties(self, payout: EntrustedPayout, key: str, purpose: str,
                                   value_on: date | None = None) -> Disbursement:
        """One booking per counterparty of `payout`'s instruction (idempotency key
        `{key}:{n}`, purpose `purpose` and where it goes, its money moving on `value_on`),
        kept on the payout; the whole."""
        instruction = payout.instruction
        assert instruction is not None, "paid on a confirmed instruction"
        bookings = await asyncio.gather(*(
            self.book(BookingInput(
                workflow_id=self._workflow_id,
                idempotency_key=f"{key}:{n}",
                amount=c.amount,
                payee=c.name,
                purpose=f"{purpose} {paid_under(c)}",
                value_on=value_on,
                account=c.account,
                bank=c.bank,
            ))
            for n, c in enumerate(instruction.counterparties, start=1)
        ))
        payout.bookings = [b.booking_id for b in bookings]
        return Disbursement(
            booking_id=bookings[0].booking_id,
            amount=sum((b.amount for b in bookings), Decimal(0)),
            payee="; ".join(b.payee for b in bookings),
            booked_at=max(b.booked_at for b in bookings),
            value_on=value_on,
        )
