"""How people act on a running journey: updates with validators, and the status query.

A validator raises to refuse: the refused update never reaches the history. A handler only
records state; the stage methods of LoanJourneyWorkflow wait on that state, so an update
that arrives while the workflow is busy is never lost.
"""

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import loan_file
    from journey.actors import Actor
    from journey.contracts import PolicySnapshot
    from journey.decisions import (
        AddDocuments,
        ApprovalDecision,
        DecisionRecord,
        Reassignment,
        Repayment,
        RiskGrade,
        RiskOpinion,
        Signature,
        UpdateResult,
        Verdict,
        Withdrawal,
        says_why,
    )
    from journey.documents import DocumentReading, DocumentRef
    from journey.exposure import ExposureLine
    from journey.info_request import (
        OpenRequest,
        refuse_unasked,
        refuse_unended_periods,
        still_awaited,
        vote_suspended,
    )
    from journey.policy import (
        ApprovalTier,
        Completeness,
        DecisionRefused,
        NotOpenYet,
        Policy,
        Route,
        WorkingCalendar,
        authorize_approval,
        authorize_reassign,
        authorize_risk_opinion,
    )
    from journey.policy.authority import (
        approval_settled,
        authorize_cancellation,
        authorize_case_front_office,
        case_manager,
        eligible,
        require_customer,
        short_of_voters,
        voters,
    )
    from journey.policy.staff import StaffMember
    from journey.post_loan_covenants import CovenantCheck
    from journey.post_loan_review import covenants_on_file
    from journey.pricing import offer_terms
    from journey.repayment import add_months, money
    from journey.signatories import borrowers_licence, refuse_signatory, refuse_unevidenced
    from journey.stages import Stage
    from journey.status import Disbursement, JourneyStatus, Offer, StageVisit
    from journey.timeline import EventType
    from workflows.bookkeeping import Bookkeeping

_DOCUMENT_STAGES = {Stage.INTAKE, Stage.DOCUMENTS, Stage.COMPLETENESS}
# workflow.patched marker: before it, a document sent again was ignored, so a licence re-sent
# after a wrong one had replaced it never stood again.
RESENT_DOCUMENTS_STAND = "resent-documents-stand"
# workflow.patched marker: before it, a statement of another company superseded the
# borrower's of its period in the loan file; since, the borrower's own stands before it.
BORROWERS_STATEMENTS_STAND = "borrowers-statements-stand"
# workflow.patched marker: before it, a statement naming a company a character off the
# borrower's, read with confidence 0.6 or more, was another company's (counted nowhere, the
# borrower's own asked for); since, it is the borrower's misread, held for people to check
# (journey.policy.completeness.unsure_company).
NEAR_NAMES_HELD = "near-names-held"
# workflow.patched marker: before it, an N-of-M approval was decided against once the
# approvals could no longer reach N counting every approver at the tier; since, counting only
# those whose limit covers the case (`eligible`): the others could never cast a counting vote.
ELIGIBLE_SETTLE = "eligible-settle"
# workflow.patched marker: before it, an unreadable document dropped out of the loan file once
# anything came after it, and another company's licence superseded the borrower's; since, a
# supporting document (a letter, a contract) stands beside the others, an unreadable one until
# a file of its name comes, and a licence of another company never supersedes the borrower's
# (journey/loan_file.py `kept`). Taken as a journey starts, carried when it continues as new.
DOCUMENTS_KEPT = "documents-kept"
# workflow.patched marker: before it, a statement whose period could not be read stood beside
# its legible rescan (another period's slot), so the file asked for its period until it
# expired; since, the rescan replaces it (journey/loan_file.py `rescans`). Taken as the file is
# checked with such a rescan in it (`take_rescans`), carried when the journey continues as new.
PERIOD_RESCANS = "period-rescans"


