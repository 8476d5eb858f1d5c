"""LoanJourneyWorkflow: one durable journey per loan application.

`run` reads like the stage table of shared/DESIGN.md: one call per stage, in order.
Each stage is a short method; bookkeeping (entry, exit, SLA timers, search attributes,
timing events) lives in `Bookkeeping.stage`, people act through the updates of
`JourneyUpdates`, whose validators refuse bad or unauthorised input before it reaches
the history.
"""

import asyncio
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import contracts
    from journey.application import Product
    from journey.contracts import (
        BookingInput,
        CompletenessInput,
        LoadPolicyInput,
        PolicySnapshot,
        RouteInput,
    )
    from journey.decisions import ApprovalDecision, RiskGrade, Verdict
    from journey.decline_reasons import customer_words, declined_for, stated
    from journey.documents import FinancialStatement, ReadStatus
    from journey.end_notices import declined_at, end_notice, not_done_by, rate_outside_band
    from journey.offer_notice import offer_notice
    from journey.payout_notice import payout_notice
    from journey.policy import Completeness, Route, check_completeness, expiry_at
    from journey.post_loan_covenants import CovenantCheck
    from journey.post_loan_review import statements_read
    from journey.pricing import offer_terms
    from journey.stages import Party, Stage
    from journey.status import Disbursement, JourneyInput, JourneyResult, Offer
    from journey.supplement_notices import (
        application_received,
        supplements_received,
        supplements_requested,
    )
    from workflows import search_attributes as sa
    from workflows.activity_options import IO_RETRY, QUICK
    from workflows.amendments import Amendments
    from workflows.bookkeeping import CUSTOMER_WAIT_LISTED, JourneyEnded
    from workflows.drawdowns import PLAN_PERIODS_KEPT, DrawdownStage
    from workflows.entrusted_payout import EntrustedPayoutStage
    from workflows.exposure import (
        EXPOSURE_FELL_TOLD,
        EXPOSURE_KEEPER,
        EXPOSURE_NOT_KEPT,
        GROUP_EXPOSURE,
        keep_exposure,
        tell_exposure_fell,
    )
    from workflows.exposure_now import EXPOSURE_AT_DECISION, ExposureAtDecision
    from workflows.info_requests import InfoRequests
    from workflows.io_retry import io_retry
    from workflows.journey_updates import (
        BORROWERS_STATEMENTS_STAND,
        DOCUMENTS_KEPT,
        ELIGIBLE_SETTLE,
        NEAR_NAMES_HELD,
    )
    from workflows.lpr_fixing import fixing_on
    from workflows.post_loan import PostLoanStage
    from workflows.reading import read_document
    from workflows.reading_corrections import (
        CLERK_CORRECTIONS,
        CORRECTIONS_QUIET,
        NOTHING_MORE,
        ReadingCorrections,
    )
    from workflows.sla_clock import SlaClock
    from workflows.touchpoints import TouchpointUpdates

