"""Project finance: the interest paid quarterly while a project draws (按季结息).

From the drawdown stage's opening (journeys opened since the marker in workflows/drawdowns.py,
`Commitment.interest_from`), each quarter's interest on what is drawn is due the day after
its 结息日, on a working day (journey/availability_interest.py). The customer pays it with
`record_repayment`, as any repayment, into the project's own interest payments; a reminder
goes before each payment day and a notice once one is past due, by the post-loan policy
(workflows/payment_notices.py); status shows where the interest stands. When drawdowns close,
the first instalment carries only what the quarters did not charge.
"""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.availability_interest import (
        AtClose,
        InterestPosition,
        Terms,
        at_close,
        fees_at_close,
        interest_account,
        interest_position,
        quarterly_plan,
        quarters,
        standing,
    )
    from journey.availability_payoff import payoff
    from journey.decisions import Repayment
    from journey.drawdown_conditions import availability_interest
    from journey.drawdowns import DrawdownRecord
    from journey.loan_account import Account, Payment
    from journey.policy import DecisionRefused
    from journey.post_loan_wakeups import next_wakeup
    from journey.repayment import Instalment
    from journey.stages import Stage
    from journey.status import JourneyStatus
    from workflows.drawdown_updates import DrawdownUpdates
    from workflows.payment_notices import Notices

QUARTERS = Notices(what="quarterly interest", key="interest:", template="interest")
UNSEEN = object()  # `_dd_remind_then_wait` without a state seen before reminding
# the commitment fee of a project that drew nothing may be waived (workflows/fee_waivers.py):
# the journey then tells the customer and ends; before it, it ended only once the fee was paid
FEE_WAIVER = "commitment-fee-waiver"


