"""Classification, reviews and the review schedule of a lent loan: shared by the post-loan
stage (workflows/post_loan.py) and a project that is reviewed while it draws
(workflows/drawdown_reviews.py).

Apply the review results (early warnings on a covenant breach, breaches cured where a review
finds the covenant met again), each as the review's own run returned it, reclassify by days past due
(downgrade at once, upgrade after the observation period), keep the review schedule's
cadence in step with the class (created the first time).
"""

from datetime import date, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import review_contracts as rc
    from journey.actors import Actor, Role
    from journey.class_judgement import ClassProposal
    from journey.classification import (
        RiskClass,
        classify,
        instalments_to_upgrade,
        reclassify,
        worse,
    )
    from journey.loan_account import Account
    from journey.post_loan_policy import first_review_on, review_calendar, review_every
    from journey.post_loan_warnings import open_breach, record_cures, record_latest, warned_of
    from journey.repayment import add_months
    from workflows.activity_options import QUICK
    from workflows.io_retry import io_retry
    from workflows.post_loan_handlers import REVIEWS_CONFIRMED, PostLoanHandlers

SYSTEM = Actor(id="post-loan", role=Role.SYSTEM)
REVIEWER = Actor(id="post-loan-review", role=Role.SYSTEM)  # who records a review's result
KEEP_REVIEW_IDS = 20
# workflow.patched marker: before it, each review raised a breach again while its warning
# was still open.
ONE_OPEN_WARNING_PER_BREACH = "one-open-warning-per-breach"
# workflow.patched marker: before it, a review on the same statements raised again a breach
# the risk team had acknowledged; since, only a review that read newer statements does.
BREACH_AGAIN_ON_NEW_STATEMENTS = "breach-again-on-new-statements"
# workflow.patched marker: before it, a non-performing loan was upgraded after the policy's
# count of on-time instalments alone.
NPL_UPGRADE_PERIOD = "npl-upgrade-period"
# workflow.patched marker: a class confirmed on the risk team's judgement (the classify_loan
# update, workflows/class_judgements.py) is taken by the post-loan loop; before it, none was.
CLASS_ON_JUDGEMENT = "class-on-judgement"


