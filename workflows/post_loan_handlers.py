"""How people and reviews act on a loan after disbursement: repayments, review results,
write-off votes, and what the journey tells reviews and operators.

Handlers only record state and bump `_changes`; the post-loan loop (workflows/post_loan.py)
wakes on that counter and acts, so nothing that arrives while it is busy is lost.
"""

import asyncio
from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.actors import Role
    from journey.bank_accounts import account_refusal
    from journey.bank_reference import bank_reference
    from journey.decisions import (
        AddDocuments,
        Repayment,
        ScheduleAction,
        ScheduleChange,
        UpdateResult,
        WriteOff,
    )
    from journey.loan_account import Account, Payment
    from journey.loan_payments import (
        AHEAD_OF_PLAN,
        nothing_to_settle,
        prepayment_refusal,
        repayment_refusal,
        settlement_quote,
    )
    from journey.policy import ApprovalTier, DecisionRefused, authorize_staff
    from journey.policy.authority import SCHEDULING_ROLES, authorize_receipt
    from journey.policy.review_stops import STOPPING, authorize_review_stop, paused_by
    from journey.reference_contracts import (
        RESERVE_REFERENCE,
        ReferenceReservation,
        ReserveReferenceInput,
    )
    from journey.repayment import RepaymentMethod, money
    from journey.review_contracts import (
        FOR_THE_NEXT_REVIEW,
        REVIEW_FACTS_QUERY,
        REVIEW_SIGNAL,
        ReviewFacts,
        ReviewResult,
    )
    from journey.stages import Stage
    from journey.status import JourneyStatus, PaymentRecord
    from journey.timeline import EventType
    from workflows.activity_options import QUICK
    from workflows.io_retry import io_retry
    from workflows.payment_notices import PaymentNotices

# workflow.patched marker: before it, a prepayment shrank an equal-instalment plan's later
# instalments in proportion, each share rounded, so that they came out a cent or so apart;
# since, those after the current period are re-amortised to one level payment, the last
# taking the rounding (journey/loan_account.py, `Payment.relevels`).
PREPAYMENT_RELEVELS = "prepayment-relevels"
# workflow.patched marker: before it, a loan whose reviews were paused or whose schedule was
# deleted was on no queue, its only trace a decision; since, told so it is on its risk team's
# queue (workflows/post_loan_warnings.py `_list_reviews_stopped`) until they run again.
REVIEWS_STOPPED_LISTED = "reviews-stopped-listed"
# the changes that stop a loan's reviews or start them again
_STOPS_OR_STARTS = (ScheduleAction.PAUSED, ScheduleAction.DELETED, ScheduleAction.UNPAUSED,
                    ScheduleAction.CREATED)
# workflow.patched marker: before it, a review result was applied as its signal carried it,
# whoever sent it (`temporal workflow signal` from anyone with frontend access reclassified a
# loan); since, the journey takes the review the signal names as that review's own run
# returned it (the activity confirm_review), and refuses, recorded, any other. Recorded as a
# run's first review signal arrives: the audit reads no readings from a signal in a run that
# has it (starter/documents_used.py).
REVIEWS_CONFIRMED = "reviews-confirmed"
# workflow.patched marker: before it, a repayment's reference was recorded and compared as
# typed, so that `fin-pre-001` and ` FIN-PRE-001` were two payments booked; since, in its
# normal form (journey/bank_reference.py), against those recorded before it as typed too.
REFERENCES_NORMALISED = "references-normalised"
# workflow.patched marker: before it, a repayment's reference was claimed across loans by the
# command line only, and one sent straight to the journey (channel api) was booked unclaimed;
# since, the journey claims it before booking (activities/references.py), and one another
# payment holds is not booked: kept as money received and not booked, the update saying so.
REFERENCES_RESERVED = "references-reserved"
# workflow.patched marker: before it, a repayment queued behind another's claim (the lock
# below) was booked as its validator found it when it came, against the account before the
# ones ahead of it were booked (a second settlement booked on a settled loan, all of it a
# credit); since, it is checked again once they are, and one that no longer fits is not
# booked: kept as money received and not booked, as one whose reference another payment
# holds. Taken only then: by a repayment that waited and that the account no longer takes.
QUEUED_RECHECKED = "queued-repayments-rechecked"


