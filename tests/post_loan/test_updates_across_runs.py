"""Updates sent while the post-loan loop continues as new are each answered, by the run that
took them (`_continue_as_new` waits for every handler, with nothing awaited between that and
the new run) or by the next: none is lost at a run's end."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.client import WorkflowUpdateStage
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from journey.application import Channel
from journey.post_loan_policy import start_of
from journey.settings import Settings
from journey.stages import Stage
from journey.touchpoints import (
    STORE_FEEDBACK,
    Feedback,
    Inquiry,
    RecordFeedbackInput,
    RecordFeedbackResult,
)
from store.feedback import record_feedback
from tests.post_loan.loan_kit import (
    assert_replays,
    disbursed,
    loan_worker,
    outcome,
    pay,
    policy,
    skip_to,
    until,
)
from tests.workflows.journey_kit import Documents, application, customer, until_sent
from workflows.loan_journey import LoanJourneyWorkflow


async def test_repayments_and_inquiries_sent_together_are_answered_across_runs(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=6)
    # a low bound: the loop continues as new at nearly every wake-up, the updates beside it
    async with loan_worker(env.client, tmp_path, docs,
                           post_loan_policy=policy(max_history_events=100)) as settings:
        handle, running = await disbursed(env.client, settings, app)
        me, answers = customer(app), []
        for inst in running.offer.schedule:
            await skip_to(env, start_of(inst.due_on) + timedelta(hours=2))
            answers += await asyncio.gather(
                handle.execute_update(LoanJourneyWorkflow.record_repayment, pay(
                    f"M-{inst.number:02}", inst.payment, paid_on=inst.due_on)),
                *(handle.execute_update(LoanJourneyWorkflow.record_inquiry,
                                        Inquiry(actor=me, channel=Channel.APP))
                  for _ in range(3)))
        result = await outcome(handle)
        final = await handle.query(LoanJourneyWorkflow.status)
    assert result.reason == "repaid in full" and final.run > 3
    assert len(answers) == 4 * len(running.offer.schedule)
    assert sum("arrears 0" in a.message for a in answers) == len(running.offer.schedule)


def held_feedback_store(db_url: str, mended: threading.Event) -> Callable[..., Any]:
    """A feedback's store that fails each attempt until `mended`, asking to be tried again in
    60 days (a write the database keeps refusing): its update's handler holds the run."""

    @activity.defn(name=STORE_FEEDBACK)
    def store_feedback(request: RecordFeedbackInput) -> RecordFeedbackResult:
        if not mended.is_set():
            raise ApplicationError("the feedback table is locked",
                                   next_retry_delay=timedelta(days=60))
        return RecordFeedbackResult(inserted=record_feedback(db_url, request))

    return store_feedback


async def test_a_held_handler_does_not_hold_the_loans_notices_while_the_run_waits_to_continue(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A run due to continue as new waits for its handlers; while one is held, the loop's
    wake-ups still come: the overdue notice goes out on its day, then the run continues once
    the handler is done."""
    env, docs, mended = time_skipping_env, Documents(), threading.Event()
    app = application(docs, term_months=6)
    held = held_feedback_store(Settings(data_dir=tmp_path).db_url, mended)
    async with loan_worker(env.client, tmp_path, docs, replace=[held],
                           post_loan_policy=policy(continue_after_days=1)) as settings:
        handle, running = await disbursed(env.client, settings, app)
        feedback = await handle.start_update(
            LoanJourneyWorkflow.record_feedback,
            Feedback(actor=customer(app), channel=Channel.APP, stage=Stage.OFFER, score=4),
            wait_for_stage=WorkflowUpdateStage.ACCEPTED)
        first = running.offer.schedule[0]
        # past the reminder (the run is then over a day old: it would continue) and the day
        # past due, unpaid
        await skip_to(env, start_of(first.due_on + timedelta(days=1)) + timedelta(hours=2))
        notice = await until_sent(settings.db_url, handle.id, key=f"{handle.id}:overdue:1")
        assert notice.template == "repayment_overdue"
        late = await until(handle, lambda s: s.days_past_due == 1)
        assert late.run == running.run  # still the run the handler holds

        mended.set()
        await skip_to(env, start_of(first.due_on + timedelta(days=62)))
        assert (await feedback.result()).message == "feedback about offer recorded"
        await until(handle, lambda s: s.run > running.run)  # continued, once the handler was done
        await assert_replays(handle)
