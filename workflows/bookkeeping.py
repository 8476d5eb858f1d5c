"""Stage bookkeeping in one place, for every stage of every journey.

`async with self.stage(Stage.RISK_REVIEW, Party.BANK, team=...)` records entry and exit,
arms the stage's SLA timers (durable timers that race the awaited update; a warning or a
breach escalates and keeps waiting), upserts the search attributes, and queues the timing
events that one activity writes in batches, idempotent by (workflow id, sequence).

Writes are behind the journey, not in its way: one writer task drains the queued events
while the journey moves on, so a decision moves the case to the next stage in the same
workflow task. `flush()` waits for the writer; the journey calls it before it ends or
continues as new, so no event is left behind.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any, Literal

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

with workflow.unsafe.imports_passed_through():
    from journey import contracts
    from journey.actors import Actor, Role
    from journey.application import Channel, LoanApplication
    from journey.contracts import NotifyInput, PolicySnapshot, RecordTimingInput
    from journey.decisions import RiskGrade, Withdrawal
    from journey.decline_reasons import DeclineReason
    from journey.end_notices import withdrawal_confirmed
    from journey.policy import (
        EscalationAction,
        Policy,
        SlaPoint,
        SlaPolicy,
        StageSla,
        sla_points,
    )
    from journey.queue_wait import QueueWait, queue_wait
    from journey.sla_reminders import customer_reminder, owner_reminder, reassigned_notices
    from journey.stages import ORDER, Party, Stage
    from journey.status import DecisionRecord, StageVisit
    from journey.timeline import EventType, TimingEvent
    from workflows import search_attributes as sa
    from workflows.activity_options import NOTIFY_RETRY, QUICK, TIMING_RETRY
    from workflows.sla_clock import SlaClock

# workflow.patched marker: histories recorded before it awaited every write in place.
WRITE_BEHIND = "timing-write-behind"
# workflow.patched marker: before it, a journey's start was not a search attribute, and a
# loan continued as new listed its latest run's start as the journey's.
JOURNEY_START_LISTED = "journey-start-attribute"
# workflow.patched marker: before it, an ended journey kept the SlaState of its last stage (a
# closed loan listed as early_warning); since, its terminal upsert clears it to "-".
SLA_CLEARED_AT_END = "sla-cleared-at-end"
# workflow.patched marker: before it, a journey's upserts did not say since when the case had
# waited on its team (QueueWait), and `queue` showed only when each journey started.
QUEUE_WAIT_LISTED = "queue-wait-attribute"
# workflow.patched marker: before it, an SLA's reminders said only "escalation level 1
# notify_customer", and the staff reminder of a stage waiting on the customer went to
# "operations"; since, the customer's says in their words what is awaited, for which
# application, by when and how to send it, and the owner's, the case's submitter's at the
# customer's stages, says the same in staff words (journey/sla_reminders.py).
SLA_REMINDERS_IN_WORDS = "sla-reminders-in-words"
# workflow.patched marker: before it, a case waiting on the customer listed QueueWait "-"; since,
# its QueueWait says what the customer owes (supplements, an answer, the offer's signature),
# since when and by when, for the relationship managers' work list (`queue --waiting-on
# customer`), upserted as the customer is asked (workflows/loan_journey.py).
CUSTOMER_WAIT_LISTED = "customer-wait-attribute"
# workflow.patched marker: before it, an SLA escalation notified whom the case had been
# assigned to at any earlier stage (a risk review's officer, told of the approval's SLA); since,
# an assignment belongs to the stage it was made at, and another stage's team is told.
ASSIGNED_AT_STAGE = "assigned-at-stage"
# workflow.patched marker: before it, whom a stage was assigned to was in `status` only; since,
# the upserts list it (JourneyAssignee, "-" for the whole team), and an assignment (`reassign`,
# an SLA's escalation to a supervisor) upserts at once: `queue --person`, the queues' "assigned to".
ASSIGNEE_LISTED = "assignee-attribute"
# workflow.patched marker: before it, an SLA escalation that reassigned the case to the team's
# supervisor told nobody; since, the supervisor is told what the case waits for, why and the
# SLA, and whom it was taken from (its officer, or the team's queue) that it is no longer theirs.
REASSIGNMENT_TOLD = "sla-reassignment-told"
# workflow.patched marker: before it, a journey's upserts did not name its borrower, and risk
# could not list one borrower's journeys; since, they list its credit code (CreditCode) from
# intake on: `list --credit-code`.
CREDIT_CODE_LISTED = "credit-code-attribute"
# workflow.patched marker: before it, an assignment (`reassign`, an SLA's escalation to a
# supervisor) was in the workflow's state and search attributes only, and the report put a wait
# reassigned wholly on whoever decided it and an open one on nobody; since, it is a timing event
# (assigned, its actor the assignee), written at once, so the report splits a wait at it.
ASSIGNMENT_TIMED = "assignment-timed"

_SLA_EVENT = {
    "warning": EventType.SLA_WARNED,
    "breach": EventType.SLA_BREACHED,
    "escalation": EventType.ESCALATED,
}


class JourneyEnded(Exception):
    """Control flow: the journey leaves the stage table for a terminal state. `told`: why, in
    the customer's words (journey/end_notices.py), for the notice of an application that ends
    without a loan; none, no notice. `categories`: a decline's reason categories, which its end
    records for the bank (`status` of the borrower's next application shows them)."""

    def __init__(self, outcome: Stage, reason: str, told: str = "",
                 categories: list[str] | None = None) -> None:
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason
        self.told = told
        self.categories = categories  # a decline's reason categories (decline_reasons.py)


class Bookkeeping:
    """State and helpers every stage shares. The workflow class inherits this."""

    def _init_bookkeeping(self, application: LoanApplication) -> None:
        self._application = application
        self._workflow_id = workflow.info().workflow_id
        self._snapshot: PolicySnapshot | None = None
        self._stage = Stage.INTAKE
        self._waits_on = Party.SYSTEM
        self._team: str | None = None
        # the team the case is with and since when (its arrival, kept across stage visits)
        self._team_since: tuple[str, datetime] | None = None
        # a stage's SLA of its own that the queue lists (`list_own_sla`), where the policy
        # gives the stage none
        self._listed_sla: tuple[Stage, StageSla] | None = None
        self._assigned_to: str | None = None
        self._assigned_at: Stage | None = None  # the stage it was made at, which it belongs to
        self._sla_state = "ok"
        # what the stage visit's own SLA clock says, whatever an early warning lists meanwhile
        self._clock_state = "ok"
        self._attempts: dict[Stage, int] = {}
        self._visits: list[StageVisit] = []
        self._events: list[TimingEvent] = []
        self._pending: list[TimingEvent] = []
        self._running_behind: set[asyncio.Task[None]] = set()
        self._decisions: list[DecisionRecord] = []
        self._ended_by: str | None = None  # who ended the visit, when not its last decision's
        self._seq = 0
        self._exit_to: Stage | None = None
        self._withdrawal: Withdrawal | None = None
        # what the customer owes at a stage (CUSTOMER_WAIT_LISTED): the stage's QueueWait
        self._owed: tuple[Stage, QueueWait] | None = None

    # -- the one place where stages begin and end ------------------------------------

    @asynccontextmanager
    async def stage(
        self, stage: Stage, waits_on: Party, team: str | None = None, *,
        clock: SlaClock | None = None,
    ) -> AsyncIterator[StageVisit]:
        """`clock`: the SLA runs on it, from the first visit that used it (workflows/sla_clock.py),
        not from this visit's entry."""
        visit = self._enter(stage, waits_on, team, clock)
        watcher = self._arm_sla(visit, clock)
        if waits_on is not Party.SYSTEM:
            await self.write_soon()  # who waits on whom is visible in SQL while it lasts
        outcome: Stage | None = None
        closed = False
        try:
            yield visit
            self._raise_if_withdrawn()
        except JourneyEnded as ended:
            outcome = ended.outcome
            raise
        except GeneratorExit:
            # Closed, not left: a worker stopped with this run idle in its cache (core does
            # not evict those, temporalio/sdk-python#1849) and the garbage collector closes
            # it, maybe while this thread runs another workflow, which the workflow API
            # would act on (sdk-python#494). So touch nothing: the next worker replays.
            closed = True
            raise
        finally:
            if not closed:
                if watcher is not None:
                    watcher.cancel()
                self._exit(visit, outcome or self._exit_to or _after(stage))
                await self._behind(self._after_stage_exit(visit))
                await self.write_soon()

    def _enter(self, stage: Stage, waits_on: Party, team: str | None,
               clock: SlaClock | None = None) -> StageVisit:
        attempt = self._attempts[stage] = self._attempts.get(stage, 0) + 1
        self._stage, self._waits_on, self._exit_to = stage, waits_on, None
        self._team = team if waits_on is Party.BANK else None
        self._sla_state = self._clock_state = clock.state if clock is not None else "ok"
        visit = StageVisit(
            stage=stage, attempt=attempt, waits_on=waits_on, entered_at=workflow.now()
        )
        self._visits.append(visit)
        self.emit(EventType.ENTERED, team=self._team)
        self._upsert()
        return visit

    def _exit(self, visit: StageVisit, outcome: Stage) -> None:
        visit.exited_at, visit.outcome = workflow.now(), outcome
        # who ended the visit: the last decision made in it (none for a system's stage), or
        # every vote that made a committee's
        by = self._ended_by or next((d.actor.id for d in reversed(self._decisions)
                                     if (d.stage, d.attempt) == (visit.stage, visit.attempt)),
                                    None)
        self._ended_by = None
        self.emit(EventType.EXITED, stage=visit.stage, attempt=visit.attempt, outcome=outcome,
                  actor=by)

    async def _after_stage_exit(self, visit: StageVisit) -> None:
        """A hook once a stage is left (workflows/touchpoints.py asks for feedback)."""

    def enter_terminal(self, outcome: Stage, detail: str | None = None) -> None:
        self._stage, self._waits_on, self._team = outcome, Party.SYSTEM, None
        if workflow.patched(SLA_CLEARED_AT_END):
            self._sla_state = "-"  # nothing waits on anyone any more
        self._visits.append(
            StageVisit(stage=outcome, attempt=1, waits_on=Party.SYSTEM, entered_at=workflow.now())
        )
        self.emit(EventType.ENTERED, detail=detail)
        self._upsert()

    def _upsert(self) -> None:
        app = self._application
        workflow.upsert_search_attributes(
            [
                sa.STAGE.value_set(self._stage.value),
                sa.TEAM.value_set(self._team or "-"),
                sa.SLA_STATE.value_set(self._sla_state),
                sa.PRODUCT.value_set(app.product.value),
                sa.AMOUNT_BAND.value_set(sa.amount_band(app.amount)),
                *self._loan_attributes(),
                *self._start_attribute(),
                *self._wait_attribute(),
                *self._assignee_attribute(),
                *self._credit_code_attribute(),
            ]
        )

    def _credit_code_attribute(self) -> list[SearchAttributeUpdate[Any]]:
        """The borrower's credit code, for `list --credit-code`: its whole file."""
        if not workflow.patched(CREDIT_CODE_LISTED):
            return []
        return [sa.CREDIT_CODE.value_set([self._application.credit_code])]

    def _assignee_attribute(self) -> list[SearchAttributeUpdate[Any]]:
        """Whom the current stage is assigned to, "-" for its whole team, for `queue`."""
        if not workflow.patched(ASSIGNEE_LISTED):
            return []
        return [sa.ASSIGNEE.value_set(self.assignee() or "-")]

    async def assigned(self, to: str) -> None:
        """The current stage is `to`'s now: listed at once since ASSIGNEE_LISTED, timed
        (written at once) since ASSIGNMENT_TIMED."""
        self._assigned_to, self._assigned_at = to, self._stage
        if workflow.patched(ASSIGNEE_LISTED):
            self._upsert()
        if workflow.patched(ASSIGNMENT_TIMED):
            self.emit(EventType.ASSIGNED, actor=to, team=self._team)
            await self.write_soon()

    def _wait_attribute(self) -> list[SearchAttributeUpdate[Any]]:
        """Since when the case has waited on its team and its SLA on that wait, for `queue`
        (journey/queue_wait.py); "-" on no team's queue."""
        self._note_team_arrival()  # kept up whether listed or not: the team's arrival counts
        if not workflow.patched(QUEUE_WAIT_LISTED):
            return []
        wait = self.listed_wait()
        return [sa.QUEUE_WAIT.value_set(wait.stamp() if wait is not None else "-")]

    def listed_wait(self) -> QueueWait | None:
        """The wait QueueWait lists, and `status` shows: on the customer, what they owe, since
        and by when (set since its marker); else the wait on the team the case is with."""
        if self._owed is not None and self._owed[0] is self._stage:
            return self._owed[1]
        return self._queue_wait()

    def owe(self, stage: Stage, since: datetime, awaits: str, until: datetime) -> None:
        """The customer owes `awaits` at `stage`, asked `since`, by `until`: listed in QueueWait
        from the stage's next upsert (the relationship managers' work list), with the stage's
        SLA on the wait from `since`. Call only under CUSTOMER_WAIT_LISTED."""
        self._owed = (stage, self.wait_from(since, stage).model_copy(
            update={"awaiting": awaits, "until": until}))

    def _note_team_arrival(self) -> None:
        """Keep the moment the case came to its team (none off every team's queue)."""
        if self._team is None or not self._visits:
            self._team_since = None
        elif self._team_since is None or self._team_since[0] != self._team:
            self._team_since = (self._team, workflow.now())

    def _queue_wait(self) -> QueueWait | None:
        """The wait on the team the case is with: waiting on the bank, from the later of its
        stage visit's entry and the moment it came to the team (an early warning on a running
        loan); on no one's wait (an early warning's), from the moment it came to the team,
        which may be before the visit (the warning raised at an earlier one). Reads only, so a
        query may call it: a team whose arrival is not kept yet counts from now."""
        if self._team is None or not self._visits:
            return None
        came = self._team_since
        since = came[1] if came is not None and came[0] == self._team else workflow.now()
        visit = self._visits[-1]
        if visit.waits_on is Party.BANK:
            since = max(visit.entered_at, since)
        listed = self._listed_sla
        own = listed[1] if listed is not None and listed[0] is visit.stage \
            and visit.waits_on is Party.BANK else None  # not an early warning's wait
        wait = self.wait_from(since, visit.stage, own)
        return wait.model_copy(update={"awaiting": self._awaited_step()})

    def _awaited_step(self) -> str | None:
        """What the team's queue says the case awaits of it, where the journey says more than
        its stage (an entrusted payout's instruction entered, awaiting its confirmation)."""
        return None

    def list_own_sla(self, stage: Stage, sla: StageSla) -> None:
        """List `sla`, a stage's own (`arm_own_sla`), on the team's queue for the waits at
        `stage` from the next upsert on, where the policy gives the stage none."""
        self._listed_sla = (stage, sla)

    def wait_from(self, since: datetime, stage: Stage, own: StageSla | None = None
                  ) -> QueueWait:
        """A wait at `stage` from `since` under the policy's SLA for the stage, else `own`."""
        if self._snapshot is None:
            return queue_wait(since, None, [])
        policy, sla = self._sla_of(stage, own)
        points = sla_points(policy, stage, self._application.product, since,
                            self._snapshot.calendar)
        return queue_wait(since, sla.unit if sla else None, points)

    def _sla_of(self, stage: Stage, own: StageSla | None) -> tuple[Policy, StageSla | None]:
        """The SLA of a wait at `stage`: the pinned policy's for the stage, else `own`; and a
        policy that gives the stage that SLA, for `sla_points`."""
        assert self._snapshot is not None, "the policy is pinned"
        pinned = self._snapshot.policy
        sla = pinned.sla.for_stage(stage, self._application.product)
        if sla is not None or own is None:
            return pinned, sla
        return pinned.model_copy(update={"sla": SlaPolicy(stages={stage: own})}), own

    def _start_attribute(self) -> list[SearchAttributeUpdate[Any]]:
        """When the journey began (its first stage's entry, which continue-as-new carries in
        the timeline), for `list` and `queue`: visibility's start time is each run's."""
        if not workflow.patched(JOURNEY_START_LISTED):
            return []
        began = self._visits[0].entered_at if self._visits else workflow.info().start_time
        return [sa.JOURNEY_STARTED.value_set(sa.started_stamp(began))]

    def _loan_attributes(self) -> list[SearchAttributeUpdate[Any]]:
        """What a disbursed loan adds to the work lists (workflows/post_loan_carry.py)."""
        return []

    # -- waiting on people -----------------------------------------------------------

    async def wait_for(
        self, ready: Callable[[], bool], *, deadline: datetime | None = None, expiry: str = "",
        told: str = "",
    ) -> None:
        """Wait until `ready()` or a withdrawal; past `deadline` the journey expires (`expiry`
        why, `told` the customer)."""
        timeout = None if deadline is None else max(deadline - workflow.now(), timedelta(0))
        try:
            await workflow.wait_condition(
                lambda: ready() or self._withdrawal is not None, timeout=timeout
            )
        except TimeoutError:
            raise JourneyEnded(Stage.EXPIRED, expiry, told) from None
        self._raise_if_withdrawn()

    def _raise_if_withdrawn(self) -> None:
        if self._withdrawal is not None and self._stage.before_disbursement:
            raise self.withdrawn()

    def withdrawn(self) -> JourneyEnded:
        """The end of a journey withdrawn: its reason, and the customer told who recorded it."""
        assert self._withdrawal is not None, "withdrawn by an update"
        return JourneyEnded(Stage.WITHDRAWN, self._withdrawal.reason,
                            withdrawal_confirmed(self._withdrawal))

    def assignee(self) -> str | None:
        """Whom the current stage is assigned to: an assignment (`reassign`, an SLA's
        escalation to a supervisor) belongs to the stage it was made at, none other."""
        return self._assigned_to if self._assigned_at is self._stage else None

    def record_decision(self, actor: Actor, verdict: str, reason: str = "",
                        grade: RiskGrade | None = None,
                        category: DeclineReason | None = None) -> DecisionRecord:
        decision = self.decision_in_visit(actor, verdict, reason, grade)
        if category is not None:
            decision = decision.model_copy(update={"category": category})
        self._decisions.append(decision)
        return decision

    def decision_in_visit(self, actor: Actor, verdict: str, reason: str = "",
                          grade: RiskGrade | None = None) -> DecisionRecord:
        """A decision in the current stage visit, now, not recorded (`record_decision` does);
        a risk opinion's with the obligor's `grade`."""
        visit = self._visits[-1]
        return DecisionRecord(stage=visit.stage, attempt=visit.attempt, actor=actor,
                              verdict=verdict, reason=reason, at=workflow.now(), grade=grade)

    # -- SLA timers ------------------------------------------------------------------

    def _arm_sla(self, visit: StageVisit, clock: SlaClock | None) -> asyncio.Task[None] | None:
        if self._snapshot is None:
            return None
        start = visit.entered_at
        if clock is not None:
            start = clock.started = clock.started or visit.entered_at
        points = sla_points(
            self._snapshot.policy,
            visit.stage,
            self._application.product,
            start,
            self._snapshot.calendar,
        )[0 if clock is None else clock.reached:]  # each point once per clock
        return asyncio.create_task(self._watch_sla(points, clock)) if points else None

    def arm_own_sla(self, visit: StageVisit, sla: StageSla) -> asyncio.Task[None] | None:
        """Arm `sla` for `visit`: an SLA of the stage's own (a drawdown's decision, an
        entrusted payout's instruction), unless the policy gives the stage one (then stage()
        armed that already)."""
        assert self._snapshot is not None, "the policy is pinned"
        policy, armed = self._sla_of(visit.stage, sla)
        if armed is not sla:  # the policy's own for the stage, armed by stage()
            return None
        points = sla_points(policy, visit.stage, self._application.product, visit.entered_at,
                            self._snapshot.calendar)
        return asyncio.create_task(self._watch_sla(points)) if points else None

    async def _watch_sla(self, points: list[SlaPoint], clock: SlaClock | None = None) -> None:
        for point in points:
            delay = point.at - workflow.now()
            if delay > timedelta(0):
                await workflow.sleep(delay)
            if point.kind != "escalation":
                self._sla_state = self._clock_state = \
                    "warned" if point.kind == "warning" else "breached"
                self._upsert()
            self.emit(_SLA_EVENT[point.kind], team=self._team, detail=_describe(point))
            if clock is not None:
                clock.reached, clock.state = clock.reached + 1, self._sla_state
            if point.action is not None:
                await self._escalate(point)
            await self.write_soon()

    async def _escalate(self, point: SlaPoint) -> None:
        visit = self._visits[-1]
        key = f"{self._workflow_id}:{visit.stage}:{visit.attempt}:sla:{point.kind}:{point.level}"
        if point.action is EscalationAction.REASSIGN_SUPERVISOR and self._snapshot is not None:
            supervisor = next(
                (
                    m
                    for m in self._snapshot.policy.staff
                    if m.role is Role.SUPERVISOR and m.team == self._team
                ),
                None,
            )
            if supervisor is not None:
                taken_from = self.assignee() or self._team or "operations"
                await self.assigned(supervisor.id)
                self.record_decision(
                    Actor(id="sla-timer", role=Role.SYSTEM),
                    "reassigned",
                    f"SLA escalation level {point.level}: to supervisor {supervisor.id}",
                )
                if workflow.patched(REASSIGNMENT_TOLD):
                    await self._tell_reassigned(key, point, supervisor.id, taken_from)
                return
        to_customer = point.action is EscalationAction.NOTIFY_CUSTOMER
        assigned = self._assigned_to
        if assigned is not None and self.assignee() is None and workflow.patched(
                ASSIGNED_AT_STAGE):
            assigned = None  # made at another stage: this one's team is told
        recipient = "customer" if to_customer else (
            assigned or self._team or "operations"
        )
        body = _describe(point)
        if workflow.patched(SLA_REMINDERS_IN_WORDS):
            visit, (awaited, until) = self._visits[-1], self.stage_awaits()
            if to_customer:
                body = customer_reminder(visit.stage, self._application, awaited, until)
            else:  # the customer's stages are the case's submitter's to chase
                if self._waits_on is Party.CUSTOMER:
                    recipient = self._application.submitted_by.id
                body = owner_reminder(visit.stage, self._application, self._workflow_id,
                                      point.level, awaited, until)
        await self.notify(key, recipient, f"sla_{point.action}", body)

    async def _tell_reassigned(self, key: str, point: SlaPoint, to: str,
                               taken_from: str) -> None:
        """Tell `to`, the supervisor an escalation reassigned the case to, and `taken_from`,
        whom it was taken from (unless the supervisor had it already)."""
        assert self._snapshot is not None, "the policy is pinned"
        visit = self._visits[-1]
        sla = self._snapshot.policy.sla.for_stage(visit.stage, self._application.product)
        told, away = reassigned_notices(visit.stage, self._application, self._workflow_id,
                                        point.level, sla, to, taken_from, self.stage_awaits()[0])
        await self.notify(key, to, f"sla_{point.action}", told)
        if taken_from != to:
            await self.notify(f"{key}:from", taken_from, "sla_reassigned_from", away)

    def stage_awaits(self) -> tuple[str, str | None]:
        """What the stage waits for (in the customer's words where it waits on them), and when
        it expires on the bank's clock (None: it does not); the journey's updates know
        (workflows/journey_updates.py)."""
        return "", None

    # -- data that leaves the workflow -------------------------------------------------

    def emit(
        self,
        type: EventType,
        *,
        stage: Stage | None = None,
        attempt: int | None = None,
        actor: str | None = None,
        team: str | None = None,
        outcome: Stage | None = None,
        channel: Channel | None = None,
        detail: str | None = None,
    ) -> None:
        stage = stage or self._stage
        event = TimingEvent(
            workflow_id=self._workflow_id,
            sequence=self._seq,
            type=type,
            stage=stage,
            attempt=attempt or self._attempts.get(stage, 1),
            at=workflow.now(),
            waits_on=self._waits_on,
            product=self._application.product,
            actor=actor,
            team=team,
            outcome=outcome,
            channel=channel,
            detail=detail,
        )
        self._seq += 1
        self._events.append(event)
        self._pending.append(event)

    async def _behind(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` while the journey moves on; `flush()` waits for it. Histories from
        before WRITE_BEHIND awaited it in place."""
        try:
            if not workflow.patched(WRITE_BEHIND):
                await work
                return
            task = asyncio.create_task(work)
        except BaseException:
            work.close()  # an eviction refused the task: no "never awaited" warning at GC
            raise
        self._running_behind.add(task)
        task.add_done_callback(self._running_behind.discard)

    async def write_soon(self) -> None:
        """Queue the pending timing events for writing, without waiting for the database."""
        await self._behind(self._write_pending())

    async def flush(self) -> None:
        """Wait for the work behind the journey, then write what is still pending."""
        if self._running_behind:
            await workflow.wait_condition(lambda: not self._running_behind)
        await self._write_pending()

    async def _write_pending(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            await workflow.execute_activity(
                contracts.RECORD_TIMING,
                RecordTimingInput(events=batch),
                start_to_close_timeout=QUICK,
                retry_policy=TIMING_RETRY,
            )
        except asyncio.CancelledError:
            self._pending = batch + self._pending  # re-sent later; rows are idempotent
            raise

    async def notify(
        self, key: str, recipient: str, template: str, body: str = "",
        channel: Literal["sms", "email"] = "email",
    ) -> None:
        await workflow.execute_activity(
            contracts.NOTIFY,
            NotifyInput(
                key=key,
                workflow_id=self._workflow_id,
                channel=channel,
                recipient=recipient,
                template=template,
                body=body,
            ),
            start_to_close_timeout=QUICK,
            retry_policy=NOTIFY_RETRY,
        )


def _after(stage: Stage) -> Stage:
    return ORDER[ORDER.index(stage) + 1]


def _describe(point: SlaPoint) -> str:
    action = f" {point.action.value}" if point.action else ""
    return f"{point.kind} level {point.level}{action}"
