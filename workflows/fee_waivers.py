"""Project finance: the bank waives the commitment fee of a project that drew nothing (费用减免).

The update `waive_commitment_fee` (journey/fee_waiver.py): its validator refuses, before the
history, anyone but the supervisor of the loan's risk team, a journey that owes no such fee,
and a fee already waived; the handler records what it forgives (the fee and penalty interest
still owed that day) with who, when and why, and wakes the fee's collector
(workflows/drawdown_interest.py), which tells the customer and ends the journey as if the fee
were paid (marker `commitment-fee-waiver`).
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.decisions import UpdateResult
    from journey.fee_waiver import FeeWaiver, waived
    from journey.policy import DecisionRefused
    from journey.policy.authority import authorize_team_supervisor
    from journey.stages import Stage
    from journey.status import JourneyStatus
    from workflows.drawdown_interest import DrawdownInterest


class FeeWaivers(DrawdownInterest):
    @workflow.update
    async def waive_commitment_fee(self, waiver: FeeWaiver) -> UpdateResult:
        forgiven = waived(self._dd_fee_account(), waiver, workflow.now(), self.today())
        self._dd_fee_waived = forgiven
        self.record_decision(waiver.actor, "commitment fee waived", forgiven.text())
        self._changes += 1  # the fee's collector wakes and ends the journey
        await workflow.wait_condition(lambda: self._stage.terminal)
        return UpdateResult(stage=self._stage,
                            message=f"the commitment fee left: {forgiven.text()}")

    @waive_commitment_fee.validator
    def _validate_waive_commitment_fee(self, waiver: FeeWaiver) -> None:
        fees, commitment = self._dd_fees_due, self._dd_commitment
        if self._dd_fee_waived is not None:
            raise DecisionRefused(
                f"the commitment fee was waived by {self._dd_fee_waived.by} on "
                f"{self._dd_fee_waived.on}: nothing is left to waive")
        if self._stage is not Stage.DISBURSEMENT or fees is None or commitment is None:
            raise DecisionRefused(
                f"nothing to waive: the journey is at {self._stage} and owes no commitment fee "
                "of a project closed with nothing drawn (a waiver is for those only; a fee "
                "charged with a quarter's interest is paid with `repay`)")
        authorize_team_supervisor(
            self.policy, waiver.actor, self.route.team,
            f"a commitment fee is waived by the {self.route.team} supervisor, with a reason")
        if self._dd_fee_account().repaid:
            raise DecisionRefused(
                "nothing to waive: the commitment fee is paid, and the journey is ending")

    @workflow.query
    def status(self) -> JourneyStatus:
        base = super().status()
        if self._dd_fee_waived is None:
            return base
        return base.model_copy(update={"fee_waiver": self._dd_fee_waived})