class DrawdownInterest(DrawdownUpdates):
    def _dd_quarters(self) -> list[Instalment] | None:
        """The quarters' interest on what is drawn so far, to the end of the availability
        period; None when drawdowns are closed or (journeys opened before the rule) the
        interest is all charged at the close."""
        commitment, offer = self._dd_commitment, self._offer
        if self._dd_fees_due is not None:
            return self._dd_fees_due.plan
        if commitment is None or commitment.interest_from is None \
                or commitment.closed_at is not None or offer is None:
            return None
        return quarterly_plan(self._dd_records, self._dd_interest_terms(),
                              commitment.interest_from, self.day_of(commitment.available_until),
                              self._dd_payment_day, self.day_zone())

    def _dd_interest_terms(self) -> Terms:
        commitment, offer = self._dd_commitment, self._offer
        assert commitment is not None and offer is not None, "drawdowns follow a signed offer"
        return Terms(annual_rate=offer.annual_rate, commitment=commitment.total,
                     fee_rate=commitment.fee_rate, per_piece=not commitment.rounded_once)

    def _dd_payment_day(self, day: date) -> date:
        """A day something is payable: the next working day, as the post-loan due dates."""
        return self.calendar.next_working_day(day) if self.bank_days() else day

    def _dd_interest_account(self) -> Account | None:
        quarters = self._dd_quarters()
        if quarters is None:
            return None
        waiver = self._dd_waiver()
        return interest_account(quarters, [*self._dd_interest_payments, *waiver], self.today(),
                                self._dd_penalty_rate())

    def _dd_waiver(self) -> list[Payment]:
        """What the bank waived of a commitment fee (workflows/fee_waivers.py), as it settles
        the fee account; none when nothing was waived."""
        waived = self._dd_fee_waived
        return [] if waived is None else [waived.as_settlement(len(self._dd_interest_payments))]

    def _dd_penalty_rate(self) -> Decimal:
        """The post-loan account's penalty rate on a quarter past due, for journeys opened
        since penalty interest accrued on it (workflows/drawdowns.py); none before."""
        return self.penalty_rate() if self._dd_penalties else Decimal(0)

    # -- the workflow's side -------------------------------------------------------------

    async def _dd_collect_interest(self) -> None:
        """Until drawdowns close: remind the customer of each quarter's interest before it
        is due, and tell them when it is past due, as post-loan does for instalments; woken
        by the clock (daily while in arrears, so that status's days past due are never older
        than a day), or by a drawdown that changes what is due."""
        while self._dd_fees_due is None and (account := self._dd_interest_account()) is not None:
            commitment = self._dd_commitment
            assert commitment is not None and commitment.interest_from is not None
            parts = quarters(self._dd_records, self._dd_interest_terms(),
                             commitment.interest_from, self.day_of(commitment.available_until),
                             self.day_zone())
            watched = self._dd_wakes()
            if await self._dd_monitor() and self._dd_wakes() != watched:
                continue  # a drawdown, the close or a review came meanwhile: look again
            await self._dd_remind_then_wait(
                account, {n: f" ({q.text()})" for n, q in enumerate(parts, start=1)},
                self._dd_wakes, watched if self._dd_reviewed else UNSEEN)

    async def _dd_monitor(self) -> bool:
        """Reviews and classification while it draws (workflows/drawdown_reviews.py); whether
        it did any (and so may have waited)."""
        return False

    def _dd_wakes(self) -> object:
        """What wakes the collector besides the clock: a drawdown or the close (and, while
        reviewed, a review: workflows/drawdown_reviews.py)."""
        return self._dd_drawing()

    async def _dd_remind_then_wait(self, account: Account, parts: dict[int, str],
                                   state: Callable[[], object], seen: object = UNSEEN) -> None:
        """Remind the customer of what falls due and tell them of what is past due (`parts`,
        what each is made of), then wait until the clock changes something (daily while in
        arrears, so that status's days past due are never older than a day) or `state()`
        does: from `seen` (a change while reminding wakes it at once), or, as journeys
        before reviews while drawing did, from what it is once reminded."""
        await self._remind(account, self._dd_reminded, self._dd_overdue_noticed, QUARTERS,
                           parts)
        wake = next_wakeup(account, self._policy_pl(), self._dd_reminded, workflow.now(),
                           zone=self.day_zone(), daily_in_arrears=self.bank_days())
        timeout = None if wake is None else max(wake - workflow.now(), timedelta(seconds=1))
        before = state() if seen is UNSEEN else seen
        self._dd_idle = True
        try:
            await workflow.wait_condition(lambda: state() != before, timeout=timeout)
        except TimeoutError:
            pass
        finally:
            self._dd_idle = False

    def _dd_drawing(self) -> tuple[Decimal, bool] | None:
        """What drawn so far and whether closed: a change wakes the quarters' collector."""
        commitment = self._dd_commitment
        return None if commitment is None else (commitment.drawn, commitment.closed_at is not None)

    async def _dd_charge_fees(self) -> str:
        """A project closing today with nothing drawn owes the commitment fee it accrued
        (journey/availability_interest.py, `fees_at_close`): the customer is told, then
        reminded and told when past due as of the quarters, until it is paid or the bank
        waives the rest (workflows/fee_waivers.py: the customer is told); what the journey's
        end says of it ("" when nothing is owed)."""
        commitment, today = self._dd_commit(), self.today()
        assert commitment.interest_from is not None, "the fee accrues with quarterly interest"
        fees = fees_at_close(self._dd_interest_terms(), commitment.interest_from, today,
                             self._dd_payment_day, self.day_zone())
        if interest_account(fees.plan, self._dd_interest_payments, today,
                            self._dd_penalty_rate()).repaid:
            return ""
        self._dd_fees_due = fees
        await self.notify(
            f"{self._workflow_id}:drawdowns:fees-due", "customer", "commitment_fee_due",
            f"nothing was drawn: the commitment fee accrued, {fees.total:,}, is owed: "
            f"{self._dd_fee_account().owed:,} unpaid, due by {fees.plan[-1].due_on}",
        )
        self._withdrawal = None  # done with: the journey waits for the fee
        notes = {n: f" ({q.text()})" for n, q in enumerate(fees.parts, start=1)}
        while not (account := self._dd_fee_account()).repaid:
            # woken by a payment, or a waiver
            await self._dd_remind_then_wait(account, notes, lambda: self._changes)
        if (waived := self._dd_fee_waived) is not None and workflow.patched(FEE_WAIVER):
            await self.notify(
                f"{self._workflow_id}:drawdowns:fees-waived", "customer", "commitment_fee_waived",
                f"the commitment fee left unpaid, {waived.amount:,}, is waived: nothing more "
                "is owed, and the facility is closed")
            return f"; the commitment fee, {fees.total:,}: {waived.text()}"
        return f"; the commitment fee, {fees.total:,}, paid"

    def _dd_fee_account(self) -> Account:
        account = self._dd_interest_account()
        assert account is not None, "the fee is owed"
        return account

    def _dd_interest_at_close(self, booked: list[DrawdownRecord], today: date) -> AtClose:
        """What closing leaves owed: the interest and fee since the last quarter ended and
        the quarters left unpaid; all the interest, for journeys opened before quarterly
        interest."""
        commitment, terms = self._dd_commitment, self._dd_interest_terms()
        assert commitment is not None, "drawdowns are closing"
        if commitment.interest_from is None:
            return AtClose(unpaid=[], rest=availability_interest(
                booked, terms.annual_rate, today, self.day_zone()))
        return at_close(booked, terms, commitment.interest_from, today,
                        self._dd_interest_payments, self._dd_payment_day, self.day_zone(),
                        self._dd_penalty_rate())

    # -- payments (record_repayment, workflows/post_loan_handlers.py) ---------------------

    def _payments(self) -> list[Payment]:
        if self._dd_quarters() is None:
            return super()._payments()
        return self._dd_interest_payments

    def _recorded(self) -> list[Payment]:
        return [*self._dd_interest_payments, *super()._recorded()]

    def _paid_into(self, on: date) -> tuple[Account | None, str]:
        interest = self._dd_interest_account()
        if interest is None:
            return super()._paid_into(on)
        return interest, ("the project is drawing: only its interest is paid until drawdowns "
                          "close, and the principal after")

    def _repaid(self, repayment: Repayment) -> str:
        """The project's interest as status shows it (`InterestPosition.text`)."""
        position = self._dd_position()
        if position is None:
            return super()._repaid(repayment)
        return position.text()

    def _require_repayable(self, repayment: Repayment) -> None:
        """While a project draws, its quarterly interest is paid: nothing is repaid ahead."""
        if self._stage is not Stage.DISBURSEMENT or self._dd_quarters() is None:
            return super()._require_repayable(repayment)
        if repayment.settles:
            raise DecisionRefused(
                "the project is drawing: to settle it, withdraw the rest of its commitment "
                "first (`withdraw`: drawdowns close on what was drawn), then settle at "
                "`settlement`'s quote, which it quotes now"
            )
        if repayment.prepays:
            raise DecisionRefused(
                "the project is drawing: only its interest is paid until drawdowns close; "
                "record this as a repayment of interest, or the prepayment after the close"
            )

    def _dd_position(self) -> InterestPosition | None:
        """Where the project's interest stands today, as status shows it (and receipts say
        it): while it draws, or closed with nothing drawn and its commitment fee owed."""
        commitment, fees = self._dd_commitment, self._dd_fees_due
        if fees is not None:
            waiver = self._dd_waiver()
            owed = standing(fees.plan, self._dd_interest_payments, self.today(),
                            self._dd_penalty_rate(), fees.parts, *waiver)
            return owed.model_copy(update={"fees_only": True,
                                           "fee_owed": self._dd_fee_account().owed})
        if self._dd_quarters() is None or commitment is None \
                or commitment.interest_from is None:
            return None
        today = self.today()
        settles = payoff(self._dd_records, self._dd_interest_terms(), commitment.interest_from,
                         today, self._dd_interest_payments, self._dd_payment_day,
                         self.day_zone(), self._dd_penalty_rate(),
                         self.prepayment_fee().rate_on(today, today))
        return interest_position(commitment, self._dd_records, self._dd_interest_terms(),
                                 self.day_of(commitment.available_until),
                                 self._dd_interest_payments, today, self._dd_payment_day,
                                 self.day_zone(), self._dd_penalty_rate()
                                 ).model_copy(update={"payoff": settles})

    @workflow.query
    def status(self) -> JourneyStatus:
        base = super().status()
        position = self._dd_position()
        if position is None:
            return base
        return base.model_copy(update={"availability_interest": position})
