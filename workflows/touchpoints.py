"""Touchpoints: customer feedback, status inquiries, and asking for feedback on a stage's exit.

Every touchpoint is a TOUCHPOINT timing event with its channel. Feedback scores also go to
the `feedback` table (activity `store_feedback`), idempotent by the event's sequence; the
comment stays in the history, which the payload codec encrypts. Inquiries after disbursement
are counted from the journey's own events (which continue-as-new carries): reaching the
policy's burst threshold within its window raises one early warning per window.
"""

from datetime import timedelta
from typing import ClassVar

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.application import Channel
    from journey.decisions import UpdateResult
    from journey.feedback_request import TOUCHPOINTS, feedback_request
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
        DOCUMENTS_SENT,
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
# workflow.patched marker: before it, each visit the customer acted in was surveyed as it was
# left: documents and each round of requests again, while the bank still asked for more, in
# the second it said a scan was unreadable, after a written answer that sent no document,
# several in minutes. Since, a touchpoint (applying, sending documents, the offer) is
# surveyed once per journey, once it is over (applying and sending documents: the round of
# requests met), only if the customer sent documents for the documents one, never as the
# bank asks for more or ends the journey badly, and at most one survey a day: one due sooner
# waits in a queue for the next such stage exit a day or more after the last survey (the
# payout's and a withdrawal's too), and is dropped if the loan runs (post-loan, which
# continue-as-new does not carry it into) or the journey has ended before.
SURVEYS_PACED = "surveys-paced"
SURVEY_GAP = timedelta(days=1)
BAD_NEWS = frozenset({Stage.REJECTED, Stage.EXPIRED})  # no survey leaving for these


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
        if (visit.stage in self.touchpoints.ask_feedback_on_exit or self._applying is not None
                or self._surveys_due) and workflow.patched(SURVEYS_PACED):
            await self._pace_surveys(visit)
            return
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

    async def _pace_surveys(self, visit: StageVisit) -> None:
        """Queue the surveys leaving `visit` makes due (SURVEYS_PACED), then ask the first
        still unanswered if this is a quiet moment a day or more after the last survey."""
        asked = self.touchpoints.ask_feedback_on_exit
        if visit.stage is Stage.OFFER and Stage.OFFER in asked \
                and self._customer_took_part(visit):
            self._survey_due(visit)
        if visit.stage in APPLYING and visit.outcome not in APPLYING:  # applying is over
            self._applying = None  # a journey that waited for it before the marker
            done = self._applying_round(visit)
            took_part = [v for v in done if v.stage is Stage.INTAKE and v.stage in asked
                         and self._customer_took_part(v)]
            sent = [v for v in done if v.stage in asked and self._sent_documents(v)]
            for due in [*took_part, *sent[-1:]]:  # about the latest documents they sent
                self._survey_due(due)
        now, last = workflow.now(), self._surveyed_at
        quiet = visit.outcome not in (APPLYING | BAD_NEWS) and visit.stage is not Stage.POST_LOAN
        if not quiet or (last is not None and now - last < SURVEY_GAP):
            return  # kept for a later exit
        while self._surveys_due:
            due = self._surveys_due.pop(0)
            if not self._rated_since(due):
                self._surveyed_at = now
                await self._ask_feedback(due)
                return

    def _survey_due(self, visit: StageVisit) -> None:
        """Queue the survey about `visit`, unless its touchpoint has had one."""
        touchpoint = TOUCHPOINTS[visit.stage]
        if touchpoint not in self._surveyed:
            self._surveyed.append(touchpoint)
            self._surveys_due.append(visit)

    def _applying_round(self, last: StageVisit) -> list[StageVisit]:
        """The visits to the stages of applying, in a row, that leaving `last` ends: intake,
        documents and the requests for more, or a decider's request and what answered it."""
        end = next(i for i, v in enumerate(self._visits) if v is last)
        start = end
        while start > 0 and self._visits[start - 1].stage in APPLYING:
            start -= 1
        return self._visits[start:end + 1]

    def _sent_documents(self, visit: StageVisit) -> bool:
        """Whether the customer sent documents in `visit` (a written answer sends none)."""
        return any(e.type is EventType.TOUCHPOINT and (e.stage, e.attempt) == (
            visit.stage, visit.attempt) and (e.detail or "").startswith(DOCUMENTS_SENT)
            for e in self._events)

    def _rated_since(self, visit: StageVisit) -> bool:
        """Whether feedback about `visit`'s stage came since it was entered: no survey then."""
        return any(e.type is EventType.TOUCHPOINT and e.at >= visit.entered_at
                   and is_feedback_about(e.detail, visit.stage) for e in self._events)

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
