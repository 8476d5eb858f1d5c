"""The post-loan stage: manage a disbursed loan until it is repaid or written off.

One loop, woken by a durable timer at the next moment something changes by itself (a
reminder falls due, an instalment goes past due, the days past due cross a classification
floor, a floating-rate loan's repricing date comes) or by a handler (a repayment, a review
result, a write-off vote). Each wake-up: reprice to the LPR when its day has come, send due
reminders and overdue notices (idempotent by key in the outbox), reclassify by days
past due, apply review results (early warnings on a downgrade or a covenant breach), keep
the review schedule's cadence in step with the class, flush the timing events. The history
stays bounded: the loop continues as new after each review cycle, past an event count or
once a run has lasted a year (the policy's `continue_after_days`),
carrying the plan, payments, timeline and everything else in `PostLoanCarry`
(workflows/post_loan_carry.py, `_continue_as_new`).
"""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey import review_contracts as rc
    from journey.end_notices import your_application
    from journey.loan_account import Account
    from journey.owed_back import REFUND_DUE
    from journey.post_loan_wakeups import next_wakeup
    from journey.post_loan_warnings import Resolution, close_at_end, open_numbers
    from journey.stages import Party, Stage
    from workflows.activity_options import QUICK
    from workflows.bookkeeping import JourneyEnded
    from workflows.calendar_learning import CALENDAR_LEARNED, CalendarLearning
    from workflows.exposure import GROUP_EXPOSURE, keep_exposure
    from workflows.io_retry import io_retry
    from workflows.post_loan_monitoring import SYSTEM
    from workflows.post_loan_review import PostLoanReviewWorkflow

__all__ = ["PostLoanReviewWorkflow", "PostLoanStage"]

# workflow.patched marker: before it, a repaid loan closed without a notice to the customer.
CLOSING_NOTICE = "closing-notice"
# workflow.patched marker: before it, a repaid loan closed with its early warnings still open;
# since, they are closed at its closing, resolved by the repayment, by the system.
WARNINGS_CLOSED_AT_REPAYMENT = "warnings-closed-at-repayment"
# workflow.patched marker: before it, a loan written off kept its early warnings open; since,
# they are closed as it is written off, resolved by the write-off, by the system.
WARNINGS_CLOSED_AT_WRITE_OFF = "warnings-closed-at-write-off"
# workflow.patched marker: before it, a repayment in full that arrived while the loop waited
# for its writes (after it had kept the principal owed) closed the loan with its line in the
# borrower's exposure still at the principal before, counted as owed for ever; since, the
# principal is kept once more as the loan closes. Taken only where it had not been kept.
PRINCIPAL_KEPT_AT_CLOSE = "principal-kept-at-close"
# workflow.patched marker: before it, the customer's `plan_changed` and `loan_closed` notices
# named no application (a company with two loans could not tell which); since, they begin
# with the application, as the journey's other notices do.
LOAN_NOTICES_NAMED = "loan-notices-named"


