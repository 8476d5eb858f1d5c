"""Entrusted payment (受托支付) of a fixed-asset or working-capital payout.

When the pinned policy's figure for the loan's product is below its amount (since the
ENTRUSTED_PAYOUT marker), the disbursement stage waits on the bank's operations, under the
policy's instruction SLA, for a `record_payment_instruction` update: the counterparties of the
borrower's commercial contracts, each with its account, bank, contract and amount. Its
validator refuses, before the history, anyone but operations, the case's submitter, the
borrower as a payee, an account named twice, amounts that do not add up to the payout, and a
second instruction. Since the PAYEES_CONFIRMED marker the instruction is entered, numbered,
and paid only once a second operations person confirms it by its number
(`confirm_payment_instruction`: neither its maker nor the submitter); its maker may replace it
until then. The ledger then books the payout to each counterparty once (key
`{workflow id}:disbursement:{n}`).
At or below the figure, or under a policy without one, the borrower is paid as before. A
project's drawdowns name their counterparty in the request (workflows/drawdowns.py). The
payout's record rides through post-loan continue-as-new in the carried journey (key
"entrusted").
"""

from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.actors import Actor, Role
    from journey.application import Product
    from journey.decisions import UpdateResult
    from journey.entrusted_payment import (
        OPERATIONS_TEAM,
        EntrustedPayout,
        PaymentConfirmation,
        PaymentInstruction,
        at_clock,
        instruction_refusal,
        paid_to,
    )
    from journey.policy import DecisionRefused, entrusted
    from journey.policy.authority import (
        authorize_payment_confirmation,
        authorize_payment_instruction,
    )
    from journey.post_loan_state import PostLoanCarry
    from journey.repayment import money
    from journey.stages import Stage
    from journey.status import Disbursement, JourneyStatus, StageVisit
    from workflows.payee_instructions import PayeeInstructions

# workflow.patched marker: before it, every fixed-asset and working-capital loan was paid to
# the borrower at once; since, one above the pinned policy's figure waits for operations'
# payment instruction and is paid to the counterparties.
ENTRUSTED_PAYOUT = "entrusted-payout"
# workflow.patched marker: before it, operations' payment instruction was paid at once; since,
# it is entered and paid once a second operations person confirms it (maker-checker).
PAYEES_CONFIRMED = "payee-four-eyes"
# workflow.patched marker: before it, the wait for the instruction was listed on operations'
# queue with no SLA (QueueWait); since, with the policy's instruction_sla.
INSTRUCTION_SLA_LISTED = "instruction-sla-listed"
CARRY_KEY = "entrusted"


