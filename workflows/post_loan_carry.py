"""The post-loan state of a journey and what continue-as-new carries of it.

`PostLoanMemory` owns the post-loan state (payments, reminders, class, warnings, reviews),
computes the account from the plan and the payments, and turns the whole journey into a
`PostLoanCarry` and back: the next run restores it in `__init__`, before any update of
that run is validated.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from journey.contracts import PolicySnapshot
    from journey.decisions import ApprovalDecision, Repayment, RiskOpinion, Signature
    from journey.documents import DocumentReading, DocumentRef
    from journey.loan_account import Account
    from journey.loan_payments import apply_payments
    from journey.lpr import RateHistory
    from journey.policy import Completeness, Route, StageSla
    from journey.post_loan_policy import NO_FEE, PostLoanPolicy, PrepaymentFee
    from journey.post_loan_state import PostLoanCarry, PostLoanState
    from journey.repayment import money
    from journey.stages import Party, Stage
    from journey.status import (
        DecisionRecord,
        Disbursement,
        JourneyInput,
        Offer,
        StageVisit,
        plan_start,
    )
    from journey.timeline import TimingEvent
    from workflows import search_attributes as sa
    from workflows.journey_updates import JourneyUpdates

# workflow.patched marker: before it, a disbursed loan's class was not a search attribute.
LOAN_CLASS_LISTED = "loan-class-attribute"
# workflow.patched marker: before it, a post-loan run continued as new after its reviews or
# past its event count only, so a loan whose reviews were stopped kept one run for years;
# since, also once the run has lasted the policy's `continue_after_days`. Taken only then.
RUNS_BOUNDED_IN_TIME = "post-loan-runs-bounded-in-time"
# workflow.patched marker: before it, a run about to continue as new waited for its handlers
# without a timer, so while one was held (a write retried for hours) the loop's reminders,
# overdue notices and reclassifications waited too; since, the wait ends at the loop's next
# wake-up, which is served before the run tries again. Taken only where a wait is needed.
CONTINUING_KEEPS_WAKEUPS = "continuing-keeps-wakeups"


class JourneyMemo(BaseModel):
    """The journey's bookkeeping that continue-as-new carries (PostLoanCarry.journey)."""

    snapshot: PolicySnapshot | None
    team: str | None
    team_since: tuple[str, datetime] | None = None  # carried since QueueWait (bookkeeping)
    assigned_to: str | None
    sla_state: str
    attempts: dict[Stage, int]
    visits: list[StageVisit]
    events: list[TimingEvent]
    pending: list[TimingEvent]  # not flushed yet: an update arrived during the last flush
    decisions: list[DecisionRecord]
    seq: int
    added: list[DocumentRef]
    batch_of: dict[str, int]
    opinion: RiskOpinion | None
    reviewed_by: str | None
    votes: list[ApprovalDecision]
    signature: Signature | None
    repayments: dict[str, Repayment]
    readings: dict[str, DocumentReading]
    completeness: Completeness | None
    route: Route | None
    offer: Offer | None
    disbursement: Disbursement | None
    rated: list[str] = Field(default_factory=list)
    # the loan file's rules since the marker documents-kept (a run from before it: False)
    documents_kept: bool = False
    period_rescans: bool = False  # ... and since the marker period-rescans
    answered: list[tuple[int, int]] = Field(default_factory=list)
    # the work lists' state of a stage a run continued in (a project's drawdowns)
    listed_sla: tuple[Stage, StageSla] | None = None
    assigned_at: Stage | None = None
    clock_state: str = "ok"