class PostLoanHandlers(PaymentNotices):
    # repayments are claimed and booked one at a time, in the order they came: one awaits its
    # claim across loans (REFERENCES_RESERVED) while others queue behind it, not beside it
    _booking: asyncio.Lock | None = None
    _in_line: int = 0  # repayments holding or queued for `_booking`: one that comes to more waits

    @workflow.update
    async def record_repayment(self, repayment: Repayment) -> UpdateResult:
        # uncontended, the lock is taken without a wait: a journey before the marker, whose
        # repayments await nothing, books as it did
        self._booking = self._booking or asyncio.Lock()
        ahead = len(self._payments()) if self._in_line else None
        self._in_line += 1
        try:
            async with self._booking:
                return await self._record_repayment(repayment, ahead)
        finally:
            self._in_line -= 1

    async def _record_repayment(self, repayment: Repayment, ahead: int | None = None
                                ) -> UpdateResult:
        """Book `repayment`; one that waited behind others (`ahead`: the loan's payments
        when it came) is checked again, on the account they left (`_queued_refusal`)."""
        normal = workflow.patched(REFERENCES_NORMALISED)
        if normal:  # recorded in the bank's spelling
            repayment = repayment.model_copy(
                update={"reference": bank_reference(repayment.reference)})
        known = self._known(repayment.reference, normal)
        refused = None if ahead is None else self._queued_refusal(repayment, ahead)
        if refused is not None and not workflow.patched(QUEUED_RECHECKED):
            refused = None  # booked as its validator found it, as before the marker
        if refused is not None and known is not None:
            # another payment under a reference this loan booked: the money under it is
            # that payment's, so none is kept (the validator refuses it so, nothing kept)
            self.record_decision(repayment.actor, "repayment not booked", refused)
            return UpdateResult(accepted=False, stage=self._stage, message=refused)
        if known is None and workflow.patched(REFERENCES_RESERVED):
            held = await self._reserve(repayment, refused)
            if held.not_booked:
                self.record_decision(repayment.actor, "repayment not booked", held.said)
                return UpdateResult(accepted=False, stage=self._stage, message=held.said)
            known = self._known(repayment.reference, normal)  # recorded meanwhile: sent twice
        if known is None:
            self._repayments[repayment.reference] = repayment
            payments = self._payments()
            payments.append(
                Payment(
                    reference=repayment.reference,
                    amount=repayment.amount,
                    paid_on=repayment.paid_on or self.payment_day(),
                    order=len(payments),
                    settles=repayment.settles,
                    prepays=repayment.prepays,
                    shortens=repayment.shortens,
                    relevels=self._relevels(repayment),
                )
            )
            self._changes += 1
            self.emit(EventType.TOUCHPOINT, actor=repayment.actor.id, channel=repayment.channel,
                      detail=f"{repayment.kind} {repayment.reference}")
        again = "" if known is None else f"{repayment.reference} was already recorded; "
        return UpdateResult(stage=self._stage, message=again + self._repaid(repayment))

    def _known(self, reference: str, normal: bool = True) -> Repayment | None:
        """The repayment recorded under `reference`: in its normal form (`normal`: since
        REFERENCES_NORMALISED, and in every validator, which runs for new updates only),
        against those recorded before it as typed too; before it, as typed."""
        if not normal:
            return self._repayments.get(reference)
        key = bank_reference(reference)
        return next((r for typed, r in self._repayments.items()
                     if typed == key or bank_reference(typed) == key), None)

    def _queued_refusal(self, repayment: Repayment, ahead: int) -> str | None:
        """Why a repayment that queued behind others is not booked now that they are, in the
        validator's words (`_repayment_refusal`), naming those booked ahead of it; None when
        the account still takes it."""
        refusal = self._repayment_refusal(repayment)
        if refusal is None:
            return None
        booked = [p.reference for p in self._payments()[ahead:]]
        return (f"queued behind {', '.join(booked)}, booked first: {refusal}" if booked
                else f"checked again once the repayments ahead of it were answered: {refusal}")

    async def _reserve(self, repayment: Repayment, refused: str | None = None
                       ) -> ReferenceReservation:
        """The repayment's reference claimed for this loan across loans, whoever sent it (the
        command line claimed it already; a system sending straight here did not); held by
        another payment, the money is kept as received and not booked. So is it when the
        journey `refused` it (queued behind others, it no longer fits the account): the
        money came under its reference for this loan, so the claim is made and stays, as for
        any money kept not booked (store/reference_claims.py): the same bank payment cannot
        be booked again elsewhere by mistake, and it is returned to its payer (`pending
        return`) or, the statement saying it pays another loan, booked there, its claim
        moving with it. Released, the reference would leave the money kept with none."""
        update = workflow.current_update_info()
        return await workflow.execute_activity(
            RESERVE_REFERENCE,
            ReserveReferenceInput(workflow_id=self._workflow_id,
                                  update_id=update.id if update else "", repayment=repayment,
                                  refused=refused),
            result_type=ReferenceReservation,
            start_to_close_timeout=QUICK,
            retry_policy=io_retry(),
        )

    def _relevels(self, repayment: Repayment) -> bool:
        """Whether a prepayment re-amortises the plan (`Payment.relevels`): one that shrinks
        an equal-instalment plan, since the marker."""
        return (repayment.prepays and not repayment.shortens and self._offer is not None
                and self._offer.method is RepaymentMethod.EQUAL_INSTALMENT
                and workflow.patched(PREPAYMENT_RELEVELS))

    def _payments(self) -> list[Payment]:
        """Where a repayment is recorded: the loan's payments (a project's interest while it
        draws, workflows/drawdown_updates.py, has its own)."""
        return self._pl.payments

    def _recorded(self) -> list[Payment]:
        """Every payment recorded on the loan, for status (a project's interest while it
        drew as well, workflows/drawdown_interest.py)."""
        return self._pl.payments

    def _paid_into(self, on: date) -> tuple[Account | None, str]:
        """The account a repayment on `on` pays, and what to do with money beyond what a
        repayment pays (a project's interest while it draws has its own,
        workflows/drawdown_interest.py)."""
        return self.account(on), AHEAD_OF_PLAN

    def _repaid(self, repayment: Repayment) -> str:
        """What the account stands at once `repayment` is recorded."""
        account = self.account()
        assert account is not None
        return (f"principal left {money(account.principal_owed)}, arrears "
                f"{money(account.arrears(self.today()))}"
                + (f", credit {money(account.credit)}" if account.credit else "")
                + (f"; next instalment {account.next_instalment()}" if repayment.prepays else ""))

    def _require_repayable(self, repayment: Repayment) -> None:
        """Repayments are taken once the loan is disbursed (a project's interest while it
        draws: workflows/drawdown_updates.py)."""
        self._require_stage(Stage.POST_LOAN)

    @record_repayment.validator
    def _validate_repayment(self, repayment: Repayment) -> None:
        self._require_repayable(repayment)
        authorize_receipt(self.policy, repayment.actor)
        if repayment.from_account is not None and (
                wrong := account_refusal(repayment.from_account)) is not None:
            raise DecisionRefused(f"from_account, the payer's account: {wrong}")
        if (refusal := self._repayment_refusal(repayment)) is not None:
            raise DecisionRefused(refusal)

    def _repayment_refusal(self, repayment: Repayment) -> str | None:
        """Why the account as it stands does not take `repayment`, or None: the rule the
        validator applies as it comes, and the handler again to one that queued behind
        others, once they are booked (`_queued_refusal`). The reference in the bank's form,
        as recorded: 3 to 64 characters, as typed (a validator runs for new updates only, and
        the handler's check since its own marker, so this needs none)."""
        normal = bank_reference(repayment.reference)
        if not 3 <= len(normal) <= 64:
            return (f"reference {repayment.reference!r} is {normal!r} as the bank writes it: "
                    "give the bank payment's reference, 3 to 64 characters")
        known = self._known(repayment.reference)
        if known is not None and (known.amount, known.kind) != (repayment.amount, repayment.kind):
            return (f"reference {repayment.reference} is already recorded, a {known.kind} of "
                    f"{money(known.amount)}: a different payment needs its own reference")
        if (known is not None and None not in (known.from_account, repayment.from_account)
                and known.from_account != repayment.from_account):
            # the account is not named: a refusal travels unencrypted (starter/codec.py)
            return (f"reference {repayment.reference} is already recorded, from another "
                    "payer's account: a different payment needs its own reference")
        if repayment.paid_on is not None:
            if repayment.paid_on > self.payment_day():
                return (f"paid_on {repayment.paid_on} is in the future: record a payment once "
                        "the money has arrived")
            booked = self.paid_out_on()
            if booked is not None and repayment.paid_on < booked:
                return (f"paid_on {repayment.paid_on} is before the disbursement on {booked}: "
                        "check the value date")
        if known is not None:
            return None
        if repayment.settles or repayment.prepays:
            return self._ahead_of_plan_refusal(repayment)
        on = repayment.paid_on or self.payment_day()
        account, instead = self._paid_into(on)
        assert account is not None, "repayments follow the offer"
        return repayment_refusal(account, repayment.amount, on, instead)

    def _ahead_of_plan_refusal(self, repayment: Repayment) -> str | None:
        """Why `repayment` cannot settle or prepay, or None: an early settlement pays at least
        the quote for its day, a prepayment more than is due by its day and less than settles
        the loan; neither comes before a payment already recorded, whose allocation it would
        change, nor after the loan is repaid (its quote is then nothing, so any sum would
        pass as a settlement, all of it paid over)."""
        on = repayment.paid_on or self.payment_day()
        account, start = self.account(on), self.plan_start()
        assert account is not None and start is not None, "post-loan has an offer and a booking"
        if account.repaid and (last := self._pl.payments[-1:]):
            paid = self._repayments.get(last[0].reference)
            return (f"the loan is repaid, the {paid.kind if paid else 'payment'} "
                    f"{last[0].reference} of {money(last[0].amount)} booked last: nothing is "
                    "left to settle or prepay; return this payment to the payer")
        fee = self.prepayment_fee()
        refusal = (nothing_to_settle(account, on) if repayment.settles
                   else prepayment_refusal(account, repayment.amount, on, start, fee,
                                           self.prepayment_minimum(), self.penalty_rate()))
        if refusal is not None:
            return refusal
        latest = max((p.paid_on for p in self._pl.payments), default=None)
        if latest is not None and on < latest:
            return (f"a {repayment.kind} on {on} would come before the payment recorded on "
                    f"{latest}: date it {latest} or later")
        if not repayment.settles:
            return None
        quote = settlement_quote(account, on, start, self.penalty_rate(), fee)
        if repayment.amount < quote.owed:
            return (f"settling on {on} takes {money(quote.owed)} ({quote.owed_parts()}), not "
                    f"{money(repayment.amount)}: "
                    "record that amount, or this one as a repayment without settling")
        return None

    @workflow.update
    async def add_statements(self, request: AddDocuments) -> UpdateResult:
        """Statements sent after disbursement: the next review reads them."""
        taken = self.take_documents(request, "statements")
        return UpdateResult(stage=self._stage, message=f"{taken}, {FOR_THE_NEXT_REVIEW}")

    @add_statements.validator
    def _validate_add_statements(self, request: AddDocuments) -> None:
        self._require_managed()
        self._authorize_customer_side(request.actor, "send statements")

    @workflow.update
    async def record_schedule_change(self, change: ScheduleChange) -> UpdateResult:
        """Who paused, resumed, ran or deleted this loan's reviews, and why: the schedule
        lives beside the journey, so its changes are recorded here (starter/schedules_cli)."""
        self.record_decision(change.actor, f"reviews {change.action}", change.note)
        if change.action in _STOPS_OR_STARTS and workflow.patched(REVIEWS_STOPPED_LISTED):
            self._list_reviews_stopped(change)
        return UpdateResult(stage=self._stage, message=f"reviews {change.action}")

    @record_schedule_change.validator
    def _validate_schedule_change(self, change: ScheduleChange) -> None:
        """Whoever records a pause, a resumption or a deletion could have made it: the loan's
        risk team (journey/policy/review_stops.py), as `schedules pause` checks."""
        self._require_managed()
        if change.action not in STOPPING:
            authorize_staff(self.policy, change.actor, SCHEDULING_ROLES)
            return
        authorize_review_stop(self.policy, change.actor, self._risk_team(), change.action,
                              paused_by(self._decisions))

    @workflow.signal(name=REVIEW_SIGNAL)
    def review_result(self, result: ReviewResult) -> None:
        """A review says it has run: queued for the post-loan loop, which takes the review it
        names as that review's own run returned it, never the figures signalled
        (workflows/post_loan_monitoring.py, `_review_run`)."""
        workflow.patched(REVIEWS_CONFIRMED)  # this run takes no signal's figures
        seen = {r.review_id for r in self._pl.review_inbox} | set(self._pl.reviews_seen)
        if result.review_id not in seen:
            self._pl.review_inbox.append(result)
            self._changes += 1

    @workflow.update
    async def write_off(self, vote: WriteOff) -> UpdateResult:
        self._pl.write_off_votes.append(vote.actor.id)
        self.record_decision(vote.actor, "write_off", vote.reason)
        needed = self._write_off_votes_needed()
        if len(self._pl.write_off_votes) < needed:
            return UpdateResult(
                stage=self._stage,
                message=f"write-off vote {len(self._pl.write_off_votes)} of {needed} recorded",
            )
        self._written_off = vote.reason
        self._changes += 1
        await workflow.wait_condition(lambda: self._stage.terminal)
        return UpdateResult(stage=self._stage, message=f"written off: {vote.reason}")

    @write_off.validator
    def _validate_write_off(self, vote: WriteOff) -> None:
        self._require_stage(Stage.POST_LOAN)
        committee = [m for m in self.policy.staff if m.active and m.role is Role.APPROVER
                     and m.tier is ApprovalTier.CREDIT_COMMITTEE]
        member = authorize_staff(self.policy, vote.actor, {Role.APPROVER}, may=committee,
                                 needs="a write-off is decided by the credit committee")
        if member.tier is not ApprovalTier.CREDIT_COMMITTEE:
            raise DecisionRefused(
                f"{vote.actor.id!r} approves at {member.tier} tier: a write-off is decided "
                "by the credit committee; ask its members to vote"
            )
        if vote.actor.id in self._pl.write_off_votes:
            raise DecisionRefused(
                f"{vote.actor.id!r} has already voted to write this loan off: "
                f"{self._write_off_votes_needed()} distinct committee members are needed"
            )
        if not self._pl.risk_class.non_performing:
            raise DecisionRefused(
                f"the loan is classified {self._pl.risk_class} ({self._pl.risk_class.label_zh}):"
                " only a non-performing loan (substandard or worse) can be written off"
            )

    def _write_off_votes_needed(self) -> int:
        return self.policy.authority.tier(ApprovalTier.CREDIT_COMMITTEE).approvals_required

    # -- queries -------------------------------------------------------------------------

    def _review_basis(self) -> tuple[Account, date | None] | None:
        """What a review reads the loan's standing from: its account, and the day its money
        went out (a project reviewed while it draws: its interest and its first drawdown's
        day, workflows/drawdown_reviews.py); None before there is an account."""
        account = self.account()
        if account is None:
            return None
        return account, self.day_of(self._disbursement.booked_at) if self._disbursement else None

    @workflow.query(name=REVIEW_FACTS_QUERY)
    def review_facts(self) -> ReviewFacts:
        basis = self._review_basis()
        if basis is None or self._pl_policy is None or self._offer is None:
            raise DecisionRefused(
                f"the journey is at {self._stage}: reviews begin once the loan is disbursed"
            )
        account, disbursed_on = basis
        today = self.today()
        return ReviewFacts(
            journey_id=self._workflow_id,
            stage=self._stage,
            as_of=today,
            days_past_due=account.days_past_due(today),
            arrears=account.arrears(today),
            risk_class=self._pl.risk_class,
            covenants=(
                self._pl_policy.covenants
                if self._offer.covenants is None
                else self._offer.covenants
            ),
            statements=[r for r in self._readings.values() if r.statement is not None],
            unread=self.unread_documents(),
            plan=account.plan_now(),  # after prepayments: what is owed now
            disbursed_on=disbursed_on,
            borrower=self._application.applicant_name,
            # a day the money went out with no payout yet: a project's first drawdown
            drawing=self._disbursement is None and disbursed_on is not None,
            bank_utc_offset=self.calendar.utc_offset_hours,
        )

    @workflow.query
    def status(self) -> JourneyStatus:
        # the loan's days from its signature: a project still drawing is quoted by them too
        days = {"days_utc_offset": self.calendar.utc_offset_hours if self.bank_days() else 0,
                "risk_team": self._risk_team() if self._route else None,
                "reviews_stopped": self._pl.reviews_stopped}
        pinned = self._pl_policy
        base = super().status().model_copy(update={
            **days, "post_loan_policy_version": pinned.version if pinned else None,
            "post_loan_policy_sha256": self._pl_sha256})
        account = self.account() if self._stage is not Stage.OFFER else None
        if account is None or self._disbursement is None:
            return base
        today = self.today()
        return base.model_copy(
            update={
                "account": account,
                "today": today,
                "days_past_due": account.days_past_due(today),
                "max_days_past_due": self._pl.max_days_past_due,
                "arrears": account.arrears(today),
                "penalty_rate": self.penalty_rate(),
                "prepayment_fee": self.prepayment_fee(),
                "prepayment_minimum": self.prepayment_minimum(),
                "risk_class": self._pl.risk_class,
                "risk_class_reason": self._pl.class_reason,
                "class_proposal": self._pl.class_proposal,
                "warnings": self._pl.warnings,
                "payments": [
                    PaymentRecord(reference=p.reference, kind=r.kind, amount=p.amount,
                                  paid_on=p.paid_on, recorded_by=r.actor.id, channel=r.channel,
                                  shortens=p.shortens, from_account=r.from_account)
                    for p in self._recorded() if (r := self._repayments.get(p.reference))
                ],
                "last_review": self._pl.last_review,
                "rate_changes": self._pl.rate_changes,
                "run": self._pl.runs,
            }
        )