class JourneyUpdates(Bookkeeping):
    def _init_updates(self) -> None:
        self._added: list[DocumentRef] = []
        self._batch_of: dict[str, int] = {d.sha256: 0 for d in self._application.documents}
        self._requested: str | None = None
        self._requested_until: datetime | None = None  # the application expires then
        self._opinion: RiskOpinion | None = None
        self._reviewed_by: str | None = None
        self._votes: list[ApprovalDecision] = []
        # what the authority check found acting on the last vote that would settle the
        # approval (workflows/exposure_now.py), and why each vote set aside, by approver
        self._checked: list[DecisionRecord] = []
        self._set_aside: dict[str, str] = {}
        # the borrower's new applications that told of themselves (the signal EXPOSURE_ROSE)
        # since the exposure was last read: it is read again as the approval would settle
        self._told: list[ExposureLine] = []
        # whether one did, which an EXPOSURE_FELL does not undo (workflows/exposure_now.py)
        self._rose = False
        # those that told they ended (EXPOSURE_FELL): one told of after it is not said to stand
        self._fell: set[str] = set()
        self._n_of_m = False  # a committee decides N of M (set as approval opens)
        self._of_eligible = False  # ... of those eligible (ELIGIBLE_SETTLE, set with it)
        self._rated: list[str] = []  # scores given, one per stage visit and kind (rating_key)
        # the intake visit whose feedback request waits until applying is over (touchpoints)
        self._applying: StageVisit | None = None
        # surveys due, oldest first, each asked at a quiet stage exit a day after the last
        # survey (surveyed_at); the touchpoints surveyed or queued, once each (touchpoints)
        self._surveys_due: list[StageVisit] = []
        self._surveyed: list[str] = []
        self._surveyed_at: datetime | None = None
        self._signature: Signature | None = None
        self._repayments: dict[str, Repayment] = {}
        self._readings: dict[str, DocumentReading] = {}
        self._completeness: Completeness | None = None
        self._route: Route | None = None
        self._offer: Offer | None = None
        self._disbursement: Disbursement | None = None
        self._outcome_reason: str | None = None
        self._borrowers_first = False  # the borrower's statements stand first (set by run)
        self._documents_kept = False  # the loan file's rules since DOCUMENTS_KEPT (set by run)
        self._near_names_held = False  # ... and since NEAR_NAMES_HELD (set by run)
        self._rescans = False  # ... and since PERIOD_RESCANS (set by `take_rescans`)
        self._sent_again: dict[str, int] = {}  # documents sent again, by the batch they came in
        # the batches (after, up to) in which a written answer met a question (loan_file)
        self._answered: list[tuple[int, int]] = []
        self._info_request: OpenRequest | None = None  # a decider's, until it is met
        self._answers = 0  # written answers to deciders' questions (workflows/info_requests)
        self._read_up_to = 0  # the batches of documents that had come when the file was read
        self._corrections = 0  # clerks' corrections of readings (workflows/reading_corrections)
        self._corrections_checked = 0  # ... of them when the file was last checked
        self._since_routed: list[str] = []  # ... of figures since the case was routed, in words
        # an amendment of the application since then (workflows/amendments.py), and one that
        # woke a deciding stage's wait, to go back to routing
        self._amended_since_routed = False
        self._amending = False
        self._keeping_line = False  # ... and one whose new amount its line is being kept at
        # the documents stage holds for operations to check unsure figures (FIGURES_CHECKED)
        self._checking_figures = False
        # ... which waits for the file to be complete (ASK_BEFORE_FIGURES_CHECK)
        self._figures_wait = False
        # what the customer was asked this round, and the (batches, answers) then (to_tell)
        self._asked: list[str] | None = None
        self._asked_at = (0, 0)

    # -- what the stages read ------------------------------------------------------------

    @property
    def policy(self) -> Policy:
        return self._pinned().policy

    @property
    def calendar(self) -> WorkingCalendar:
        return self._pinned().calendar

    @property
    def route(self) -> Route:
        if self._route is None:
            raise DecisionRefused("the case is not routed yet: wait for the routing stage")
        return self._route

    def _pinned(self) -> PolicySnapshot:
        if self._snapshot is None:
            raise NotOpenYet("the journey is still opening: try again in a moment")
        return self._snapshot

    def all_documents(self) -> list[DocumentRef]:
        return [*self._application.documents, *self._added]

    def unread_documents(self) -> list[DocumentRef]:
        """Documents taken and not read yet."""
        return [d for d in self.all_documents() if d.sha256 not in self._readings]

    def loan_file(self, readings: list[DocumentReading] | None = None) -> list[DocumentReading]:
        """The readings that stand (of `readings`, by default the journey's): superseded and
        answered unreadable ones drop out."""
        borrower = self._application.applicant_name if self._borrowers_first else None
        if readings is None:
            readings = list(self._readings.values())
        return loan_file.current(readings, self._batch_of, borrower,
                                 kept=self._documents_kept, answered=self._answered,
                                 rescans=self._rescans, near_names_held=self._near_names_held)

    def take_rescans(self) -> None:
        """Take the marker PERIOD_RESCANS once a rescan would replace a statement of an
        illegible period: workflow code only (validators and queries read the flag)."""
        readings = list(self._readings.values())
        borrower = self._application.applicant_name if self._borrowers_first else None
        if not self._rescans and any(
                loan_file.rescanned(r, readings, self._batch_of, borrower, self._documents_kept,
                                    self._near_names_held)
                for r in readings):
            self._rescans = workflow.patched(PERIOD_RESCANS)

    def awaited(self, *, customer: bool = False) -> list[str]:
        """What the open request for information still waits for: none once it is met. In
        words for operations, or with `customer` for the customer."""
        if self._info_request is None:
            return []
        return still_awaited(self._info_request, self.loan_file(), self._batch_of,
                             self._application.applicant_name, customer=customer,
                             near_names_held=self._near_names_held)

    def _approval_settled(self) -> bool:
        verdicts, needed = [v.verdict for v in self._votes], self.route.approvals_required
        if not self._n_of_m:  # before it, any vote against decided a committee's case
            return any(v is not Verdict.APPROVE for v in verdicts) or len(verdicts) >= needed
        deciding = self._eligible() if self._of_eligible else self._voters()
        return approval_settled(verdicts, needed, len(deciding))

    def _out_of_reach(self) -> bool:
        """Since ELIGIBLE_SETTLE: the votes that stand settle the case, and not with N
        approvals: the eligible can no longer reach N, whatever the last vote was (votes kept
        after a re-route, some set aside, may end on an approval)."""
        verdicts = [v.verdict for v in self._votes]
        return (self._of_eligible and Verdict.REQUEST_INFO not in verdicts
                and verdicts.count(Verdict.APPROVE) < self.route.approvals_required)

    def _voters(self) -> list[StaffMember]:
        return voters(self.policy, self.route, self._application.submitted_by.id,
                      self._reviewed_by)

    def _eligible(self) -> list[StaffMember]:
        """The case's voters whose approval would count (`eligible`)."""
        return eligible(self.policy, self.route, self._voters(), self._application.amount)

    # -- updates -------------------------------------------------------------------------

    def take_documents(self, request: AddDocuments, what: str) -> str:
        """Keep the documents as one new batch, as a touchpoint; what was taken, in words.
        A document seen before joins the batch too (since the marker): sent again, it
        stands again, as the licence a customer re-sends after sending a wrong one."""
        known = {d.sha256 for d in self.all_documents()}
        fresh = [d for d in request.documents if d.sha256 not in known]
        again = ([d for d in request.documents if d.sha256 in known]
                 if workflow.patched(RESENT_DOCUMENTS_STAND) else [])
        self._added.extend(fresh)
        batch = max(self._batch_of.values(), default=0) + 1
        self._batch_of.update({d.sha256: batch for d in [*fresh, *again]})
        self._sent_again.update({d.sha256: batch for d in again})
        taken = f"{len(fresh)} new document(s)" + (
            f", {len(again)} sent before and standing again" if again else "")
        self.emit(EventType.TOUCHPOINT, actor=request.actor.id, channel=request.channel,
                  detail=f"{what} added: {len(fresh)}"
                  + (f", {len(again)} sent again" if again else ""))
        return taken

    def submissions(self) -> int:
        """How many batches of documents have come: a new one is something to look at."""
        return max(self._batch_of.values(), default=0)

    @workflow.update
    async def add_documents(self, request: AddDocuments) -> UpdateResult:
        return UpdateResult(stage=self._stage,
                            message=self.take_documents(request, "documents"))

    @add_documents.validator
    def _validate_add_documents(self, request: AddDocuments) -> None:
        if self._stage not in _DOCUMENT_STAGES:
            raise DecisionRefused(
                f"documents are taken at intake, documents and completeness; the journey is at "
                f"{self._stage}: ask for more information through the deciding stage instead"
            )
        self._authorize_customer_side(request.actor, "send documents")

    @workflow.update
    async def record_risk_opinion(self, opinion: RiskOpinion) -> UpdateResult:
        self._opinion = opinion
        self.record_decision(opinion.actor, opinion.verdict.value, opinion.reason, opinion.grade,
                             opinion.category)
        return await self._after_decision()

    @record_risk_opinion.validator
    def _validate_risk_opinion(self, opinion: RiskOpinion) -> None:
        self._require_stage(Stage.RISK_REVIEW)
        self._refuse_while_amending()
        if self._opinion is not None:
            raise DecisionRefused("an opinion is already recorded for this review")
        authorize_risk_opinion(
            self.policy,
            self.route,
            opinion.actor,
            self._application.submitted_by.id,
            self.assignee(),
        )
        self._refuse_unanswerable(opinion)

    @workflow.update
    async def decide(self, decision: ApprovalDecision) -> UpdateResult:
        self._votes.append(decision)
        self.record_decision(decision.actor, decision.verdict.value, decision.reason,
                             category=decision.category)
        self._checked, tier = [], self.route.tier
        if not self._approval_settled():
            return UpdateResult(stage=self._stage, message=_answer(
                f"vote recorded: {self._tally()}",
                self._approved_despite(decision, "voted to approve with")))
        settled = await self._after_decision()
        said = settled.model_copy(update={"decided": self._checked})
        if settled.stage is Stage.APPROVAL:  # it would have settled, not on the exposure now
            return said.model_copy(update={"message": self._vote_on(decision, tier),
                                           "counted": decision.actor.id not in self._set_aside})
        approved = settled.stage is Stage.OFFER
        return said.model_copy(update={"message": _answer(
            settled.message, self._approved_despite(decision, "approved with") if approved
            else "")})

    def _vote_on(self, decision: ApprovalDecision, tier: ApprovalTier) -> str:
        """The answer to an approval that would have settled the case at `tier`, had the
        borrower's exposure read then not re-routed it or set votes aside: whether the vote
        counts and why not, on which figures, and who must vote now."""
        route, own = self.route, self._set_aside.get(decision.actor.id)
        others = "; ".join(why for who, why in self._set_aside.items()
                           if who != decision.actor.id)
        why = (f"the case was re-routed by credit-authority on the borrower's exposure read "
               f"as the approval would settle: {route.why_tier()}" if route.tier is not tier
               else f"the borrower's exposure read as the approval would settle: "
               f"{route.why_tier()}")
        vote = f"not counted: {own}" if own else "your vote counts"
        return _answer(vote, why, f"set aside: {others}" if others else "",
                       f"the case is not approved: {route.approvals_required} approval(s) at "
                       f"tier {route.tier} are needed, and who may vote now: {self._tally()}")

    def _approved_despite(self, decision: ApprovalDecision, what: str) -> str:
        """What an approving vote approves as an exception, for its answer: `what` ("approved
        with", when it approved the case) the covenants the loan would carry that the file's
        statements already breach, or "" (none, or not an approval)."""
        if decision.verdict is not Verdict.APPROVE or not (breached := self._breached_on_file()):
            return ""
        return f"{what} covenant(s) already breached: {'; '.join(breached)}"

    def _breached_on_file(self) -> list[str]:
        """Each covenant the loan would carry that the file already breaches, with the figure
        and the limit (`_covenants_on_file`)."""
        return [c.detail for c in self._covenants_on_file(self.loan_file()) if c.breached]

    @decide.validator
    def _validate_decide(self, decision: ApprovalDecision) -> None:
        self._refuse_suspended_vote()
        self._require_stage(Stage.APPROVAL)
        self._refuse_while_amending()
        if self._approval_settled():
            raise DecisionRefused("the approval is already decided")
        authorize_approval(
            self.policy,
            self.route,
            decision.actor,
            self._application.amount,
            self._application.submitted_by.id,
            self._reviewed_by,
            [v.actor.id for v in self._votes],
        )
        self._refuse_unanswerable(decision)
        if decision.verdict is Verdict.APPROVE and not says_why(decision.reason) and (
                breached := self._breached_on_file()):
            raise DecisionRefused(
                f"the file's statements already breach covenant(s) this loan would carry "
                f"({'; '.join(breached)}): approving it is an exception; give its reason, "
                "what makes the breach acceptable (at least ten letters or four Chinese "
                "characters)")

    @workflow.update
    async def sign(self, signature: Signature) -> UpdateResult:
        self._signature = signature
        # who signed and the evidence: "" for the signatures recorded before they were named
        self.record_decision(signature.actor, "signed", signature.signed_by())
        self.emit(EventType.TOUCHPOINT, actor=signature.actor.id, channel=signature.channel,
                  detail="offer signed")
        return await self._after_decision()

    @sign.validator
    def _validate_sign(self, signature: Signature) -> None:
        self._require_stage(Stage.OFFER)
        self._require_customer(signature.actor)
        refuse_unevidenced(signature)
        app = self._application
        refuse_signatory(signature, borrowers_licence(self.loan_file(), app.credit_code,
                                                      app.applicant_name))

    @workflow.update
    async def withdraw(self, withdrawal: Withdrawal) -> UpdateResult:
        self._withdrawal = withdrawal
        self.record_decision(withdrawal.actor, "withdrawn", withdrawal.reason)
        # the journey ends, or (a project that has drawn) its drawdowns close and it runs on
        await workflow.wait_condition(
            lambda: self._stage.terminal or self._withdrawal is not withdrawal
        )
        return UpdateResult(stage=self._stage, message=self._withdrawn(withdrawal))

    def _withdrawn(self, withdrawal: Withdrawal) -> str:
        """What a withdrawal did, for the one who asked."""
        return withdrawal.reason

    def _withdrawal_refusal(self) -> str | None:
        """Why the journey cannot be withdrawn now, or None."""
        if self._stage.before_disbursement:
            return None
        return (f"the journey is at {self._stage}: a loan can be withdrawn only before "
                "disbursement; after it, repay or ask for early settlement")

    @withdraw.validator
    def _validate_withdraw(self, withdrawal: Withdrawal) -> None:
        if (refusal := self._withdrawal_refusal()) is not None:
            raise DecisionRefused(refusal)
        if self._withdrawal is not None:
            raise DecisionRefused("the journey is already being withdrawn")
        if self._signature is None:
            authorize_case_front_office(self.policy, withdrawal.actor,
                                        self._application.credit_code,
                                        case_manager(self._application.submitted_by),
                                        "withdraw the application")
        else:  # a signed commitment: the customer's instruction or a supervisor's decision
            authorize_cancellation(self.policy, withdrawal.actor,
                                   self._application.credit_code, self.route.team)

    @workflow.update
    async def reassign(self, request: Reassignment) -> UpdateResult:
        await self.assigned(request.to)
        self.record_decision(request.actor, "reassigned", f"to {request.to}: {request.reason}")
        return UpdateResult(stage=self._stage, message=f"assigned to {request.to}")

    @reassign.validator
    def _validate_reassign(self, request: Reassignment) -> None:
        self._require_stage(Stage.RISK_REVIEW)
        authorize_reassign(self.policy, self.route, request.actor, request.to)
        if request.to == self.assignee():
            raise DecisionRefused(f"the risk review is assigned to {request.to!r} already")

    # record_repayment and the other post-loan updates: workflows/post_loan_handlers.py

    # -- the query -------------------------------------------------------------------------

    @workflow.query
    def status(self) -> JourneyStatus:
        on_file = self.loan_file()
        return JourneyStatus(
            workflow_id=self._workflow_id,
            application_id=self._application.application_id,
            customer=self._application.credit_code,
            relationship_manager=case_manager(self._application.submitted_by),
            submitted_by=self._application.submitted_by,
            reviewed_by=self._reviewed_by,
            voted=[v.actor.id for v in self._votes],
            product=self._application.product,
            applicant=self._application.applicant_name,
            amount=self._application.amount,
            term_months=self._application.term_months,
            stage=self._stage,
            attempt=self._attempts.get(self._stage, 1),
            waits_on=self._waits_on,
            waiting_for=self._waiting_for(),
            team=self._team,
            assigned_to=self.assignee(),
            sla_state="-" if self._stage.terminal else self._sla_state,  # ended before the
            # terminal upsert cleared it (workflows/bookkeeping.py SLA_CLEARED_AT_END): no SLA runs
            wait=None if self._stage.terminal else self.listed_wait(),  # as `queue` lists it
            policy_version=self._snapshot.policy.version if self._snapshot else None,
            policy_sha256=self._snapshot.sha256 if self._snapshot else None,
            route=self._route,
            completeness=self._completeness,
            readings=list(self._readings.values()),
            standing=[r.ref.sha256 for r in on_file],
            received=self.unread_documents(),
            awaited=self.awaited(),
            asked=self._info_request.question if self._info_request is not None else None,
            not_the_borrowers=loan_file.not_the_borrowers(
                list(self._readings.values()), on_file, self._application.applicant_name,
                kept=self._documents_kept, near_names_held=self._near_names_held),
            decisions=self._decisions,
            timeline=self._visits,
            events=self._events,
            offer=self._offer,
            disbursement=self._disbursement,
            outcome_reason=self._outcome_reason,
            bank_utc_offset=self._snapshot.calendar.utc_offset_hours if self._snapshot else None,
            covenants_on_file=self._covenants_on_file(on_file),
            cautions=self._cautions(on_file),
            exposure_told=self._exposure_told(),
        )

    def _exposure_told(self) -> str:
        """What the borrower's other applications told since the exposure was read (a new
        application, or one the read had whose amount was amended since), and whose votes it
        may set aside when it is read again as the approval settles, or "". Said by the status
        query alone: no marker."""
        route = self._route
        if (route is None or route.exposure is None or self._snapshot is None
                or self._offer is not None or self._stage.terminal):  # approved, or ended
            return ""
        read = route.exposure
        had = {o.workflow_id: o for o in read.others}
        # an amendment's keep may tell of its line after its journey told it ended
        told = [t for t in self._told if t.workflow_id not in self._fell]
        new = [t for t in told if t.workflow_id not in had]
        # only an amendment tells again of a line the read had, at another amount
        amended = {t.workflow_id: t for t in told
                   if t.workflow_id in had and t.amount != had[t.workflow_id].amount}
        if not new and not amended:
            return ""
        known = read.model_copy(update={"others": [
            *(amended.get(o.workflow_id, o) for o in read.others), *new]})
        counting = eligible(self.policy, route.model_copy(update={"exposure": known}),
                            self._voters(), self._application.amount)
        below = [m.id for m in self._eligible() if m not in counting]
        since = f"since the exposure was read (CNY {money(read.total)})"
        lines = ", ".join(f"{t.workflow_id}, {money(t.amount)}" for t in new)
        said = [f"a new application of this borrower ({lines}) came {since}"] if new else []
        said += [f"application {wf} amended: amount {money(had[wf].amount)} -> "
                 f"{money(t.amount)}" for wf, t in amended.items()]
        if amended:
            said[-1] += "" if new else f" {since}"
            said.append(f"the borrower's exposure now counts CNY {money(known.total)}")
        return ("; ".join(said) + ": the exposure is read again when the approval settles; "
                f"approvers whose limit is below CNY {money(known.total)} may have their votes "
                "set aside" + (f" ({', '.join(below)})" if below else ""))

    def _cautions(self, loan_file: list[DocumentReading]) -> list[str]:
        """What approvers should see that no rule refuses, once the case is graded and until
        the payout: a rate agreed below the policy's price for the grade, a business licence
        whose term ends before the loan would."""
        app, grade = self._application, self._grade()
        if grade is None or self._snapshot is None or self._disbursement is not None:
            return []
        cautions = []
        if app.annual_rate is not None and (gap := self.policy.pricing.agreed_gap(
                app.annual_rate, app.term_months, int(grade.value) - 1, app.product)):
            cautions.append(gap)
        ends = add_months(self.calendar.day_of(workflow.now()), app.term_months)
        cautions += [f"the business licence's term ends on {r.license.valid_until}, before "
                     f"the loan would ({ends}): ask how it will be renewed"
                     for r in loan_file
                     if r.license and r.license.valid_until and r.license.valid_until < ends]
        return cautions

    def _grade(self) -> RiskGrade | None:
        """The obligor's grade, once the risk team has graded it (a request for information
        may leave it out)."""
        return self._opinion.grade if self._opinion is not None else None

    def _covenants_on_file(self, loan_file: list[DocumentReading]) -> list[CovenantCheck]:
        """Until the payout, once graded: the loan's covenants (the offer's, or those its
        grade would give) tested on the file it is decided on, so that approvers and the
        offer see a covenant the borrower breaches on day one."""
        if self._disbursement is not None:
            return []
        return self._covenants_tested(loan_file)

    def _covenants_tested(self, loan_file: list[DocumentReading], to_the_end: bool = True
                          ) -> list[CovenantCheck]:
        """The loan's covenants (the offer's, or those its grade would give) tested on
        `loan_file`, once graded: before the payout what approvers see, at the payout the
        breaches the running loan carries as early warnings (`to_the_end`: the DSCR's debt
        service as journey/post_loan_dscr.py counts it, or before its marker)."""
        grade = self._grade()
        if grade is None or self._pl_policy is None:
            return []
        offer = self._offer
        if offer is None or offer.covenants is None:
            offer = offer_terms(self._application, grade, workflow.now().date(),
                                self._pl_policy, self.policy.pricing)
        _, _, checks = covenants_on_file(offer.covenants or [], loan_file,
                                         offer.schedule, offer.starts_on, to_the_end)
        return checks

    def stage_awaits(self) -> tuple[str, str | None]:
        """What the stage waits for, for its SLA's reminders and a customer's inquiry: what
        the customer was asked for (their words) and until when, the offer's signature and
        its expiry, or what a stage of the bank waits for (staff words)."""
        stage, until = self._stage, self._requested_until
        if stage is Stage.COMPLETENESS:
            return self._requested or "", self.calendar.moment_text(until) if until else None
        if stage is Stage.OFFER and self._offer is not None:
            return "", self.calendar.moment_text(self._offer.expires_at)
        return "; ".join(self._waiting_for()), None

    def _waiting_for(self) -> list[str]:
        stage = self._stage
        if stage is Stage.COMPLETENESS and self._requested:
            until = self._requested_until
            by = (f" before {self.calendar.moment_text(until)}, when the application expires"
                  if until else "")
            return [f"customer supplements{by}: {self._requested}"]
        if stage is Stage.RISK_REVIEW:
            return [f"risk opinion from {self.assignee() or 'team ' + str(self._team)}"]
        if stage is Stage.APPROVAL and self._route is not None:
            return [f"approvals at tier {self.route.tier}: {self._tally()}"]
        if stage is Stage.OFFER:
            return ["customer signature"]
        return []

    def _against(self, last: ApprovalDecision) -> str:
        """Why the case was rejected: the last vote's reason, or a committee's every one."""
        if not self._n_of_m or self.route.approvals_required == 1:
            return last.reason
        return "; ".join(f"{v.actor.id}: {v.reason}" for v in self._votes
                         if v.verdict is Verdict.REJECT)

    def _tally(self) -> str:
        """The committee's votes so far, for people: who is eligible and has not voted, and
        whom a limit below the case keeps from it."""
        verdicts, needed = [v.verdict for v in self._votes], self.route.approvals_required
        approvals, against = verdicts.count(Verdict.APPROVE), verdicts.count(Verdict.REJECT)
        cast, members = {v.actor.id for v in self._votes}, self._eligible()
        left = [m.id for m in members if m.id not in cast]
        below = [m.id for m in self._voters() if m not in members]
        return _answer(
            f"{approvals} of {needed} approval(s), {against} against; {len(left)} eligible "
            "approver(s) have not voted" + (f" ({', '.join(left)})" if left else ""),
            f"not eligible, their limit below the case: {', '.join(below)}" if below else "",
            short_of_voters(needed, members))

    # -- shared checks and waits -----------------------------------------------------------

    def _require_stage(self, stage: Stage) -> None:
        if self._stage is not stage:
            raise DecisionRefused(f"the journey is at {self._stage}, not {stage}: nothing to do")

    def _refuse_while_amending(self) -> None:
        """A decision on the application as it was, once an amendment sends the case back to
        routing (workflows/amendments.py): it is decided again on the new figures."""
        if self._amending:
            raise DecisionRefused("the application was just amended: the case is routed again "
                                  "and its risk opinion given again on the new figures")

    def _refuse_suspended_vote(self) -> None:
        """A vote cast while an approver's request for information is open waits for what
        was asked (a committee does not decide on a file it finds incomplete): say so."""
        asked = self._info_request
        if asked is None or asked.stage is not Stage.APPROVAL or self._stage not in (
                Stage.COMPLETENESS, Stage.DOCUMENTS):  # what came is read at documents
            return
        asker = next((v.actor.id for v in reversed(self._votes)
                      if v.verdict is Verdict.REQUEST_INFO), "an approver")
        committee = self.policy.authority.tier(self.route.tier).committee
        cast = [v.actor.id for v in self._votes if v.verdict is not Verdict.REQUEST_INFO]
        raise DecisionRefused(vote_suspended(asker, self.awaited(),
                                             "the committee" if committee else "approval", cast))

    def _refuse_unanswerable(self, decision: RiskOpinion | ApprovalDecision) -> None:
        """A request for information without a question for the customer, or for the
        statements of a period not ended by the bank's today, which could never be met:
        refused before it reaches the history."""
        refuse_unasked(decision.verdict, decision.question)
        refuse_unended_periods(decision.asks, self.calendar.day_of(workflow.now()))

    def _require_customer(self, actor: Actor) -> None:
        require_customer(actor, self._application.credit_code)

    def _authorize_customer_side(self, actor: Actor, what: str) -> None:
        """The customer, operations, or the case's own relationship manager may `what`
        (another manager acting for a customer not theirs is refused)."""
        authorize_case_front_office(self.policy, actor, self._application.credit_code,
                                    case_manager(self._application.submitted_by), what)

    async def _after_decision(self) -> UpdateResult:
        """Return once the workflow has acted on the decision: the stage has moved on, or its
        payout is held (`held_payout`: the message says why)."""
        visits = len(self._visits)
        await workflow.wait_condition(
            lambda: len(self._visits) > visits or self.held_payout() is not None)
        return UpdateResult(stage=self._stage, message=self.held_payout() or "")

    def held_payout(self) -> str | None:
        """Why a payout of the journey is held for operations, or None (workflows/bookings.py)."""
        return None


def _answer(*parts: str) -> str:
    """An update's answer: its parts that say something, in order."""
    return "; ".join(p for p in parts if p)
