"""A loan classified on its risk team's judgement: the `classify_loan` update.

A risk officer or supervisor of the loan's risk team proposes a class with the reason; the
team's supervisor, not the proposer, confirms it by classifying it the same (four eyes). Each
is a decision; the confirmed class is taken by the post-loan loop (`_take_judgement`,
workflows/post_loan_monitoring.py), never better than the days past due and the last review
give, a downgrade with its early warning as any. Rules: journey/class_judgement.py.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.class_judgement import (
        ClassifyLoan,
        ClassProposal,
        check_classification,
        confirms,
        replaces,
    )
    from journey.classification import classify
    from journey.decisions import UpdateResult
    from journey.policy.authority import authorize_classification
    from workflows.post_loan_monitoring import LoanMonitoring


class ClassJudgements(LoanMonitoring):
    @workflow.update
    async def classify_loan(self, request: ClassifyLoan) -> UpdateResult:
        proposal, wanted = self._pl.class_proposal, request.risk_class
        named = f"{wanted} ({wanted.label_zh})"
        if proposal is not None and confirms(proposal, request):
            self._pl.class_proposal = None
            self._pl.judged = proposal.model_copy(update={"confirmed_by": request.actor.id})
            self.record_decision(request.actor, "classified",
                                 f"{named}, proposed by {proposal.by}: {proposal.reason}; "
                                 f"confirmed: {request.reason}")
            self._changes += 1
            return UpdateResult(stage=self._stage,
                                message=f"classified {named} on judgement: confirmed")
        replaced = (f", replacing your proposal of {proposal.risk_class} "
                    f"({proposal.risk_class.label_zh})" if replaces(proposal, request) else "")
        self._pl.class_proposal = ClassProposal(risk_class=wanted, reason=request.reason,
                                                by=request.actor.id, at=workflow.now())
        self.record_decision(request.actor, "class_proposed", f"{named}: {request.reason}")
        return UpdateResult(
            stage=self._stage,
            message=f"{named} proposed{replaced}: it takes effect once the {self._risk_team()} "
                    f"supervisor confirms it (`loan-journey classify {self._workflow_id} "
                    f"--class {wanted} --reason WHY --as SUPERVISOR`)")

    @classify_loan.validator
    def _validate_classification(self, request: ClassifyLoan) -> None:
        self._require_managed()
        proposal = self._pl.class_proposal
        authorize_classification(self.policy, request.actor, self._risk_team(),
                                 confirms(proposal, request))
        dpd = self._class_account().days_past_due(self.today())
        floor = classify(dpd, self._pl.assessed)
        judged = "the last review assessed" if self._pl.last_review else "it is judged"
        check_classification(
            self._pl.risk_class, floor, proposal, request,
            f"{dpd} days past due (floor {classify(dpd).label_zh}) and {judged} "
            f"{self._pl.assessed.label_zh}", self._risk_team())
