"""Touchpoints: customer feedback, status inquiries, and asking for feedback on a stage's exit.

Every touchpoint is a TOUCHPOINT timing event with its channel. Feedback scores also go to
the `feedback` table (activity `store_feedback`), idempotent by the event's sequence; the
comment stays in the history, which the payload codec encrypts. Inquiries after disbursement
are counted from the journey's own events (which continue-as-new carries): reaching the
policy's burst threshold within its window raises one early warning per window.
"""

from typing import ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.application import Channel
    from journey.decisions import UpdateResult
    from journey.feedback_request import feedback_request
    from journey.inquiry_answer import running_answer
    from journey.policy import DecisionRefused
    from journey.policy.authority import (
        authorize_customer_score,
        authorize_customer_side,
        case_manager,
    )
    from journey.stages import Party, Stage
    from journey.status import StageVisit
    from journey.timeline import EventType
    from journey.touchpoints import (
        BURST_KIND,
        DEFAULT_POLICY,
        FEEDBACK_PREFIX,
        INQUIRY_DETAIL,
        STORE_FEEDBACK,
        Feedback,
        Inquiry,
        RecordFeedbackResult,
        TouchpointPolicy,
        check_score,
        feedback_detail,
        feedback_row,
        inquiry_burst,
        is_feedback_about,
    )
    from workflows.activity_options import QUICK, TIMING_RETRY
    from workflows.post_loan_warnings import EarlyWarnings
    from workflows.sla_clock import SlaClock

FEEDBACK_REQUESTS = "touchpoints-feedback-requests"  # workflow.patched marker
# workflow.patched marker: before it, the customer was asked how applying went as intake was
# left, while documents could still be missing; since, once applying is over for them: as the
# file is complete (completeness left for routing), or with the end of a journey that ends
# before (its last stage left for the end). Taken at intake's exit, where a request was due.
APPLYING_ASKED_WHEN_APPLIED = "applying-feedback-when-applied"
# the customer's stages of applying: leaving them for any other, applying is over
APPLYING = frozenset({Stage.INTAKE, Stage.DOCUMENTS, Stage.COMPLETENESS})


