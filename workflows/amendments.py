"""A relationship manager's amendment of the amount or the term the customer asks for, while
the case is assessed (`amend_application`): customers change the amount while a corporate loan
is decided, and a new application under its own id would read, check and review the file
again. Only the case's own manager or operations amend it, only until the approval is decided,
and only to figures an application could `start` with (the pinned policy's least amount and
longest term for the product, the settlement account the payout then needs, an agreed rate's
band). The application's amount and term become the new ones; once the case is routed, who
must decide depends on the amount, so a case at risk review or approval goes back to routing
and its risk review is given again (a new attempt), the votes cast set aside, as a correction
of the figures sends it (workflows/reading_corrections.py); a case sent back to the customer
by a decider goes the same way once its file is complete (`back_to`).

A new amount is kept in the journey's line of the borrower's exposure (统一授信, the line sealed
again over it, store/exposure.py), which tells the borrower's other applications: their
routing and approvals count it, and `queue` and `list` show it. The update answers once the
line is kept; its keeping runs beside the rest of the amendment, which it does not hold up.

An amendment is checked and made in one step: the SDK runs an update's validator and then its
handler in one task, and the handler changes the application before it first waits, so an
update sent at the same moment is checked on what the amendment left (a second amendment, a
vote, an opinion: `_refuse_while_amending`). What does wait is the line's keeping, and until
it is done no other amendment is taken: two keeps side by side could land in either order.

No marker: old histories hold no amendment, and each path taken only through one (the waits
of risk review and approval woken by it, the line's keeping) changes nothing on any other; an
amendment refused while a line is kept never reaches the history (validators are not
replayed)."""

import asyncio

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.application import LoanApplication
    from journey.decisions import Amendment, UpdateResult, Verdict
    from journey.policy.authority import authorize_amendment, case_manager
    from journey.policy.errors import DecisionRefused
    from journey.pricing import agreed_on
    from journey.repayment import money
    from journey.settlement import settlement_refusal
    from journey.stages import Stage
    from journey.timeline import EventType
    from workflows import search_attributes as sa
    from workflows.exposure import keep_exposure
    from workflows.reading_corrections import ReadingCorrections

# where an amendment is taken: the file is read or checked, or a decider has it and has not
# decided; intake (the policy not pinned yet) and routing (its route read on the amount as
# it was) pass in a moment
_AMENDABLE = (Stage.DOCUMENTS, Stage.COMPLETENESS, Stage.RISK_REVIEW, Stage.APPROVAL)
_DECIDING = (Stage.RISK_REVIEW, Stage.APPROVAL)
AMENDED = "amended"  # the decision's verdict, and what `status` lists


def amended_application(app: LoanApplication, amendment: Amendment) -> LoanApplication:
    """`app` with the amendment's amount and term (those it gives)."""
    changes = {field: value for field, value in (("amount", amendment.amount),
                                                 ("term_months", amendment.term_months))
               if value is not None}
    return app.model_copy(update=changes)


def changes_in_words(was: LoanApplication, now: LoanApplication) -> str:
    """"amount 15,000,000 -> 12,000,000; term 12 -> 24 months", what changed."""
    said = []
    if now.amount != was.amount:
        said.append(f"amount {money(was.amount)} -> {money(now.amount)}")
    if now.term_months != was.term_months:
        said.append(f"term {was.term_months} -> {now.term_months} months")
    return "; ".join(said)