OFFER_COVENANTS = "offer-covenants"  # workflow.patched marker: before it, no covenants in offers
# workflow.patched marker: before it, the offer stage waited for its notice to be queued.
OFFER_NOTICE_BEHIND = "offer-notice-behind"
# workflow.patched marker: before it, the plan ran from the offer's day, not the payout's,
# and the customer had no notice of the payout and the first instalment.
PLAN_FROM_PAYOUT = "plan-from-payout"
# workflow.patched marker: before it, a loan's days were UTC days and its due dates any day;
# since, they are the bank's days (the pinned calendar's) and due dates are working days.
BANK_DAYS = "bank-days"
# workflow.patched marker: before it, one vote against decided a committee's case; since, it
# is decided once N approve or the approvals can no longer reach N.
COMMITTEE_N_OF_M = "committee-n-of-m"
# workflow.patched marker: before it, the approval's exit (the timing events: the export, the
# report) named its last voter alone as who decided; since, every member whose vote made the
# decision, in the order they voted ("cc-1+cc-2"). Taken only where that is more than one.
DECIDED_BY_EVERY_VOTE = "decided-by-every-vote"
# workflow.patched marker: before it, an offer priced by the policy was over the pinned
# policy's LPR; since, over the latest LPR fixing recorded on or before its day, when one is
# (the one pinned with the policy while no publication day has come since, workflows/lpr_fixing.py).
OFFER_ON_LPR_FIXING = "offer-on-lpr-fixing"
# workflow.patched marker: before it, a rate agreed in the application was offered over the
# policy's LPR, held to its band only at `start`; since, it is offered over the fixing in force
# on the offer's day (pinned at intake while still the latest published, as for an offer priced
# by the policy), and one outside the policy's floor and ceiling over it makes no offer: the
# case is rejected.
AGREED_RATE_ON_FIXING = "agreed-rate-on-fixing"
# workflow.patched marker: before it, each batch of supplements restarted the expiry of the
# customer's supplements stage; since, a round of requests expires counted from its first.
SUPPLEMENTS_EXPIRE_BY_ROUND = "supplements-expire-by-round"
# workflow.patched marker: before it, documents that came while the file was being read or
# checked counted as already seen, so the customer was asked again for what they had sent;
# since, they are read before the customer is asked for anything.
READ_WHAT_CAME_FIRST = "read-what-came-first"
# workflow.patched marker: before it, an application that ended rejected, expired or withdrawn
# told the customer nothing; since, one notice says what ended, on which day, and why. Taken
# at the end, and only there: a journey that closes records no marker for it.
END_NOTICES = "end-notices"
# workflow.patched marker: before it, each completeness visit of a round of requests started
# the SLA again (a second breach of the same request, SlaState "ok" in between); since, the
# round's SLA runs from its first request, once, as its expiry does (workflows/sla_clock.py).
SLA_BY_ROUND = "sla-by-round"
# workflow.patched marker: before it, the offer's notice to the customer had an empty body;
# since, it carries the offer in the customer's words (journey/offer_notice.py).
OFFER_NOTICE_BODY = "offer-notice-body"
# workflow.patched marker, taken only where the statements on file breach a covenant of the
# offer: before it, the notice listed the covenant without a word of the breach, which the
# approvers were told of and the payout raises as an early warning; since, it says so.
OFFER_BREACHES_TOLD = "offer-breaches-told"
# workflow.patched marker: before it, an unreadable document was asked for until what replaced
# it came, however complete the file was without it; since, once every check passes but such
# leftovers (and no decider's request is open, which one may answer), the file is complete and
# they are noted for operations and the risk officer as not needed, never asked for.
UNREADABLE_NOT_NEEDED = "unreadable-not-needed"
# workflow.patched marker: before it, a round of requests that the customer's documents or
# answer met ended in silence; since, the customer is told it has come, the file is complete
# and where the application goes on to (`supplements_met`, as when a clerk's corrections met
# it). Taken only where the customer was asked this round.
SUPPLEMENTS_RECEIVED = "supplements-received-told"
# workflow.patched marker: before it, a declined journey's end recorded no reason category in its
# timing events; since, its end's detail names them ("declined for: leverage"), which `status`
# of the borrower's next application shows the bank's staff. Taken at a decline only.
DECLINE_CATEGORIES_RECORDED = "decline-categories-recorded"
# workflow.patched marker: before it, a document the customer sent again unchanged that still
# fell short was asked for in the same words, as if the bank had not seen it; since, the
# request says the bank already has that file. Taken only for such a request.
SENT_AGAIN_SAID = "sent-again-said"
# workflow.patched marker: before it, the customer heard nothing from the bank until the file
# was read and checked (the first notice a request, or a survey); since, they are told at
# intake that the application has come and its documents are being read.
APPLICATION_RECEIVED_TOLD = "application-received-told"
# workflow.patched marker: before it, operations checked the unsure figures of a file read short
# of a document before the completeness check asked the customer for it, whose wait began only
# then; since, such a file (a document missing, or unreadable and needed, and no other failure:
# `Completeness.short_of_documents`) asks the customer at once, and the figures check waits
# until the file is complete, over what stands then (figures on documents the supplements
# replaced need none), before routing. Taken only where the order changes.
ASK_BEFORE_FIGURES_CHECK = "ask-before-figures-check"
# workflow.patched marker: before it, a file that the customer's supplements completed while its
# unsure figures waited for it (ASK_BEFORE_FIGURES_CHECK) went from their reading to operations'
# check, and the customer heard nothing until it was done (`supplements_met` after it); since,
# the completeness stage checks the file first and tells them at once (their SLA stops there),
# then the figures are checked (`_figures_due`), before the case goes on. Taken only where the
# customer was asked this round.
MET_BEFORE_FIGURES_CHECK = "met-before-figures-check"
# workflow.patched marker: before it, the journey closed once its last writes were done,
# though an update taken while they ran (a customer's feedback or inquiry on the notice of the
# end) was still running: it was never answered (AcceptedUpdateCompletedWorkflow) and its
# writes were cut short; since, the journey closes only once every handler has finished and
# its writes are done, with nothing awaited between. Taken only where a handler ran on, or
# wrote, past the last writes.
ENDS_AFTER_HANDLERS = "ends-after-handlers"


