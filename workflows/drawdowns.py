"""Project finance: the disbursement stage as drawdowns by milestone (按工程进度放款).

Run instead of the single booking for Product.PROJECT_FINANCE. Until the availability
period ends (a durable timer) or every tranche is drawn, each drawdown is two stage visits:
- disbursement, waiting on the customer: for a `request_drawdown` update;
- disbursement, waiting on the bank (the routed risk team, under the drawdown's own SLA):
  supporting documents read, conditions precedent checked and explained; if they fail the
  request is refused at once, else the team decides (`decide_drawdown`); an approved
  drawdown is booked once (key `{workflow id}:drawdown:{tranche}:{number}`: a tranche may be
  drawn in several, up to its cap), to the borrower or, entrusted (受托支付), to the named
  counterparty;
- disbursement, waiting on operations (since PAYEES_CONFIRMED, for a drawdown to a
  counterparty, under the policy's instruction SLA): one enters its payment instruction
  (`record_payment_instruction`), checked against the contract, a second confirms it
  (`confirm_payment_instruction`), as for a loan's entrusted payout; then it is booked, one
  booking per counterparty (key `{workflow id}:drawdown:{tranche}:{number}:{n}`).
Each step is a TOUCHPOINT timing event `drawdown <tranche> requested|conditions_ok|
conditions_failed|approved|refused|booked`, in the channel the customer asked through, so
the journey map shows how long customers wait for their money at each milestone. When
drawdowns close the undrawn commitment is cancelled (event and decision record) and the
repayment plan is rebuilt on what was drawn. A long availability period in arrears wakes the
journey daily: past the post-loan policy's event count the stage continues as new at the
customer's wait, as post-loan does (`_continue_as_new`, workflows/post_loan_carry.py), and the
next run enters the wait again (`LoanJourneyWorkflow.run`).
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from journey.actors import Actor, Role
    from journey.application import Channel, Product
    from journey.availability_interest import quarters_first
    from journey.availability_payoff import paid_ahead
    from journey.contracts import BookingInput
    from journey.documents import DocumentReading, ReadStatus
    from journey.drawdown_conditions import (
        DocumentCheck,
        DrawdownFacts,
        RepaymentTerms,
        check_document,
        evaluate_conditions,
        projected_dscr,
        repayment_plan,
        unused_months,
    )
    from journey.drawdown_notices import conditions_not_met, refused_by_bank
    from journey.drawdowns import (
        DEFAULT_MIN_DSCR,
        ENTRUSTED_OVER,
        Commitment,
        DrawdownPlan,
        DrawdownRecord,
        DrawdownState,
        DrawdownVerdict,
        SupportingDocument,
        availability_ends,
        default_plan,
        open_tranches,
        paid_under,
    )
    from journey.entrusted_payment import OPERATIONS_TEAM, EntrustedPayout, paid_to
    from journey.policy.completeness import other_company
    from journey.post_loan_warnings import events_of_default, how_to_lift
    from journey.repayment import Instalment, on_working_days
    from journey.stages import Party, Stage
    from journey.status import Disbursement, Offer, StageVisit
    from journey.timeline import EventType
    from workflows.bookkeeping import JourneyEnded
    from workflows.drawdown_reviews import DrawdownReviews
    from workflows.payee_instructions import PayeeInstructions
    from workflows.reading import read_document

# the plan runs to the end of the tenor, and the drawdowns' interest until they closed is due
PLAN_TO_MATURITY = "drawdown-plan-to-maturity"
# a tranche may be drawn in several drawdowns, up to its cap
PARTIAL_TRANCHES = "drawdown-partial-tranches"
# a drawdown's DSCR condition is at least the loan's min-DSCR covenant (it was 1.20 against a
# covenant of 1.30, so a drawdown could be approved into a breach)
DRAWDOWN_DSCR_COVENANT = "drawdown-dscr-covenant"
# interest is paid quarterly while drawdowns are open (workflows/drawdown_interest.py); before
# it, all of it came with the first instalment
QUARTERLY_INTEREST = "drawdown-quarterly-interest"
# a quarter past due accrues penalty interest at the post-loan penalty rate; before it, none
QUARTER_PENALTY = "drawdown-quarter-penalty"
# a project closing with nothing drawn is charged the commitment fee it accrued, and the
# journey ends once it is paid; before it, it ended at once and the fee was not charged
FEES_WITHOUT_DRAWING = "drawdown-fees-without-drawing"
# a quarter left unpaid at the close stays past due, an instalment of its own before the
# plan's first; before it, it was carried into the first instalment, no longer past due
QUARTERS_STAY_PAST_DUE = "drawdown-quarters-stay-past-due"
# what was paid beyond what the close owes (interest for days after it, the fee on the
# commitment it cancelled) is credited to the plan; before it, it was lost
PAID_AHEAD_CREDITED = "drawdown-paid-ahead-credited"
# the availability period ends whole months after the loan's day (the bank's) it opened on;
# before it, after the UTC day, a day early for a project signed in the bank's morning
AVAILABILITY_BY_LOAN_DAY = "drawdown-availability-by-loan-day"
# a covenant breach waived (the risk team supervisor's acknowledgement `waiver`) or cured (a
# later review finds the covenant met) no longer refuses a drawdown, and one that stands says
# who may lift it and how; before it, every breach raised while drawing refused every later one
DEFAULTS_LIFTED = "drawdown-defaults-lifted"
# a due date a non-working day moved (顺延) keeps its period as the plan runs it: interest
# accrued part way (a settlement, a prepayment, the book's accrued and month-end) is shared
# over the plan's period, and the next begins on the plan's day (journey/repayment.py
# `on_working_days`); before it, the period ended on the moved due date and the next began
# there, so a settlement charged days of interest too few (or too many). Taken where the plan
# is value dated, the payout's or a project's close: a loan paid out before keeps its periods.
PLAN_PERIODS_KEPT = "plan-periods-kept"
# each quarter's interest and commitment fee are rounded once, on exact amounts; before it,
# each drawdown's part was, and a quarter could be a cent off the bank's figure
QUARTERS_ROUNDED_ONCE = "drawdown-quarters-rounded-once"
# the projected DSCR annualises the newest statement's year-to-date profit as reviews do
# (journey/post_loan_dscr.py); before it, the latest statement's profit counted as a year's
DSCR_ANNUALISED = "drawdown-dscr-annualised"
# an income statement or balance sheet given with a drawdown request, refused or not, is kept
# on the loan's file, where later drawdowns and reviews read it; before it, it was forgotten
STATEMENTS_KEPT = "drawdown-statements-kept"
# an approved drawdown to a counterparty waits on operations: one enters its payment
# instruction, checked against the contract, a second confirms it (maker-checker, as a loan's
# entrusted payout), then it is booked; before it, it was booked on the risk team's approval
PAYEES_CONFIRMED = "drawdown-payee-four-eyes"
# a refused drawdown's notice tells the customer what to do in plain words, and of a refusal
# by the bank the category of its reason (journey/drawdown_notices.py); before it, it carried
# the conditions' explanations (labels, options, warning codes) or the officer's own reason
NOTICES_IN_CUSTOMER_WORDS = "drawdown-notices-in-customer-words"
# the team's queue lists a drawdown's wait for its decision with the plan's decision SLA (its
# warning and due points); before it, with no SLA, though the SLA ran on it
DECISION_SLA_LISTED = "drawdown-decision-sla-listed"
# a project drawing past the post-loan policy's event count, or when the server suggests it,
# continues as new at the customer's wait between drawdowns, carrying the stage
# (`DrawdownMemo`, workflows/drawdown_updates.py); before it, its history grew for the whole
# availability period
DRAWDOWNS_CONTINUE_AS_NEW = "drawdown-continue-as-new"
READ_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1), maximum_attempts=5)
RULES = Actor(id="drawdown-rules", role=Role.SYSTEM)


class DrawdownStage(DrawdownReviews, PayeeInstructions):
    async def drawdowns(self) -> None:
        if self._dd_commitment is None:  # else a run continued as new while it drew
            self._dd_open_stage()
        quarterly = self._dd_commit().interest_from is not None
        collector = asyncio.create_task(self._dd_collect_interest()) if quarterly else None
        try:
            while open_tranches(self._dd_pinned_plan(), self._dd_records, self._dd_partial):
                record = await self._dd_await_request()
                if record is None and self._dd_commit().closed_at is None:
                    # the history is long: on in a new run, unless something came meanwhile
                    await self._continue_as_new(
                        Stage.DISBURSEMENT, lambda: collector is None or self._dd_idle,
                        lambda: self._dd_current() is not None or self._withdrawal is not None)
                    continue
                if record is None:
                    break
                await self._dd_handle(record)
            if collector is not None:
                await collector  # done once drawdowns close
        finally:
            if collector is not None and not collector.done():
                collector.cancel()
        self._dd_rebuild_plan()

    def _dd_open_stage(self) -> None:
        plan = default_plan(self._application, self._dd_min_dscr(),
                            self.policy.entrusted_over(Product.PROJECT_FINANCE))
        self._dd_partial = workflow.patched(PARTIAL_TRANCHES)  # before it: one per tranche
        self._dd_plan = plan
        # quarterly interest needs the post-loan policy's reminders: pinned with the offer
        quarterly = self._pl_policy is not None and workflow.patched(QUARTERLY_INTEREST)
        zone = self.day_zone() if workflow.patched(AVAILABILITY_BY_LOAN_DAY) else UTC
        self._dd_commitment = Commitment(
            total=plan.total, available_until=availability_ends(plan, workflow.now(), zone),
            interest_from=self.today() if quarterly else None,
            fee_rate=self.policy.pricing.commitment_fee if quarterly else Decimal("0"),
            rounded_once=quarterly and workflow.patched(QUARTERS_ROUNDED_ONCE),
        )
        self._dd_penalties = quarterly and workflow.patched(QUARTER_PENALTY)
        self._dd_continues = self._pl_policy is not None and workflow.patched(
            DRAWDOWNS_CONTINUE_AS_NEW)
        self._offer = self._dd_signed_offer().model_copy(update={"drawdown_plan": plan})

    def _dd_min_dscr(self) -> Decimal:
        """The DSCR each drawdown must project: the plan's floor, or (since the marker) the
        loan's min-DSCR covenant when that is higher."""
        floor = self._dd_covenant_floor()
        if floor <= DEFAULT_MIN_DSCR or not workflow.patched(DRAWDOWN_DSCR_COVENANT):
            return DEFAULT_MIN_DSCR
        return floor

    # -- one drawdown: the customer asks, the bank checks, decides and books ----------------

    async def _dd_await_request(self) -> DrawdownRecord | None:
        until = self._dd_commit().available_until
        self._assigned_to = None  # the next drawdown goes to the whole team again
        async with self.stage(Stage.DISBURSEMENT, Party.CUSTOMER):
            self._keep_warnings_listed()  # a breach raised while it drew, still open
            timed_out = not await self._dd_wait_until(
                lambda: self._dd_current() is not None or self._withdrawal is not None
                or (self._dd_continues and self._history_too_long()), until
            )
            record = self._dd_current()
            if (withdrawal := self._withdrawal) is not None and record is None:
                why = f"withdrawn by {withdrawal.actor.id}: {withdrawal.reason}"
                await self._dd_close_commitment(withdrawal.actor, why, Stage.WITHDRAWN,
                                                withdrawal.channel)
                self._withdrawal = None  # done with: the loan runs on what was drawn
                return None
            if timed_out:
                if record is not None:  # arrived with the deadline: too late
                    self._dd_settle(record, DrawdownState.REFUSED, "the availability period ended")
                await self._dd_close_commitment(RULES, "the availability period ended")
                return None
            self._exit_to = Stage.DISBURSEMENT
            return record  # None: the history is long, the wait goes on in a new run

    async def _dd_handle(self, record: DrawdownRecord) -> None:
        self._dd_decision = None
        if workflow.patched(DECISION_SLA_LISTED):
            self.list_own_sla(Stage.DISBURSEMENT, self._dd_pinned_plan().decision_sla)
        async with self.stage(Stage.DISBURSEMENT, Party.BANK, team=self.route.team) as visit:
            watcher = self._dd_arm_sla(visit)
            try:
                if await self._dd_check_conditions(record):
                    await self._dd_decide(record)
            finally:
                if watcher is not None:
                    watcher.cancel()
            if record.state is DrawdownState.AWAITING_PAYEES:
                self._exit_to = Stage.DISBURSEMENT  # on to operations
            else:
                await self._dd_next()
        if record.state is DrawdownState.AWAITING_PAYEES:
            await self._dd_pay_counterparty(record)

    async def _dd_next(self) -> None:
        """After a drawdown: the next request, or the close once every tranche is drawn or
        the availability period ended."""
        more = open_tranches(self._dd_pinned_plan(), self._dd_records, self._dd_partial)
        if more and workflow.now() < self._dd_commit().available_until:
            self._exit_to = Stage.DISBURSEMENT
        else:
            why = "every tranche is drawn" if not more else "the availability period ended"
            await self._dd_close_commitment(RULES, why)

    async def _dd_pay_counterparty(self, record: DrawdownRecord) -> None:
        """An approved drawdown to a counterparty at operations, under the policy's
        instruction SLA (listed on their queue): entered and confirmed by two of them
        (workflows/entrusted_payout.py takes both), then booked to what they confirmed."""
        request, plan = record.request, self._dd_pinned_plan()
        tranche = plan.tranche(request.tranche_id)
        assert tranche is not None and request.payee is not None
        payout = self._entrusted = EntrustedPayout(
            amount=request.amount, over=plan.entrusted_over or ENTRUSTED_OVER,
            drawdown=request.tranche_id)
        if (sla := self._instruction_sla()) is not None:
            self.list_own_sla(Stage.DISBURSEMENT, sla)
        self._assigned_to = None  # to operations' whole team, not whom the decision went to
        try:
            async with self.stage(Stage.DISBURSEMENT, Party.BANK, team=OPERATIONS_TEAM) as visit:
                key = f"{self._workflow_id}:drawdown:{request.tranche_id}:{record.number}"
                await self._await_instruction(visit, payout, f"{key}:payment-instruction")
                booking = await self._book_counterparties(
                    payout, key, f"project finance drawdown {request.tranche_id}: "
                    f"{tranche.milestone}; entrusted payment (受托支付)")
                record.paid_to = paid_to(payout.payments)  # what operations confirmed
                await self._dd_booked(record, booking)
                await self._dd_next()
        finally:
            self._entrusted, self._listed_sla = None, None  # the next drawdown's are its own

    async def _dd_check_conditions(self, record: DrawdownRecord) -> bool:
        request, plan = record.request, self._dd_pinned_plan()
        tranche = plan.tranche(request.tranche_id)
        assert tranche is not None, "the validator checked the tranche"
        facts = await self._dd_facts(record)
        record.conditions = evaluate_conditions(plan, tranche, request, facts)
        failed = [c for c in record.conditions if not c.met]
        tid = request.tranche_id
        if failed:
            why = "; ".join(c.explanation for c in failed)
            self._dd_event(record, "conditions_failed", why)
            self.record_decision(RULES, f"drawdown {tid} refused", why)
            self._dd_settle(record, DrawdownState.CONDITIONS_FAILED, why)
            self._dd_event(record, "refused", why)
            told = conditions_not_met(record, tranche, facts) \
                if workflow.patched(NOTICES_IN_CUSTOMER_WORDS) else why
            await self._dd_tell(record, "customer", "drawdown_refused", told)
            return False
        self._dd_event(record, "conditions_ok")
        record.state = DrawdownState.AWAITING_DECISION
        await self._dd_tell(record, self.route.team, "drawdown_review",
                            f"{request.amount:,} for {tranche.milestone}")
        return True

    async def _dd_decide(self, record: DrawdownRecord) -> None:
        await self.wait_for(lambda: self._dd_decision is not None)
        decision = self._dd_decision
        assert decision is not None
        record.decided_by = decision.actor.id
        if decision.verdict is DrawdownVerdict.REJECT:
            self._dd_event(record, "refused", decision.reason, actor=decision.actor.id)
            self._dd_settle(record, DrawdownState.REFUSED, decision.reason)
            told = decision.reason
            if workflow.patched(NOTICES_IN_CUSTOMER_WORDS):
                tranche = self._dd_pinned_plan().tranche(record.request.tranche_id)
                assert tranche is not None
                told = refused_by_bank(record, tranche, decision.category)
            await self._dd_tell(record, "customer", "drawdown_refused", told)
            return
        record.state, record.reason = DrawdownState.APPROVED, decision.reason
        self._dd_event(record, "approved", actor=decision.actor.id)
        if record.request.payee is not None and workflow.patched(PAYEES_CONFIRMED):
            record.state = DrawdownState.AWAITING_PAYEES  # booked once operations confirm
            return
        await self._dd_book(record)

    async def _dd_book(self, record: DrawdownRecord) -> None:
        request, tid = record.request, record.request.tranche_id
        tranche = self._dd_pinned_plan().tranche(tid)
        assert tranche is not None
        # into the counterparty's account, else the borrower's settlement account (none on a
        # journey started before it was asked for: the borrower's name alone, as before)
        into = request.payee or self._application.settlement_account
        payee = into.name if into is not None else self._application.applicant_name
        entrusted = f"; entrusted payment (受托支付) {paid_under(request.payee)}" \
            if request.payee else ""
        booking = await self.book(BookingInput(
            workflow_id=self._workflow_id,
            # one booking per drawdown (a tranche may take several), whatever the retries
            idempotency_key=f"{self._workflow_id}:drawdown:{tid}:{record.number}",
            amount=request.amount,
            payee=payee,
            purpose=f"project finance drawdown {tid}: {tranche.milestone}{entrusted}",
            account=into.account if into is not None else None,
            bank=into.bank if into is not None else None,
        ))
        await self._dd_booked(record, booking)

    async def _dd_booked(self, record: DrawdownRecord, booking: Disbursement) -> None:
        """`booking` drew `record`: the commitment, the record, and the customer told."""
        commitment = self._dd_commit()
        self._dd_commitment = commitment.model_copy(
            update={"drawn": commitment.drawn + booking.amount}
        )
        record.booking_id, record.payee, record.booked_at = (
            booking.booking_id, booking.payee, booking.booked_at
        )
        self._dd_event(record, "booked", f"{booking.amount} to {booking.payee}")
        self._dd_settle(record, DrawdownState.BOOKED, record.reason)
        await self._dd_tell(record, "customer", "drawdown_booked",
                            f"{booking.amount:,} paid to {booking.payee}")

    # -- the facts the conditions read -------------------------------------------------------

    async def _dd_facts(self, record: DrawdownRecord) -> DrawdownFacts:
        request = record.request
        checks = await asyncio.gather(*(self._dd_read_supporting(d) for d in request.documents))
        fresh = [r for r, _ in checks if r is not None]
        statements = [r for r in fresh if r.status is ReadStatus.READ and r.statement]
        if statements and workflow.patched(STATEMENTS_KEPT):
            self._readings.update({r.ref.sha256: r for r in statements})
        principal = self._dd_commit().drawn + request.amount
        counted = [*self.loan_file(), *fresh]
        if self._borrowers_first:  # since its marker, another company's statement counts nowhere
            counted = [r for r in counted
                       if other_company(r.statement, self._application.applicant_name,
                                        near_names_held=self._near_names_held) is None]
        dscr, basis = projected_dscr(counted, self._dd_pinned_plan(),
                                     self._dd_terms(), principal, workflow.now().date(),
                                     workflow.patched(DSCR_ANNUALISED))
        return DrawdownFacts(dscr=dscr, dscr_basis=basis, principal=principal,
                             defaults=self._dd_events_of_default(),
                             documents=[c for _, c in checks])

    async def _dd_read_supporting(
        self, doc: SupportingDocument
    ) -> tuple[DocumentReading | None, DocumentCheck]:
        try:
            reading = await read_document(self._workflow_id, doc.ref, READ_RETRY)
        except ActivityError as err:
            cause = str(err.cause) if err.cause else str(err)
            check = check_document(doc.label, None, f"could not be read: {cause}")
            return None, check.model_copy(update={"sha256": doc.ref.sha256,
                                                  "filename": doc.ref.filename})
        return reading, check_document(doc.label, reading, None)

    def _dd_events_of_default(self) -> list[str]:
        """Early warnings on this loan: none until it is reviewed (from its first drawdown,
        workflows/drawdown_reviews.py, else from the close), so then a review's covenant
        breach; not a downgrade, which a quarter's interest past due brings (the project
        draws on with it, as before it was classed) and a breach comes with a warning of its
        own. Since the marker, not a breach lifted (waived, or cured by a later review); and
        the breaches that stand say who may lift them, and how."""
        raised = events_of_default(self._pl.warnings, lifting=False)
        standing = events_of_default(self._pl.warnings)
        if standing != raised and not workflow.patched(DEFAULTS_LIFTED):
            standing = raised
        said = [f"early warning {n} {w.kind}: {w.detail}" for n, w in standing]
        breaches = [n for n, w in standing if w.kind == "covenant_breach"]
        if breaches and workflow.patched(DEFAULTS_LIFTED):
            team = self._risk_team()
            supervisors = [m.id for m in self.policy.staff
                           if m.role is Role.SUPERVISOR and m.team == team]
            said.append(how_to_lift(self._workflow_id, breaches, team, supervisors))
        return said

    # -- closing ---------------------------------------------------------------------------

    async def _dd_close_commitment(
        self, actor: Actor, why: str, nothing_drawn: Stage = Stage.CLOSED,
        channel: Channel | None = None,
    ) -> None:
        """Cancel the undrawn commitment; with nothing drawn the journey ends, `nothing_drawn`,
        once the commitment fee it accrued is paid or waived (`_dd_charge_fees`). `channel`:
        the customer's who withdrew, when they said it; none when the rules close them."""
        commitment = self._dd_commit()
        undrawn = commitment.available
        note = f"{why}: {undrawn:,} undrawn commitment cancelled"
        self._dd_commitment = commitment.model_copy(
            update={"cancelled": undrawn, "closed_at": workflow.now(), "closing_note": note}
        )
        self.emit(EventType.TOUCHPOINT, actor=actor.id, channel=channel,
                  detail=f"drawdowns closed: {note}")
        self.record_decision(actor, "commitment cancelled", note)
        await self.notify(f"{self._workflow_id}:drawdowns:closed", "customer",
                          "commitment_cancelled", note)
        if commitment.drawn <= 0:
            fees = ""
            if commitment.interest_from is not None and workflow.patched(FEES_WITHOUT_DRAWING):
                fees = await self._dd_charge_fees()
            raise JourneyEnded(nothing_drawn, f"nothing drawn: {note}{fees}")

    def _dd_rebuild_plan(self) -> None:
        """Repayment on what was actually drawn, after the grace period, to the end of the
        tenor, with the interest the drawdowns earned until now due with the first instalment
        (and what was paid beyond it credited to the plan); post_loan reads it."""
        commitment = self._dd_commit()
        today = self.today()
        booked = [r for r in self._dd_records if r.state is DrawdownState.BOOKED]
        unused, accrued = 0, Decimal("0.00")
        unpaid: list[Instalment] = []
        if workflow.patched(PLAN_TO_MATURITY):  # before it: no interest, and the tenor cut
            unused = unused_months(today, self.day_of(commitment.available_until))
            owed = self._dd_interest_at_close(booked, today)
            accrued = owed.total
            if owed.unpaid and workflow.patched(QUARTERS_STAY_PAST_DUE):
                unpaid, accrued = owed.unpaid, owed.rest
            if owed.ahead and workflow.patched(PAID_AHEAD_CREDITED):
                self._pl.payments.extend(paid_ahead(owed, today, len(self._pl.payments)))
            self._dd_commitment = commitment.model_copy(update={"interest_accrued": accrued})
        schedule = repayment_plan(self._dd_pinned_plan(), self._dd_terms(), commitment.drawn,
                                  today, unused, accrued)
        if self._dd_signed_offer().bank_days:
            schedule = on_working_days(schedule, self.calendar.next_working_day,
                                       workflow.patched(PLAN_PERIODS_KEPT))
        if unpaid:
            schedule = quarters_first(unpaid, schedule)
            self._dd_told_of(unpaid)
        self._offer = self._dd_signed_offer().model_copy(
            update={"schedule": schedule, "starts_on": today}
        )
        payees = list(dict.fromkeys(r.payee or "" for r in booked))
        last_booked = max((r.booked_at for r in booked if r.booked_at), default=None)
        self._disbursement = Disbursement(
            booking_id=booked[0].booking_id or "",
            amount=commitment.drawn,
            payee="; ".join(payees),
            booked_at=last_booked or workflow.now(),
        )

    def _dd_told_of(self, unpaid: list[Instalment]) -> None:
        """The quarters left unpaid are the plan's first instalments now (`quarters_first`):
        what the customer was reminded of and told past due while the project drew is not
        sent again under their new numbers."""
        for number, quarter in enumerate(unpaid, start=1):
            if quarter.number in self._dd_reminded:
                self._pl.reminded.append(number)
            if quarter.number in self._dd_overdue_noticed:
                self._pl.overdue_noticed.append(number)

    # -- small helpers -----------------------------------------------------------------------

    def _dd_arm_sla(self, visit: StageVisit) -> asyncio.Task[None] | None:
        """The plan's decision SLA, unless the policy gives disbursement one."""
        return self.arm_own_sla(visit, self._dd_pinned_plan().decision_sla)

    async def _dd_wait_until(self, ready: Callable[[], bool], until: datetime) -> bool:
        """Wait for `ready()` until `until`; False when the time ran out first."""
        left = until - workflow.now()
        if ready():
            return True
        if left <= timedelta(0):
            return False
        try:
            await workflow.wait_condition(ready, timeout=left)
        except TimeoutError:
            return ready() and workflow.now() < until
        return True

    def _dd_event(
        self, record: DrawdownRecord, step: str, why: str = "", actor: str | None = None
    ) -> None:
        """A step of the drawdown, in the channel the customer asked through: the bank's
        answer to the request, where the customer follows it."""
        detail = f"drawdown {record.request.tranche_id} {step}" + (f": {why}" if why else "")
        self.emit(EventType.TOUCHPOINT, actor=actor, team=self._team,
                  channel=record.request.channel, detail=detail)

    def _dd_settle(self, record: DrawdownRecord, state: DrawdownState, reason: str) -> None:
        record.state, record.reason, record.settled_at = state, reason, workflow.now()

    async def _dd_tell(
        self, record: DrawdownRecord, recipient: str, template: str, body: str
    ) -> None:
        key = f"{self._workflow_id}:drawdown:{record.number}:{template}"
        await self.notify(key, recipient, template,
                          f"drawdown {record.request.tranche_id}: {body}")

    def _dd_pinned_plan(self) -> DrawdownPlan:
        assert self._dd_plan is not None, "drawdowns are open"
        return self._dd_plan

    def _dd_commit(self) -> Commitment:
        assert self._dd_commitment is not None, "drawdowns are open"
        return self._dd_commitment

    def _dd_terms(self) -> RepaymentTerms:
        offer = self._dd_signed_offer()
        return RepaymentTerms(annual_rate=offer.annual_rate, method=offer.method,
                              frequency=offer.frequency, term_months=offer.term_months)

    def _dd_signed_offer(self) -> Offer:
        assert self._offer is not None, "drawdowns follow a signed offer"
        return self._offer