class Amendments(ReadingCorrections):
    @workflow.update
    async def amend_application(self, amendment: Amendment) -> UpdateResult:
        was = self._application
        self._application = amended_application(was, amendment)
        said = changes_in_words(was, self._application)
        self.record_decision(amendment.actor, AMENDED, f"{said} ({amendment.reason})")
        self.emit(EventType.TOUCHPOINT, actor=amendment.actor.id, channel=amendment.channel,
                  detail=f"application amended: {said}")
        if self._application.amount == was.amount:
            return await self._amended(said)
        # `list` and `queue` band it; the line, kept beside the rest, counts it
        workflow.upsert_search_attributes(
            [sa.AMOUNT_BAND.value_set(sa.amount_band(self._application.amount))])
        self._keeping_line = True  # no other amendment until it is kept (`_keep_line`)
        keeping = asyncio.create_task(self._keep_line(self._application))
        result = await self._amended(said)
        await keeping
        return result

    async def _keep_line(self, app: LoanApplication) -> None:
        """Keep `app`'s amount in the journey's line. Until it is kept no other amendment is
        taken (`_amendment_refusal`): each keep is an activity retried until the store takes
        it, and a second one beside it (a store answering slowly, a retry waiting) could write
        first, leaving the line at the amount amended before and the application at the
        new."""
        try:
            await keep_exposure(self._workflow_id, app, amended=True)
        finally:
            self._keeping_line = False

    async def _amended(self, said: str) -> UpdateResult:
        """The case moved on the amendment `said`: routed on it, now or once the file is
        complete."""
        if self._route is None:  # routed on it when the file is complete
            return UpdateResult(stage=self._stage, message=f"{AMENDED}: {said}")
        self._since_routed.append(f"{AMENDED}: {said}")  # routed again on it (`back_to`)
        self._amended_since_routed = True
        if self._stage not in _DECIDING:  # sent back to the customer: once the file is complete
            return UpdateResult(stage=self._stage, message=(
                f"{AMENDED}: {said}; once the file is complete the case is routed again on it "
                "and its risk opinion given again"))
        voted = self._stage is Stage.APPROVAL and any(
            v.verdict is not Verdict.REQUEST_INFO for v in self._votes)
        self._amending = True  # the stage's wait wakes: back to routing
        moved = await self._after_decision()
        if moved.stage.terminal:  # withdrawn in the same moment: nothing is routed again
            return moved.model_copy(update={
                "message": f"{AMENDED}: {said}; the journey then ended: {moved.stage}"})
        return moved.model_copy(update={"message": (
            f"{AMENDED}: {said}; the case is routed again on it and its risk opinion given "
            "again" + ("; the votes cast are set aside" if voted else ""))})

    @amend_application.validator
    def _validate_amend_application(self, amendment: Amendment) -> None:
        if (refusal := self._amendment_refusal()) is not None:
            raise DecisionRefused(refusal)
        authorize_amendment(self.policy, amendment.actor,
                            case_manager(self._application.submitted_by))
        new = amended_application(self._application, amendment)
        if not changes_in_words(self._application, new):
            raise DecisionRefused(
                f"the application asks for {money(new.amount)} over {new.term_months} months "
                "already: nothing to amend")
        if refusals := self._start_refusals(new):
            raise DecisionRefused(f"not amended: {'; '.join(refusals)}")

    def _start_refusals(self, app: LoanApplication) -> list[str]:
        """Why `app` could not start under the case's pinned policy, as `start` checks an
        application (starter/applications.py `start_journey`): its amount, its term, the
        settlement account its payout needs, an agreed rate's band (over the LPR fixing
        pinned with the policy; the offer holds it to the fixing of its day)."""
        policy = self.policy
        refusals = [why for why in (
            policy.amount_refusal(app), policy.term_refusal(app),
            settlement_refusal(app, policy.entrusted_over(app.product))) if why]
        if app.annual_rate is not None and (priced_out := policy.pricing.agreed_refusal(
                agreed_on(policy.pricing, app.annual_rate, app.term_months,
                          self._pinned().lpr))):
            refusals.append(priced_out)
        return refusals

    def _amendment_refusal(self) -> str | None:
        """Why the application cannot be amended now, or None: what to do instead."""
        stage = self._stage
        if stage.terminal:
            return f"the journey has ended ({stage}): a new application starts under its own id"
        if self._withdrawal is not None:
            return "the journey is being withdrawn"
        if stage in (Stage.INTAKE, Stage.ROUTING):
            return f"the journey is at {stage}: try again in a moment"
        if stage not in _AMENDABLE:
            return (f"the journey is at {stage} and the approval is decided: an approved "
                    "amount or term is not amended; withdraw the application "
                    "(`loan-journey withdraw`) and start a new one under its own id with the "
                    "new figures")
        if stage is Stage.APPROVAL and self._approval_settled():
            return ("the votes cast settle the approval: once approved, an approved amount or "
                    "term is not amended (withdraw the application and start a new one under "
                    "its own id); if the approval goes on (a request for information, votes "
                    "set aside), amend it then")
        if self._amending:
            return "an amendment is being applied: try again once the case is routed again"
        if self._keeping_line:
            return ("the amount amended last is being kept in the borrower's exposure: try "
                    "again once that amendment is answered")
        if stage is Stage.RISK_REVIEW and self._opinion is not None:
            return ("the risk opinion is recorded and the case moves on: try again at its "
                    "next stage")
        return None

    def take_amendment(self) -> bool:
        """Whether an amendment woke a deciding stage's wait (it goes back to routing); taken
        once."""
        amending, self._amending = self._amending, False
        return amending