class PostLoanMemory(JourneyUpdates):
    def _init_updates(self) -> None:
        super()._init_updates()
        self._pl = PostLoanState()
        self._pl_policy: PostLoanPolicy | None = None
        self._pl_sha256: str | None = None  # of its text (None: pinned before it was kept)
        self._changes = 0  # bumped by every handler: the post-loan loop wakes on it
        self._written_off: str | None = None
        self._resumed = False
        self._principal_kept: Decimal | None = None  # in the store's exposure line, this run

    # -- the account ---------------------------------------------------------------------

    def account(self, as_of: date | None = None) -> Account | None:
        """The loan account, penalty interest accrued to `as_of` (today by default)."""
        if self._offer is None:
            return None
        offer = self._offer
        rates = RateHistory(method=offer.method, frequency=offer.frequency,
                            changes=self._pl.rate_changes)
        return apply_payments(offer.schedule, self._pl.payments, self.plan_start(),
                              self.penalty_rate(), as_of or self.today(),
                              offer.period_rate, self.prepayment_fee(), rates)

    def annual_rate(self) -> Decimal | None:
        """The loan's rate now: its offer's, or the last repricing's (journey/lpr.py)."""
        if self._offer is None:
            return None
        changes = self._pl.rate_changes
        return changes[-1].new_rate if changes else self._offer.annual_rate

    def penalty_rate(self) -> Decimal:
        """The penalty rate over the rate in force now."""
        policy, rate = self._pl_policy, self.annual_rate()
        return policy.penalty_rate(rate) if policy and rate is not None else Decimal(0)

    def prepayment_fee(self) -> PrepaymentFee:
        return self._pl_policy.prepayment_fee if self._pl_policy else NO_FEE

    def prepayment_minimum(self) -> Decimal:
        return self._pl_policy.prepayment_minimum if self._pl_policy else Decimal(0)

    def closing_reason(self) -> str:
        return "settled early" if any(p.settles for p in self._pl.payments) else "repaid in full"

    def plan_start(self) -> date | None:
        return plan_start(self._offer, self._disbursement)

    def _waiting_for(self) -> list[str]:
        account = self.account()
        if self._stage is Stage.POST_LOAN and account is not None:
            return [f"repayments: principal {money(account.principal_owed)} left; next instalment "
                    f"{account.next_instalment()}"]
        return super()._waiting_for()

    def bank_days(self) -> bool:
        """Whether the loan's days are the bank's (the pinned calendar's UTC offset) and its
        due dates working days; not for a loan offered before they were."""
        return self._offer is not None and self._offer.bank_days

    def day_zone(self) -> tzinfo:
        """Where the loan's days begin and end."""
        return self.calendar.tz if self.bank_days() else UTC

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.day_zone()).date()

    def today(self) -> date:
        return self.day_of(workflow.now())

    def paid_out_on(self) -> date | None:
        """The day the loan's money went out: its payout's value date (the day booked, for one
        booked before value dates were kept); None before the payout."""
        paid = self._disbursement
        return None if paid is None else paid.value_on or self.day_of(paid.booked_at)

    def payment_day(self) -> date:
        """The value date of a payment received today: today, or the payout's while it has
        not come (a payout signed on a non-working day moves its money on the next)."""
        out = self.paid_out_on()
        return max(self.today(), out) if out is not None else self.today()

    def _loan_attributes(self) -> list[SearchAttributeUpdate[Any]]:
        if not self.class_listed():
            return []
        return [sa.LOAN_CLASS.value_set(self._pl.risk_class.value)]

    def class_listed(self) -> bool:
        """Whether this run keeps the loan's class in its search attributes (LoanClass):
        runs from before it replay without. Asked once the loan is disbursed."""
        return self._disbursement is not None and workflow.patched(LOAN_CLASS_LISTED)

    # -- continue-as-new -----------------------------------------------------------------

    def _run_too_old(self) -> bool:
        """The run has lasted the post-loan policy's `continue_after_days` (since its marker):
        reviews and the event count alone left a loan whose reviews are stopped in one run for
        years, replayed whole on every cache miss and keeping every marker it recorded."""
        policy = self._pl_policy
        assert policy is not None, "pinned before the loan is managed"
        lasted = workflow.now() - workflow.info().workflow_start_time
        return lasted >= timedelta(days=policy.continue_after_days) and workflow.patched(
            RUNS_BOUNDED_IN_TIME)

    def _history_too_long(self) -> bool:
        """Past the post-loan policy's event count, or the server suggests a new run."""
        info, policy = workflow.info(), self._pl_policy
        assert policy is not None, "pinned before the loan is managed"
        return (info.get_current_history_length() > policy.max_history_events
                or info.is_continue_as_new_suggested())

    async def _continue_as_new(
        self, stage: Stage, quiet: Callable[[], bool] = lambda: True,
        arrived: Callable[[], bool] = lambda: False, wakeup: timedelta | None = None,
    ) -> None:
        """Continue as new, resuming in `stage`, once every handler has finished and the
        stage is `quiet` (none of its own tasks in the middle of something); return (to the
        stage's loop) instead if a handler changed something meanwhile, or something
        `arrived` that the stage acts on (a drawdown request, whose handler waits for it), so
        nothing that arrives now is lost, or once the loop's next `wakeup` (from now) has
        come while a handler still runs, so the loop serves it before trying again."""
        await self.flush()
        changes = self._changes

        def ready() -> bool:
            return ((workflow.all_handlers_finished() and quiet())
                    or self._changes != changes or arrived())

        if not ready() and wakeup is not None and workflow.patched(CONTINUING_KEEPS_WAKEUPS):
            try:
                await workflow.wait_condition(ready, timeout=wakeup)
            except TimeoutError:
                return
        else:
            await workflow.wait_condition(ready)
        if self._changes != changes or arrived():
            return
        carry = self._carry()
        carry.state.reviews_this_run = 0
        carry.stage = stage
        workflow.continue_as_new(JourneyInput(application=self._application, resume=carry))

    def _carry(self) -> PostLoanCarry:
        assert self._pl_policy is not None
        memo = JourneyMemo(
            snapshot=self._snapshot, team=self._team, team_since=self._team_since,
            assigned_to=self._assigned_to,
            sla_state=self._sla_state, attempts=self._attempts, visits=self._visits,
            events=self._events, pending=self._pending, decisions=self._decisions,
            seq=self._seq, added=self._added,
            batch_of=self._batch_of, opinion=self._opinion, reviewed_by=self._reviewed_by,
            votes=self._votes, signature=self._signature, repayments=self._repayments,
            readings=self._readings, completeness=self._completeness, route=self._route,
            offer=self._offer, disbursement=self._disbursement, rated=self._rated,
            documents_kept=self._documents_kept, answered=self._answered,
            period_rescans=self._rescans, listed_sla=self._listed_sla,
            assigned_at=self._assigned_at, clock_state=self._clock_state,
        )
        state = self._pl.model_copy(update={"runs": self._pl.runs + 1})
        return PostLoanCarry(
            state=state, policy=self._pl_policy, policy_sha256=self._pl_sha256,
            journey=memo.model_dump(mode="json"),
        )

    def _restore(self, carry: PostLoanCarry) -> None:
        m = JourneyMemo.model_validate(carry.journey)
        self._snapshot, self._team, self._assigned_to = m.snapshot, m.team, m.assigned_to
        self._team_since = m.team_since
        self._sla_state, self._attempts, self._visits = m.sla_state, m.attempts, m.visits
        self._events, self._decisions, self._seq = m.events, m.decisions, m.seq
        self._pending = m.pending
        self._added, self._batch_of, self._opinion = m.added, m.batch_of, m.opinion
        self._reviewed_by, self._votes, self._signature = m.reviewed_by, m.votes, m.signature
        self._repayments, self._readings = m.repayments, m.readings
        self._completeness, self._route, self._offer = m.completeness, m.route, m.offer
        self._disbursement, self._rated = m.disbursement, m.rated
        self._documents_kept, self._answered = m.documents_kept, m.answered
        self._rescans = m.period_rescans
        self._listed_sla, self._assigned_at, self._clock_state = (
            m.listed_sla, m.assigned_at, m.clock_state)
        # post-loan continues its open visit; a project's drawdowns enter theirs again
        self._stage, self._waits_on = carry.stage, Party.CUSTOMER
        self._pl, self._pl_policy = carry.state, carry.policy
        self._resumed = carry.stage is Stage.POST_LOAN
        self._pl_sha256 = carry.policy_sha256

    def _risk_team(self) -> str:
        policy = self._pl_policy
        if policy is not None and policy.risk_team:
            return policy.risk_team
        return self._route.team if self._route else "risk"