class LoanMonitoring(PostLoanHandlers):
    # -- classification, reviews and early warnings --------------------------------------

    async def _reclassify(self) -> None:
        """Downgrade at once; upgrade after the policy's observation period."""
        today, account = self.today(), self._class_account()
        dpd = account.days_past_due(today)
        self._pl.max_days_past_due = max(self._pl.max_days_past_due, dpd)
        old = self._pl.risk_class
        result = reclassify(
            old,
            dpd,
            self._pl.assessed,
            account.on_time_run(self._pl.downgraded_on, today),
            self._upgrade_needs(old),
            reviewed=self._pl.last_review is not None,
            on_file=self._pl.judged_on_file,
        )
        self._pl.class_reason = result.reason
        if result.risk_class is old and self._pl.judgement:  # held: say why it has it
            self._pl.class_reason = f"{self._pl.judgement}; {result.reason}"
        await self._take_class(result.risk_class, result.reason)
        if self._pl.judged is not None and workflow.patched(CLASS_ON_JUDGEMENT):
            await self._take_judgement(self._pl.judged, dpd)

    async def _take_class(self, new: RiskClass, reason: str) -> None:
        """The loan classed `new` for `reason`: a decision; a downgrade is an early warning
        (its timing event, notice and upsert), from which the observation period runs."""
        old = self._pl.risk_class
        if new is old:
            return
        self._pl.risk_class, self._pl.judgement = new, ""
        why = f"{old} ({old.label_zh}) -> {reason}"
        self.record_decision(SYSTEM, "reclassified", why)
        if new.rank > old.rank:
            self._pl.downgraded_on = self.today()
            await self._warn("downgrade", why)  # its upsert lists the new class
        elif self.class_listed():
            self._upsert()

    async def _take_judgement(self, judged: ClassProposal, dpd: int) -> None:
        """A class confirmed on the risk team's judgement, never better than the days past
        due and the last review give: it stands until the observation period allows an
        upgrade (`reclassify`) or another judgement is confirmed."""
        self._pl.judged = None
        floor = classify(dpd, self._pl.assessed)
        new = worse(judged.risk_class, floor)
        reason = (f"{new} ({new.label_zh}) on the risk team's judgement ({judged.by}, "
                  f"confirmed by {judged.confirmed_by}): {judged.reason}")
        # the reason first: a downgrade awaits its warning's notice, and a status read meanwhile
        # showed the new class with the reason of the old one
        self._pl.class_reason = reason
        await self._take_class(new, f"{reason} ({dpd} days past due, floor {floor.label_zh})")
        self._pl.judgement = reason  # `_take_class` cleared it

    def _upgrade_needs(self, current: RiskClass) -> int:
        """On-time instalments an upgrade from `current` needs (since the marker, out of
        non-performing at least two periods and six months)."""
        needed = self._policy_pl().upgrade_after_on_time_instalments
        if not current.non_performing or self._offer is None:
            return needed
        if not workflow.patched(NPL_UPGRADE_PERIOD):
            return needed
        return instalments_to_upgrade(current, needed, self._offer.frequency.months)

    def _observing(self) -> bool:
        """An upgrade is held until enough instalments are paid on time."""
        dpd = self._class_account().days_past_due(self.today())
        return classify(dpd, self._pl.assessed).rank < self._pl.risk_class.rank

    async def _apply_reviews(self) -> None:
        while self._pl.review_inbox:
            signalled = self._pl.review_inbox.pop(0)
            self._pl.reviews_seen = [*self._pl.reviews_seen,
                                     signalled.review_id][-KEEP_REVIEW_IDS:]
            result = await self._review_run(signalled)
            if result is None:
                continue
            self._pl.last_review, self._pl.assessed = result, result.assessed
            self._pl.reviews_this_run += 1
            for reading in result.new_readings:
                self._readings[reading.ref.sha256] = reading
            breaches = result.breaches
            self.record_decision(
                REVIEWER,
                "reviewed",
                f"{result.review_id}: assessed {result.assessed}, "
                f"{len(breaches)} covenant breach(es), {result.days_past_due} days past due",
            )
            for check in breaches:
                if ((still := open_breach(self._pl.warnings, check.covenant.id))
                        and workflow.patched(ONE_OPEN_WARNING_PER_BREACH)):
                    # still on the risk team's queue: no second task, its figure kept latest
                    record_latest(still, check, result.reviewed_on, result.review_id)
                    continue
                if (not result.new_readings
                        and warned_of(self._pl.warnings, check.covenant.id)
                        and workflow.patched(BREACH_AGAIN_ON_NEW_STATEMENTS)):
                    continue  # acknowledged on these statements: nothing new to act on
                await self._warn("covenant_breach", check.detail, result.review_id,
                                 check.covenant.id, check.value)
            record_cures(self._pl.warnings, result.checks, result.review_id)

    async def _review_run(self, signalled: rc.ReviewResult) -> rc.ReviewResult | None:
        """The review `signalled` names, as its own run returned it (since the marker; before
        it, the signal as it came); None, recorded as refused, where no review of this loan
        ran under that id, or it is older than the last review taken."""
        if not workflow.patched(REVIEWS_CONFIRMED):
            return signalled
        answer = await workflow.execute_activity(
            rc.CONFIRM_REVIEW,
            rc.ConfirmReviewInput(journey_id=self._workflow_id, review_id=signalled.review_id,
                                  task_queue=workflow.info().task_queue),
            result_type=rc.ReviewConfirmation,
            start_to_close_timeout=QUICK,
            retry_policy=io_retry(),
        )
        own, last, refused = answer.result, self._pl.last_review, answer.refused
        if own is not None and last is not None and own.reviewed_on < last.reviewed_on:
            refused = (f"review of {own.reviewed_on}, older than the last taken "
                       f"({last.review_id} of {last.reviewed_on})")
        if own is None or refused:
            workflow.logger.warning("review result %s refused: %s", signalled.review_id, refused)
            self.record_decision(REVIEWER, "review refused", f"{signalled.review_id}: {refused}")
            return None
        return own

    # -- the review schedule -------------------------------------------------------------

    async def _keep_review_cadence(self) -> None:
        policy = self._policy_pl()
        every = review_every(policy, self._pl.risk_class)
        if every == self._pl.schedule_every_months:
            return
        creating = self._pl.schedule_every_months is None
        assert self._offer is not None
        first = (
            first_review_on(policy, self._reviewed_from())
            if creating
            else add_months(self.today(), every)
        )
        end = self._offer.schedule[-1].due_on + timedelta(days=31)
        request = rc.ReviewScheduleInput(
            journey_id=self._workflow_id,
            calendar=review_calendar(policy, first, every, end),
            task_queue=workflow.info().task_queue,
            note=rc.review_note(self._workflow_id, self._pl.risk_class),
        )
        name = rc.CREATE_REVIEW_SCHEDULE if creating else rc.SET_REVIEW_CADENCE
        await self._review_schedule(name, request)
        self._pl.schedule_every_months = every

    async def _review_schedule(
        self, name: str, request: rc.ReviewScheduleInput | rc.ReviewScheduleDeleteInput
    ) -> None:
        """Create, re-time or delete the review schedule (servers without schedules: no-op)."""
        await workflow.execute_activity(
            name,
            request,
            result_type=rc.ReviewScheduleResult,
            start_to_close_timeout=QUICK,
            retry_policy=io_retry(),
        )


    # -- small helpers -------------------------------------------------------------------

    def _reviewed_from(self) -> date:
        """The day the loan's money went out, which its first review counts from (a project
        that reviews while it draws: its first drawdown's, workflows/drawdown_reviews.py)."""
        assert self._disbursement is not None, "reviews follow the disbursement"
        return self.day_of(self._disbursement.booked_at)

    def _class_account(self) -> Account:
        """The account whose days past due classify the loan (a project while it draws:
        its interest's, workflows/drawdown_reviews.py)."""
        return self._account()

    def _account(self) -> Account:
        account = self.account()
        assert account is not None, "post-loan management needs an offer"
        return account