class EntrustedPayoutStage(PayeeInstructions):
    def _entrusted_over(self) -> Decimal | None:
        """The pinned policy's figure the loan's payout is above (None: paid to the
        borrower)."""
        app = self._application
        over = self.policy.entrusted_over(app.product)
        return over if entrusted(app.amount, over) else None

    def _open_entrusted_payout(self) -> str | None:
        """As the disbursement opens: whether the payout is entrusted under the pinned policy,
        keeping an instruction operations recorded during the offer; the team it then waits
        on (none once instructed: the counterparties are paid at once)."""
        over = self._entrusted_over()
        if over is None or not workflow.patched(ENTRUSTED_PAYOUT):
            return None
        if self._entrusted is None:
            self._entrusted = EntrustedPayout(amount=self._application.amount, over=over)
        sla = self._instruction_sla()
        if sla is not None and workflow.patched(INSTRUCTION_SLA_LISTED):
            self.list_own_sla(Stage.DISBURSEMENT, sla)
        return OPERATIONS_TEAM

    async def _pay_counterparties(self, visit: StageVisit) -> Disbursement:
        """Wait for the payment instruction, under the policy's SLA, then book the payout to
        each counterparty once."""
        payout = self._entrusted
        assert payout is not None
        if payout.instruction is None:  # else recorded during the offer: nothing to wait for
            await self._await_instruction(visit, payout,
                                          f"{self._workflow_id}:payment-instruction")
        if payout.instruction is None:  # withdrawn before anything was paid
            raise self.withdrawn()
        product = self._application.product.value
        return await self._book_counterparties(
            payout, f"{self._workflow_id}:disbursement",
            f"{product} loan, entrusted payment (受托支付)", self.payout_value_on())

    # -- operations instruct -----------------------------------------------------------------

    @workflow.update
    async def record_payment_instruction(self, instruction: PaymentInstruction) -> UpdateResult:
        if self._entrusted is None:  # during the offer: kept for the disbursement
            over = self._entrusted_over()
            assert over is not None
            self._entrusted = EntrustedPayout(amount=self._application.amount, over=over)
        payout = self._entrusted
        if workflow.patched(PAYEES_CONFIRMED):
            return self._enter_instruction(payout, instruction)
        payout.instruction, payout.recorded_at = instruction, workflow.now()
        self.record_decision(instruction.actor, "payment instruction recorded",
                             paid_to(instruction.counterparties))
        if self._stage is Stage.OFFER:
            return UpdateResult(stage=self._stage, message=(
                f"{money(payout.amount)} will be paid to {paid_to(instruction.counterparties)} "
                "once the offer is signed"))
        result = await self._after_decision()
        paid = self._disbursement
        if paid is None:  # held on a booking conflict: the message says why
            return result
        return result.model_copy(update={"message": f"{money(paid.amount)} paid to {paid.payee}"})

    def _enter_instruction(self, payout: EntrustedPayout,
                           instruction: PaymentInstruction) -> UpdateResult:
        """The maker's instruction entered (replacing one not confirmed yet), awaiting its
        checker: nothing is paid until a second operations person confirms it."""
        replaced = payout.entered if payout.awaiting is not None else None
        payout.enter(instruction, workflow.now())
        number = payout.entered
        self.record_decision(instruction.actor, "payment instruction entered", (
            f"instruction {number}" + (f", replacing {replaced}" if replaced else "")
            + f": {paid_to(instruction.counterparties)}"))
        if self._stage is Stage.DISBURSEMENT:
            self._upsert()  # operations' queue: awaiting the confirmation now
        return UpdateResult(stage=self._stage, message=(
            f"payment instruction {number} entered"
            + (f" (replacing {replaced})" if replaced else "")
            + f": {money(payout.amount)} to {paid_to(instruction.counterparties)}; nothing is "
            "paid until a second operations person, not "
            f"{_who(instruction.actor.id, self._application.submitted_by)}, confirms it: "
            f"`loan-journey confirm-payees {self._workflow_id} --instruction {number} --as ...`"))

    @record_payment_instruction.validator
    def _validate_payment_instruction(self, instruction: PaymentInstruction) -> None:
        authorize_payment_instruction(self.policy, instruction.actor,
                                      self._application.submitted_by.id)
        payout = self._entrusted
        if payout is not None and payout.instruction is not None:
            raise DecisionRefused(f"{_paid_on(payout, self._bank_offset)}: the payout is "
                                  "paid to the counterparties it names, once (`status` shows "
                                  "them and their bookings)")
        awaiting = payout.awaiting if payout is not None else None
        if payout is not None and awaiting is not None \
                and awaiting.actor.id != instruction.actor.id:
            raise DecisionRefused(
                f"payment instruction {payout.entered}, entered by {awaiting.actor.id} at "
                f"{at_clock(payout.recorded_at, self._bank_offset)}, awaits its confirmation: only "
                f"its maker may replace it; check it against the contracts (`status`) and "
                f"confirm it with `confirm-payees --instruction {payout.entered}`, or ask "
                f"{awaiting.actor.id} to replace it")
        self._refuse_unless_instructable()
        paid = payout.amount if payout is not None else self._application.amount
        refusal = instruction_refusal(instruction, paid, self._application)
        if refusal is not None:
            raise DecisionRefused(refusal)

    def _refuse_unless_instructable(self) -> None:
        """Refused, unless the journey takes a payment instruction or its confirmation now:
        during the offer or at the disbursement of an entrusted payout, not being withdrawn."""
        waits = self._entrusted is not None and self._stage is Stage.DISBURSEMENT
        project = self._application.product is Product.PROJECT_FINANCE
        ahead = self._stage is Stage.OFFER and self._entrusted_over() is not None \
            and not project
        if not (waits or ahead):
            raise DecisionRefused(
                f"the journey is at {self._stage} and waits for no payment instruction: one is "
                + ("recorded for each drawdown to a counterparty once the risk team approved "
                   "it (`drawdown show` lists them)" if project else
                   "recorded during the offer or at the disbursement of a loan whose payout "
                   "is entrusted (受托支付)"))
        if self._withdrawal is not None:
            raise DecisionRefused("the loan is being withdrawn: nothing is paid out")

    # -- a second operations person confirms ------------------------------------------------

    @workflow.update
    async def confirm_payment_instruction(self, confirmation: PaymentConfirmation
                                          ) -> UpdateResult:
        payout = self._entrusted
        assert payout is not None and payout.awaiting is not None
        instruction = payout.confirm(confirmation.actor, workflow.now())
        self.record_decision(confirmation.actor, "payment instruction confirmed", (
            f"instruction {confirmation.instruction}, entered by {instruction.actor.id}: "
            f"{paid_to(instruction.counterparties)}"))
        if self._stage is Stage.OFFER:
            return UpdateResult(stage=self._stage, message=(
                f"instruction {confirmation.instruction} confirmed: {money(payout.amount)} will "
                f"be paid to {paid_to(instruction.counterparties)} once the offer is signed"))
        if payout.drawdown is not None:  # a project's drawdown: booked, the project draws on
            await workflow.wait_condition(
                lambda: bool(payout.bookings) or self.held_payout() is not None)
            return UpdateResult(stage=self._stage, message=self.held_payout() or (
                f"drawdown {payout.drawdown}: {money(payout.amount)} paid to "
                f"{paid_to(payout.payments)}"))
        result = await self._after_decision()
        paid = self._disbursement
        if paid is None:  # held on a booking conflict: the message says why
            return result
        return result.model_copy(update={"message": f"{money(paid.amount)} paid to "
                                                    f"{paid.payee}"})

    @confirm_payment_instruction.validator
    def _validate_confirmation(self, confirmation: PaymentConfirmation) -> None:
        payout = self._entrusted
        if payout is not None and payout.instruction is not None:
            raise DecisionRefused(f"{_paid_on(payout, self._bank_offset)}: there is nothing "
                                  "left to confirm")
        if payout is None or payout.awaiting is None:
            raise DecisionRefused(
                "no payment instruction awaits confirmation: one operations person enters it "
                "with `pay-to`, then a second confirms it by the number it is given")
        maker = payout.awaiting.actor.id
        authorize_payment_confirmation(self.policy, confirmation.actor, maker,
                                       self._application.submitted_by.id)
        if confirmation.instruction != payout.entered:
            raise DecisionRefused(
                f"instruction {confirmation.instruction} is not the one awaiting confirmation: "
                f"{maker} entered instruction {payout.entered} at "
                f"{at_clock(payout.recorded_at, self._bank_offset)}; check it against the "
                f"contracts (`status` shows whom it pays) and confirm {payout.entered} if it is "
                "right")
        self._refuse_unless_instructable()

    @property
    def _bank_offset(self) -> int | None:
        """The pinned calendar's hours from UTC: the bank's clock, which refusals and status
        tell moments on (none before intake pins one)."""
        return self._snapshot.calendar.utc_offset_hours if self._snapshot else None

    def _awaited_step(self) -> str | None:
        payout = self._entrusted
        if self._stage is Stage.DISBURSEMENT and payout is not None \
                and payout.awaiting is not None:
            return (f"confirmation of payment instruction {payout.entered} (entered by "
                    f"{payout.awaiting.actor.id}) by a second operations person")
        return super()._awaited_step()

    def _withdrawal_refusal(self) -> str | None:
        """A signed loan waiting for its payment instruction is not paid out yet: it may be
        withdrawn (the customer's instruction or the risk team's supervisor, as at the
        offer), say when the contracts behind it fall through."""
        payout = self._entrusted
        if self._stage is Stage.DISBURSEMENT and payout is not None \
                and payout.instruction is None and payout.drawdown is None:
            return None  # a project's drawdown in progress is not: workflows/drawdown_updates.py
        return super()._withdrawal_refusal()

    # -- status and continue-as-new --------------------------------------------------------

    @workflow.query
    def status(self) -> JourneyStatus:
        base = super().status()
        payout = self._entrusted
        if payout is None:
            return base
        update: dict[str, object] = {"entrusted": payout}
        if self._stage is Stage.DISBURSEMENT and payout.instruction is None:
            update["waiting_for"] = [payout.waiting_for(self._bank_offset)]
            if self._visits:  # the instruction's SLA, which arm_own_sla watches
                update["wait"] = self.wait_from(self._visits[-1].entered_at, self._stage,
                                                self._instruction_sla())
        return base.model_copy(update=update)

    def _carry(self) -> PostLoanCarry:
        carry = super()._carry()
        if self._entrusted is not None:
            carry.journey[CARRY_KEY] = self._entrusted.model_dump(mode="json")
        return carry

    def _restore(self, carry: PostLoanCarry) -> None:
        super()._restore(carry)
        if (kept := carry.journey.get(CARRY_KEY)) is not None:
            self._entrusted = EntrustedPayout.model_validate(kept)


def _who(maker: str, submitted_by: Actor) -> str:
    """Who of operations may not confirm an instruction: its maker, and the case's submitter
    when operations submitted it."""
    if submitted_by.role is not Role.OPERATIONS:
        return maker
    return f"{maker} nor the case's submitter {submitted_by.id}"


def _paid_on(payout: EntrustedPayout, bank_utc_offset: int | None) -> str:
    """Who entered the instruction the payout is paid on, when, and who confirmed it, on the
    bank's clock."""
    assert payout.instruction is not None
    confirmed = (f", confirmed by {payout.confirmed_by.id} at "
                 f"{at_clock(payout.confirmed_at, bank_utc_offset)}"
                 if payout.confirmed_by is not None else "")
    return (f"the payment instruction was recorded by {payout.instruction.actor.id} at "
            f"{at_clock(payout.recorded_at, bank_utc_offset)}{confirmed}")
