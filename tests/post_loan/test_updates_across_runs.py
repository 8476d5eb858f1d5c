"""Updates sent while the post-loan loop continues as new are each answered, by the run that
took them (`_continue_as_new` waits for every handler, with nothing awaited between that and
the new run) or by the next: none is lost at a run's end."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from journey.application import Channel
from journey.post_loan_policy import start_of
from journey.touchpoints import Inquiry
from tests.post_loan.loan_kit import disbursed, loan_worker, outcome, pay, policy, skip_to
from tests.workflows.journey_kit import Documents, application, customer
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