@workflow.defn
class LoanJourneyWorkflow(
    EntrustedPayoutStage, DrawdownStage, PostLoanStage, TouchpointUpdates, InfoRequests,
    ExposureAtDecision, Amendments, ReadingCorrections,
):
    @workflow.init
    def __init__(self, input: JourneyInput) -> None:
        self._init_bookkeeping(input.application)
        self._init_updates()
        if input.resume is not None:  # continued as new: before any update is validated
            self._restore(input.resume)

    @workflow.run
    async def run(self, input: JourneyInput) -> JourneyResult:
        self._borrowers_first = workflow.patched(BORROWERS_STATEMENTS_STAND)
        self._near_names_held = workflow.patched(NEAR_NAMES_HELD)
        if input.resume is None:  # else carried (workflows/post_loan_carry.py)
            self._documents_kept = workflow.patched(DOCUMENTS_KEPT)
        try:
            if input.resume is None:  # else continued as new in post_loan, restored by init
                await self.intake()
                await self.documents()
                await self.completeness()
                await self.routing()
                await self.risk_review()
                await self.approval()
                await self.offer()
                await self.disbursement()
            elif input.resume.stage is Stage.DISBURSEMENT:  # continued as new while it drew
                await self.drawdowns()
            await self.post_loan()
            outcome, reason, told, categories = Stage.CLOSED, self.closing_reason(), "", None
        except JourneyEnded as ended:
            outcome, reason, told, categories = (ended.outcome, ended.reason, ended.told,
                                                 ended.categories)
        return await self.finish(outcome, reason, told, categories)

    # -- the stages, in the order of the table --------------------------------------------

    async def intake(self) -> None:
        async with self.stage(Stage.INTAKE, Party.SYSTEM):
            if workflow.patched(APPLICATION_RECEIVED_TOLD):  # behind: the file is read meanwhile
                await self._behind(self.notify(
                    f"{self._workflow_id}:received", "customer", "application_received",
                    application_received(self._application)))
            policy = workflow.execute_activity(
                contracts.LOAD_POLICY,
                # the working calendar covers the whole term: due dates move off its holidays
                LoadPolicyInput(today=workflow.now().date(),
                                years=self._application.term_months // 12 + 3),
                result_type=PolicySnapshot,
                start_to_close_timeout=QUICK,
                retry_policy=io_retry(),
            )
            if not workflow.patched(OFFER_COVENANTS):
                self._snapshot = await policy
                return
            # Covenants are loan terms: the post-loan policy is pinned with the rest, so the
            # offer is made in the task of the last approval, not after another activity.
            pinned = asyncio.gather(policy, self._pin_post_loan_policy())
            if not workflow.patched(GROUP_EXPOSURE):
                self._snapshot, _ = await pinned
                return
            # the borrower's exposure counts this application from its intake on, unless its
            # credit code is another company's: the relationship manager sees why (status)
            (self._snapshot, _), kept = await asyncio.gather(
                pinned, keep_exposure(self._workflow_id, self._application)
            )
            if kept.held and workflow.patched(EXPOSURE_NOT_KEPT):
                self.record_decision(EXPOSURE_KEEPER, "exposure not kept", kept.held)

    async def documents(self) -> None:
        async with self.stage(Stage.DOCUMENTS, Party.SYSTEM):
            self._read_up_to = self.submissions()  # what comes from now on is read next time
            unread = self.unread_documents()
            for reading in await asyncio.gather(
                *(read_document(self._workflow_id, ref) for ref in unread)
            ):
                self._readings[reading.ref.sha256] = self.with_checks(
                    await self.with_corrections(reading))
            # unsure figures a decision uses: operations check them, in a visit of their own,
            # once the file lacks no document for the customer to send (after the completeness
            # stage, when what the customer sent completed it: `_met_first`)
            if held := (self.figures_held() and not self._customer_first()
                        and not self._met_first()):
                self._exit_to = Stage.DOCUMENTS
        if held:
            await self.figures_checked()

    async def completeness(
        self, *, asked: str | None = None, return_to: Stage = Stage.ROUTING
    ) -> Stage:
        """Check the file; while it is short, or a decider's request for information is not
        met yet (`awaited`), ask the customer and wait for supplements: one round of
        requests, which expires counted from its first (`opened`), however many batches come,
        and whose SLA runs from it too (`clock`) until it is met. Returns the stage the case
        goes to: `return_to`, or routing when a clerk corrected figures it was routed on
        (`back_to`).
        A file complete while figures wait on it (`_figures_due`) goes through their check
        first, the customer told at once that what they were asked for has come, and is
        checked again after it."""
        opened: datetime | None = None
        # The round's first visit runs its SLA alike with or without the clock, which only
        # keeps state: the marker is taken from the second visit of a round on.
        clock, first = SlaClock(), True
        self._asked = None  # a new round
        self._owed = None  # nothing asked of the customer in it yet
        while True:
            kept = clock if first or workflow.patched(SLA_BY_ROUND) else None
            first = False
            due = False
            async with self.stage(Stage.COMPLETENESS, Party.CUSTOMER, clock=kept):
                if asked is None:
                    self._completeness = await self._check_completeness()
                    done = self._completeness.complete and not self.awaited()
                    if done and (due := self._figures_due()):
                        self._exit_to = Stage.DOCUMENTS  # to their check, then checked again
                        if self._asked is not None and workflow.patched(
                                MET_BEFORE_FIGURES_CHECK):  # as `_met_first` took it
                            await self._tell_met(self.goes_back_to(return_to))
                            # met: the customer's SLA stops (the check may outlast it, and
                            # its breach would remind them of what they sent); a request
                            # later in the round runs one of its own
                            clock = SlaClock()
                    elif done:
                        self._info_request = None
                        self._exit_to = back = self.back_to(return_to)
                        await self._tell_met(back)
                        return back
                if not due:
                    opened = opened or self._visits[-1].entered_at
                    await self._await_supplements([asked] if asked else self._shortfall(),
                                                  opened)
                    self._exit_to, asked = Stage.DOCUMENTS, None
            await (self.figures_checked() if due else self.documents())

    async def routing(self) -> None:
        was = self._route  # routed before: again on corrected figures (`back_to`)
        async with self.stage(Stage.ROUTING, Party.SYSTEM):
            case = RouteInput(policy=self.policy, application=self._application,
                              readings=self.loan_file())
            if workflow.patched(GROUP_EXPOSURE):  # on the borrower's exposure (统一授信)
                fresh = await self._routed_on_exposure(case)
            else:
                fresh = await workflow.execute_activity(
                    contracts.ROUTE_CASE, case, result_type=Route,
                    start_to_close_timeout=QUICK, retry_policy=IO_RETRY,
                )
            self._route = fresh if was is None else self.routed_again(was, fresh)
            workflow.upsert_search_attributes([sa.TIER.value_set(self._route.tier.value)])

    async def risk_review(self) -> None:
        amended = False
        while True:
            if amended:  # routed again on the amended application (workflows/amendments.py)
                await self.routing()
            self._opinion = None  # before entry: an opinion may arrive while entry is recorded
            async with self.stage(Stage.RISK_REVIEW, Party.BANK, team=self.route.team):
                await self.wait_for(lambda: self._opinion is not None or self._amending)
                if amended := self.take_amendment():  # routed again on the new figures
                    self._exit_to = Stage.ROUTING
                    continue
                opinion = self._opinion
                assert opinion is not None
                self._reviewed_by = opinion.actor.id
                if opinion.verdict is Verdict.REJECT:
                    raise JourneyEnded(Stage.REJECTED, f"risk review: {opinion.reason}",
                                       declined_at(Stage.RISK_REVIEW,
                                                   customer_words([opinion.category])),
                                       stated([opinion.category]))
                if opinion.verdict is Verdict.APPROVE:
                    return
                self._exit_to = Stage.COMPLETENESS
            asked = self._ask(Stage.RISK_REVIEW, opinion)
            if await self.completeness(asked=asked, return_to=Stage.RISK_REVIEW) is Stage.ROUTING:
                await self.routing()

    async def approval(self) -> None:
        self._n_of_m = workflow.patched(COMMITTEE_N_OF_M)
        self._of_eligible = self._n_of_m and workflow.patched(ELIGIBLE_SETTLE)
        kept: list[ApprovalDecision] = []
        amended = False
        while True:
            if amended:  # decided again on the amended application (workflows/amendments.py)
                self.votes_set_aside()
                await self.routing()
                await self.risk_review()
                kept = []
            self._votes = kept
            async with self.stage(Stage.APPROVAL, Party.BANK, team=self.route.tier.value):
                await self.wait_for(lambda: self._approval_settled() or self._amending)
                if amended := self.take_amendment():
                    self._exit_to = Stage.ROUTING
                    continue
                last = self._votes[-1]
                if last.verdict is Verdict.REJECT or self._out_of_reach():
                    self._decided_by(Verdict.REJECT, last)
                    against = [v.category for v in self._votes if v.verdict is Verdict.REJECT]
                    raise JourneyEnded(Stage.REJECTED, f"approval: {self._against(last)}",
                                       declined_at(Stage.APPROVAL, customer_words(against)),
                                       stated(against))
                if last.verdict is Verdict.APPROVE and workflow.patched(EXPOSURE_AT_DECISION):
                    standing = await self._authority_now()
                    if standing is not None:  # re-routed, or votes set aside: vote on
                        kept, self._exit_to = standing, Stage.APPROVAL
                        continue
                if last.verdict is Verdict.APPROVE:
                    self._decided_by(Verdict.APPROVE, last)
                    return
                self._exit_to = Stage.COMPLETENESS
            asked, voted_on = self._ask(Stage.APPROVAL, last), self.loan_file()
            suspended = self._info_request is not None  # since the marker: the vote resumes
            if await self.completeness(asked=asked, return_to=Stage.APPROVAL) is Stage.ROUTING:
                self.votes_set_aside()  # cast on figures corrected since
                await self.routing()
                await self.risk_review()
                kept = []
                continue
            kept = self._votes_kept(voted_on) if suspended else []

    def _decided_by(self, verdict: Verdict, last: ApprovalDecision) -> None:
        """Name, on the approval's exit, every member whose vote made its decision (the votes
        that stand for `verdict`), in the order they voted: a committee's two approvals are
        both theirs, not the last voter's alone."""
        deciders = list(dict.fromkeys(v.actor.id for v in self._votes if v.verdict is verdict))
        if deciders != [last.actor.id] and workflow.patched(DECIDED_BY_EVERY_VOTE):
            self._ended_by = "+".join(deciders)

    async def offer(self) -> None:
        # The offer exists before the stage opens, so no signature can arrive ahead of it.
        grade = self._grade() or RiskGrade.G5
        bank_days = workflow.patched(BANK_DAYS)
        calendar = self.calendar if bank_days else None
        today = self.calendar.day_of(workflow.now()) if bank_days else workflow.now().date()
        read = workflow.patched(AGREED_RATE_ON_FIXING)
        if read:  # an agreed rate too is offered over the fixing in force, and held to its band
            fixing = await fixing_on(today, self._pinned().lpr, self.calendar)
        else:
            fixing = (await fixing_on(today, self._pinned().lpr, self.calendar)
                      if self._application.annual_rate is None
                      and workflow.patched(OFFER_ON_LPR_FIXING)
                      else None)  # an agreed rate was fixed over the policy's LPR
        terms = offer_terms(self._application, grade, today, self._pl_policy,
                            self.policy.pricing, calendar, fixing)
        if read and terms.rate_basis is not None and terms.rate_basis.agreed and (
                outside := self.policy.pricing.agreed_refusal(terms.rate_basis)):
            raise JourneyEnded(Stage.REJECTED, (
                f"offer not made on the LPR in force on {today}: {outside}, in a new "
                "application under its own id"), declined_at(
                    Stage.OFFER, rate_outside_band(terms.rate_basis, self.policy.pricing)),
                ["pricing"])
        self._offer = Offer(
            **terms.model_dump(),
            bank_days=bank_days,
            term_months=self._application.term_months,
            expires_at=expiry_at(
                self.policy, Stage.OFFER, self._application.product, workflow.now(), self.calendar
            ),
        )
        if workflow.patched(CUSTOMER_WAIT_LISTED):  # listed as the stage is entered
            self.owe(Stage.OFFER, workflow.now(), "a signature", self._offer.expires_at)
        async with self.stage(Stage.OFFER, Party.CUSTOMER):
            project = self._application.product is Product.PROJECT_FINANCE
            told = (offer_notice(self._application, self._offer,
                                 self.calendar.moment_text(self._offer.expires_at),
                                 self.prepayment_fee(), self.policy.pricing.commitment_fee,
                                 self.policy.entrusted_over(self._application.product),
                                 self.dd_offered_plan() if project else None, self.today(),
                                 *self._breaches_told())
                    if workflow.patched(OFFER_NOTICE_BODY) else "")
            notice = self.notify(f"{self._workflow_id}:offer", "customer", "offer_ready", told)
            if workflow.patched(OFFER_NOTICE_BEHIND):
                await self._behind(notice)  # a signature at once need not wait for the notice
            else:
                await notice
            await self.wait_for(
                lambda: self._signature is not None,
                deadline=self._offer.expires_at,
                expiry="the offer expired unsigned",
                told=not_done_by("The loan offer was not signed",
                                 self.calendar.moment_text(self._offer.expires_at)),
            )

    def _breaches_told(self) -> tuple[list[CovenantCheck], list[FinancialStatement]]:
        """The offer's covenants the statements on file already breach, and those statements,
        for the offer's notice (none before OFFER_BREACHES_TOLD)."""
        on_file = self.loan_file()
        breached = [c for c in self._covenants_on_file(on_file) if c.breached]
        if not breached or not workflow.patched(OFFER_BREACHES_TOLD):
            return [], []
        return breached, statements_read(on_file)

    async def disbursement(self) -> None:
        if self._application.product is Product.PROJECT_FINANCE:
            await self.drawdowns()  # tranches by milestone: workflows/drawdowns.py
            return
        team = self._open_entrusted_payout()  # operations, when paid to counterparties
        waits = team if self._entrusted is None or self._entrusted.instruction is None else None
        async with self.stage(Stage.DISBURSEMENT, Party.BANK, team=waits) as visit:
            self._disbursement = await (self._pay_counterparties(visit) if team is not None
                                        else self._pay_borrower())
            if workflow.patched(PLAN_FROM_PAYOUT):
                # Interest runs from the payout: its value date (`payout_value_on`), or for one
                # booked before value dates, its day by the journey's clock, which all its due
                # dates, reminders and arrears run on (the ledger's agrees to the second).
                assert self._offer is not None, "a loan is paid out on a signed offer"
                paid = self._disbursement.amount
                value_on = self._disbursement.value_on or self.day_of(workflow.now())
                self._offer = self._offer.value_dated(paid, value_on, self.calendar,
                                                      workflow.patched(PLAN_PERIODS_KEPT))
                first = self._offer.schedule[0]
                instruction = self._entrusted.instruction if self._entrusted else None
                await self._behind(self.notify(
                    f"{self._workflow_id}:disbursed", "customer", "loan_disbursed",
                    payout_notice(self._application, paid, value_on, first,
                                  instruction.counterparties if instruction else ()),
                ))

    async def _pay_borrower(self) -> Disbursement:
        """Book the payout into the borrower's settlement account, the one its application
        names (a journey started before it was asked for names none: its booking neither).
        No marker: only an application `start` took since carries one, and an activity's
        input is no command a replay compares."""
        into = self._application.settlement_account
        return await self.book(BookingInput(
            workflow_id=self._workflow_id,
            idempotency_key=f"{self._workflow_id}:disbursement",
            amount=self._application.amount,
            payee=into.name if into is not None else self._application.applicant_name,
            purpose=f"{self._application.product.value} loan",
            value_on=self.payout_value_on(),
            account=into.account if into is not None else None,
            bank=into.bank if into is not None else None,
        ))

    async def finish(self, outcome: Stage, reason: str, told: str = "",
                     categories: list[str] | None = None) -> JourneyResult:
        self._outcome_reason = reason
        # a decline's categories, for the bank's staff on the borrower's next application
        detail = None
        if (categories is not None and outcome is Stage.REJECTED
                and workflow.patched(DECLINE_CATEGORIES_RECORDED)):
            detail = declined_for(categories)
        self.enter_terminal(outcome, detail)
        if told and workflow.patched(END_NOTICES):  # behind the end, as the payout's notice
            await self._behind(self._tell_the_end(outcome, told))  # flush() waits for it
        if self._disbursement is None and workflow.patched(EXPOSURE_FELL_TOLD):
            # an application the borrower's others may have been told of: it counts no more
            await self._behind(tell_exposure_fell(self._workflow_id, self._application))
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self.flush()
        while self._unsettled() and workflow.patched(ENDS_AFTER_HANDLERS):
            await workflow.wait_condition(workflow.all_handlers_finished)
            await self.flush()
        return JourneyResult(
            workflow_id=self._workflow_id,
            outcome=outcome,
            reason=reason,
            disbursement=self._disbursement,
        )

    # -- helpers of the stages -------------------------------------------------------------

    def _unsettled(self) -> bool:
        """Whether the journey cannot close yet: an update taken during its last writes is
        still running, or left timing events or work behind it (`flush` awaits activities,
        during which the server delivers updates, so every handler must be seen finished
        and nothing left to write with no await between that and the return)."""
        return (not workflow.all_handlers_finished() or bool(self._pending)
                or bool(self._running_behind))

    async def _tell_the_end(self, outcome: Stage, told: str) -> None:
        """The customer's notice of an application that ended without a loan, once per
        journey (its key); a notify that fails stays behind, it never fails the journey."""
        notice = end_notice(outcome, self._application, self.calendar.day_of(workflow.now()),
                            told)
        await self.notify(f"{self._workflow_id}:ended:{outcome}", "customer", notice.template,
                          notice.body)

    def _customer_first(self) -> bool:
        """Whether the customer is asked for what the file lacks before operations check its
        unsure figures (since ASK_BEFORE_FIGURES_CHECK): the completeness check, as its stage
        would run it on the file read, finds it short of documents alone, which no figure's
        check can change. Its settling of leftovers is assumed: a journey whose stage does not
        settle them only finds the file shorter."""
        if not self._as_read().short_of_documents():
            return False
        self._figures_wait = workflow.patched(ASK_BEFORE_FIGURES_CHECK)
        return self._figures_wait

    def _met_first(self) -> bool:
        """Whether the completeness stage checks the file before operations check its unsure
        figures (since MET_BEFORE_FIGURES_CHECK), to tell the customer at once that what they
        were asked for this round has come: the figures waited for the file
        (`_customer_first`), and it is complete as read, by their documents or by a written
        answer. The check follows (`_figures_due`), before the case goes on."""
        if not self._figures_wait or self._asked is None or self.awaited():
            return False
        return self._as_read().complete and workflow.patched(MET_BEFORE_FIGURES_CHECK)

    def _as_read(self) -> Completeness:
        """The completeness check as its stage would run it on the file read, here and now."""
        return check_completeness(self.policy, self._application, self.loan_file(),
                                  self.calendar.day_of(workflow.now()), settle=not self.awaited())

    def _figures_due(self) -> bool:
        """Whether a file found complete still has figures to check that waited for it
        (`_customer_first`): since MET_BEFORE_FIGURES_CHECK, the customer's supplements or
        written answer completed it (`_met_first`). Before it, only what came between the
        reading and the check could, which no update can: a written answer is refused at
        documents, and the check's input is read in the same workflow task as the reading's
        decision."""
        return self._figures_wait and bool(self.figures_to_check())

    async def _tell_met(self, goes_to: Stage) -> None:
        """Tell the customer that what they were asked for this round has come and the file is
        complete (`supplements_met`, keyed by the completeness visit that found it so), and
        that the application goes on to `goes_to`; nothing when nothing was asked of them.
        Once: what was asked is met, so the check of the file after the figures'
        (`_figures_due`) tells nothing again, and a request later in the round is told whole."""
        met = f"{self._workflow_id}:supplements-met:{self._visits[-1].attempt}"
        if self.met_by_clerk() and workflow.patched(CORRECTIONS_QUIET):
            await self.notify(met, "customer", "supplements_met", NOTHING_MORE)
        elif self._asked is not None and workflow.patched(SUPPLEMENTS_RECEIVED):
            await self.notify(met, "customer", "supplements_met",
                              supplements_received(self._application, goes_to))
        self._asked = None

    async def _check_completeness(self) -> Completeness:
        self._corrections_checked = self._corrections
        self.take_rescans()
        readings = self.loan_file()
        return await workflow.execute_activity(
            contracts.CHECK_COMPLETENESS,
            CompletenessInput(
                policy=self.policy,
                application=self._application,
                readings=readings,
                today=self.calendar.day_of(workflow.now()),  # the bank's day
                settle=not self.awaited() and any(  # the marker only where it may matter
                    r.status is not ReadStatus.READ for r in readings)
                and workflow.patched(UNREADABLE_NOT_NEEDED),
            ),
            result_type=Completeness,
            start_to_close_timeout=QUICK,
            retry_policy=io_retry(),
        )

    async def _await_supplements(self, items: list[str], opened: datetime) -> None:
        """Ask for what `items` name (since CORRECTIONS_QUIET, only what is new to the
        customer), wait for a batch or a written answer; the round expires counted from
        `opened`."""
        known, answered = self.submissions(), self.answered()
        if workflow.patched(READ_WHAT_CAME_FIRST) and known > self._read_up_to:
            return  # documents came while the file was read or checked: read them first
        corrections = workflow.patched(CLERK_CORRECTIONS)
        if corrections and self.corrections_since_check():
            return  # a clerk corrected a reading while the file was checked: check it again
        visit = self._visits[-1]
        key = f"{self._workflow_id}:supplements:{visit.attempt}"
        start = opened if workflow.patched(SUPPLEMENTS_EXPIRE_BY_ROUND) else visit.entered_at
        deadline = expiry_at(self.policy, Stage.COMPLETENESS, self._application.product,
                             start, self.calendar)
        request = "; ".join(items)
        told = self.to_tell(items) if workflow.patched(CORRECTIONS_QUIET) else items
        until = self.calendar.moment_text(deadline) if deadline else None
        if told:
            await self.notify(key, "customer", "supplements_requested",
                              supplements_requested(self._application, told, until))
        self._requested, self._requested_until = request, deadline
        if workflow.patched(CUSTOMER_WAIT_LISTED):  # for the relationship managers' work list
            question = self._info_request is not None and self._info_request.asks is None
            self.owe(Stage.COMPLETENESS, opened, "an answer" if question else "documents", deadline)
            self._upsert()
        await self.wait_for(
            lambda: self.submissions() > known or self.answered() > answered
            or (corrections and self.corrections_since_check()),
            deadline=deadline,
            expiry="no supplements before the deadline",
            told=not_done_by("What the bank asked for was not received",
                             self.calendar.moment_text(deadline), "; ".join(items)),
        )
        self._requested = None

    def _shortfall(self) -> list[str]:
        """What to ask the customer for; a document they have just sent again unchanged
        that still falls short, saying the bank already has it (SENT_AGAIN_SAID)."""
        assert self._completeness is not None
        failures, latest = self._completeness.failures, self.submissions()
        again = {f.document for f in failures
                 if f.document is not None and self._sent_again.get(f.document) == latest}
        said = bool(again) and workflow.patched(SENT_AGAIN_SAID)
        return [*(f"We already have {self._readings[f.document].ref.filename}, which you sent "
                  f"again unchanged: {f.message}" if said and f.document in again
                  else f.message for f in failures),
                *self.awaited_by_customer()]