class PostLoanStage(CalendarLearning):
    async def post_loan(self) -> None:
        if self._resumed:
            visit = self._visits[-1]
            if self.class_listed():  # a run continued from one before LoanClass
                self._upsert()
            if self.bank_days() and workflow.patched(CALENDAR_LEARNED):
                await self.learn_calendar(self._loan_named)  # a year published since
        else:
            visit = self._enter(Stage.POST_LOAN, Party.CUSTOMER, None)
            if self._pl_policy is None:  # offered before the offer pinned it
                await self._pin_post_loan_policy()
            await self._warn_of_breaches_on_file()
            self._keep_warnings_listed()  # those a project raised while it drew
        while True:
            ending = await self._manage()
            if ending != "continue":
                break
            # returns only when something arrived meanwhile, or the next wake-up came
            await self._continue_as_new(Stage.POST_LOAN, wakeup=self._until_wakeup())
        self._exit(visit, Stage.CLOSED)
        await self._review_schedule(
            rc.DELETE_REVIEW_SCHEDULE, rc.ReviewScheduleDeleteInput(journey_id=self._workflow_id)
        )
        await self.flush()
        if ending == "written_off":
            raise JourneyEnded(
                Stage.CLOSED, f"written off by the credit committee: {self._written_off}"
            )

    async def _manage(self) -> str:
        while True:
            changes = self._changes
            await self.reprice()
            await self._remind(self._account(), self._pl.reminded, self._pl.overdue_noticed)
            await self._confirm_prepayments(self._account())
            await self._apply_reviews()
            await self._reclassify()
            await self._keep_review_cadence()
            await self._keep_principal()
            await self.flush()
            if self._written_off is not None:
                self._close_warnings(Resolution.WRITTEN_OFF, WARNINGS_CLOSED_AT_WRITE_OFF)
                return "written_off"
            account = self._account()
            if account.repaid:
                if account.principal_owed != self._principal_kept and workflow.patched(
                        PRINCIPAL_KEPT_AT_CLOSE):
                    await self._keep_principal()  # repaid while the loop flushed
                await self._settle(account)
                return "repaid"
            if self._pl.reviews_this_run >= self._policy_pl().continue_after_reviews \
                    or self._history_too_long() or self._run_too_old():
                return "continue"
            if changes != self._changes:
                continue  # a handler ran while we were busy: look again before sleeping
            await self._wait_for_change(changes, self._until_wakeup())

    def _until_wakeup(self) -> timedelta | None:
        """How long from now until the loop's next wake-up (at least a second); None when
        nothing comes by itself."""
        wake = self.repricing_wakeup(next_wakeup(
            self._account(), self._policy_pl(), self._pl.reminded, workflow.now(),
            self._observing(), self.day_zone(), daily_in_arrears=self.bank_days(),
        ))
        return None if wake is None else max(wake - workflow.now(), timedelta(seconds=1))

    async def _wait_for_change(self, changes: int, timeout: timedelta | None) -> None:
        try:
            await workflow.wait_condition(lambda: self._changes != changes, timeout=timeout)
        except TimeoutError:
            pass

    # -- reminders and notices -----------------------------------------------------------

    async def _confirm_prepayments(self, account: Account) -> None:
        """The customer's new plan after a prepayment: the instalments keep their dates and
        shrink (`loan-journey plan` shows them all)."""
        for p in self._pl.payments:
            if not p.prepays or p.reference in self._pl.prepayments_noticed:
                continue
            await self.notify(
                f"{self._workflow_id}:prepaid:{p.reference}", "customer", "plan_changed",
                f"{self._loan_named()}{p.amount:,} prepaid on {p.paid_on}: "
                f"{account.principal_owed:,} of principal left; the plan ends on "
                f"{account.ends_on()}, the next instalment is {account.next_instalment()}",
            )
            self._pl.prepayments_noticed.append(p.reference)

    def _loan_named(self) -> str:
        """What begins a notice of the loan: its application ("Your application APP-1 for a
        working capital loan of 3,000,000.00: "); nothing before LOAN_NOTICES_NAMED."""
        return (f"{your_application(self._application)}: "
                if workflow.patched(LOAN_NOTICES_NAMED) else "")

    def _close_warnings(self, resolution: Resolution, marker: str) -> None:
        """The loan ended: its open early warnings closed by the system, resolved by that end.
        The marker only where there is a warning to close: a loan ending clean records none."""
        if open_numbers(self._pl.warnings) and workflow.patched(marker):
            closed = close_at_end(self._pl.warnings, resolution, SYSTEM.id, workflow.now())
            self.record_decision(
                SYSTEM, "warning_acknowledged",
                f"warning {', '.join(map(str, closed))}: {resolution}: {resolution.note}")

    async def _settle(self, account: Account) -> None:
        self._close_warnings(Resolution.LOAN_REPAID, WARNINGS_CLOSED_AT_REPAYMENT)
        if workflow.patched(CLOSING_NOTICE):  # what the customer keeps as proof of settlement
            refund = f"; {account.credit:,} paid over is refunded" if account.credit else ""
            named = self._loan_named()
            await self.notify(
                f"{self._workflow_id}:closed", "customer", "loan_closed",
                f"{named}{'the loan was ' if named else ''}{self.closing_reason()} on "
                f"{self.today()}: {account.paid:,} paid in all, nothing is owed{refund}",
            )
        if account.credit > 0:
            await self.notify(
                f"{self._workflow_id}:credit-refund",
                "operations",
                REFUND_DUE,
                f"repaid with a credit balance of {account.credit}: refund it to the customer",
            )

    async def _pin_post_loan_policy(self) -> None:
        """Pin the post-loan policy the worker runs, with the sha256 of its text."""
        result = await workflow.execute_activity(
            rc.LOAD_POST_LOAN_POLICY,
            rc.LoadPostLoanPolicyInput(product=self._application.product.value),
            result_type=rc.PostLoanPolicyResult,
            start_to_close_timeout=QUICK,
            retry_policy=io_retry(),
        )
        self._pl_policy, self._pl_sha256 = result.policy, result.sha256

    async def _keep_principal(self) -> None:
        """The principal the loan owes, in its line of the borrower's exposure, as it changes."""
        owed = self._account().principal_owed
        if owed == self._principal_kept or not workflow.patched(GROUP_EXPOSURE):
            return
        self._principal_kept = owed
        await self._behind(keep_exposure(self._workflow_id, self._application, owed))