class TouchpointUpdates(EarlyWarnings):
    touchpoints: ClassVar[TouchpointPolicy] = DEFAULT_POLICY

    # -- the application is the first touchpoint ------------------------------------------

    def _enter(self, stage: Stage, waits_on: Party, team: str | None,
               clock: SlaClock | None = None) -> StageVisit:
        visit = super()._enter(stage, waits_on, team, clock)
        if stage is Stage.INTAKE and visit.attempt == 1:
            app = self._application
            self.emit(
                EventType.TOUCHPOINT,
                actor=app.submitted_by.id,
                channel=app.channel,
                detail="application submitted",
            )
        return visit

    # -- feedback --------------------------------------------------------------------------

    @workflow.update
    async def record_feedback(self, feedback: Feedback) -> UpdateResult:
        sequence, about = self._seq, feedback.stage
        if not feedback.complaint:
            self._rated.append(self._rating_key(feedback))
        self.emit(
            EventType.TOUCHPOINT,
            actor=feedback.actor.id,
            channel=feedback.channel,
            detail=feedback_detail(feedback),
        )
        await workflow.execute_activity(
            STORE_FEEDBACK,
            feedback_row(feedback, workflow_id=self._workflow_id, sequence=sequence,
                         at=workflow.now(), product=self._application.product,
                         attempt=self._attempts.get(about, 1), given_at=self._stage),
            result_type=RecordFeedbackResult,
            start_to_close_timeout=QUICK,
            retry_policy=TIMING_RETRY,
        )
        await self.flush()
        what = "complaint" if feedback.complaint else "feedback"
        return UpdateResult(stage=self._stage, message=f"{what} about {about} recorded")

    @record_feedback.validator
    def _validate_feedback(self, feedback: Feedback) -> None:
        check_score(feedback)
        visited = list(dict.fromkeys(v.stage for v in self._visits))
        if feedback.stage not in visited:
            raise DecisionRefused(
                f"the journey has not been at {feedback.stage}: feedback is about a stage the "
                f"customer has been through ({', '.join(visited)})"
            )
        authorize_customer_score(self.policy, feedback.actor, feedback.channel,
                                 self._application.credit_code,
                                 case_manager(self._application.submitted_by))
        if not feedback.complaint and self._rating_key(feedback) in self._rated:
            attempt = self._attempts.get(feedback.stage, 1)
            raise DecisionRefused(
                f"a {feedback.kind} score about {feedback.stage} (visit {attempt}) is already "
                "recorded: one score per stage visit counts; a complaint can still be made"
            )

    def _rating_key(self, feedback: Feedback) -> str:
        """One score of each kind per stage visit: the key it is kept under."""
        return f"{feedback.stage}:{self._attempts.get(feedback.stage, 1)}:{feedback.kind}"

    # -- inquiries -------------------------------------------------------------------------

    @workflow.update
    async def record_inquiry(self, inquiry: Inquiry) -> UpdateResult:
        self.emit(
            EventType.TOUCHPOINT,
            actor=inquiry.actor.id,
            channel=inquiry.channel,
            detail=INQUIRY_DETAIL,
        )
        if self._stage is Stage.POST_LOAN:
            await self._check_inquiry_burst(inquiry.channel)
        await self.flush()
        return UpdateResult(stage=self._stage, message=running_answer(
            self._application, self._stage, *self.stage_awaits()))

    @record_inquiry.validator
    def _validate_inquiry(self, inquiry: Inquiry) -> None:
        authorize_customer_side(self.policy, inquiry.actor, self._application.credit_code)

    async def _check_inquiry_burst(self, channel: Channel) -> None:
        policy, now = self.touchpoints, workflow.now()
        post_loan = [e for e in self._events if e.stage is Stage.POST_LOAN]
        inquiries = [
            e.at for e in post_loan if e.type is EventType.TOUCHPOINT and e.detail == INQUIRY_DETAIL
        ]
        warnings = [
            e.at
            for e in post_loan
            if e.type is EventType.ESCALATED and BURST_KIND in (e.detail or "")
        ]
        if not inquiry_burst(inquiries, warnings, now, policy):
            return
        since = now - policy.inquiry_burst_window
        count = sum(1 for at in inquiries if at > since)
        detail = (
            f"{count} inquiries within {policy.inquiry_burst_window.days} days, "
            f"the last through {channel}"
        )
        await self._warn(BURST_KIND, detail)  # listed, queued, acknowledged as any warning

    def _risk_team(self) -> str:
        """Whom early warnings go to (the post-loan handlers refine it from their policy)."""
        return self._route.team if self._route else "risk"

    # -- asking for feedback when the customer leaves a stage ------------------------------

    async def _after_stage_exit(self, visit: StageVisit) -> None:
        if (visit.stage in self.touchpoints.ask_feedback_on_exit
                and self._customer_took_part(visit) and workflow.patched(FEEDBACK_REQUESTS)):
            if visit.stage is Stage.INTAKE and workflow.patched(APPLYING_ASKED_WHEN_APPLIED):
                self._applying = visit  # asked once applying is over, below
            else:
                await self._ask_feedback(visit)
        if self._applying is not None and visit.outcome not in APPLYING:
            applying, self._applying = self._applying, None
            if self._customer_took_part(applying):  # no feedback about applying given since
                await self._ask_feedback(applying)

    async def _ask_feedback(self, visit: StageVisit) -> None:
        await self.notify(
            f"{self._workflow_id}:feedback:{visit.stage}:{visit.attempt}",
            "customer",
            "feedback_request",
            feedback_request(self._application, visit.stage),
        )

    def _customer_took_part(self, visit: StageVisit) -> bool:
        """A touchpoint in this visit, and no feedback about the stage given during it."""
        mine = [
            e for e in self._events if e.type is EventType.TOUCHPOINT and e.at >= visit.entered_at
        ]
        acted = any(
            e.stage is visit.stage
            and e.attempt == visit.attempt
            and not (e.detail or "").startswith(FEEDBACK_PREFIX)
            for e in mine
        )
        return acted and not any(is_feedback_about(e.detail, visit.stage) for e in mine)
