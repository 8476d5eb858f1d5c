"""The reads a decision's answer waits for have a task queue and slots of their own (journey/
contracts.py DECISION_READS, worker.py): while every slot of the journeys' queue is held, an
approval that settles still reads the borrower's exposure (it has another application, so the
exposure is read again) and answers at the offer."""

from __future__ import annotations

import asyncio
import threading

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.timing import TimingActivities
from journey import contracts
from journey.contracts import RecordTimingInput, RecordTimingResult
from journey.credit_code import generate
from journey.decisions import ApprovalDecision, Verdict
from journey.exposure import ROUTE_ON_EXPOSURE
from journey.settings import Settings
from journey.stages import Stage
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    Documents,
    application,
    drive_to,
    journey_worker,
    start,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow


async def _exposure_queues(handle: WorkflowHandle) -> list[str]:
    scheduled = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    return [
        e.activity_task_scheduled_event_attributes.task_queue.name
        async for e in handle.fetch_history_events()
        if e.event_type == scheduled
        and e.activity_task_scheduled_event_attributes.activity_type.name == ROUTE_ON_EXPOSURE
    ]


async def test_an_approval_answers_while_every_slot_of_the_journeys_queue_is_held(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, code = Documents(), generate()
    company = (f"上海测试制造有限公司{code[-4:]}", code)  # two applications of 1,000,000: branch
    sibling, approved = (application(docs, amount=1_000_000, company=company) for _ in "ab")
    holding = application(docs)
    held_for: set[str] = set()
    writing, release = threading.Event(), threading.Event()

    def timing_held(settings: Settings) -> list:
        real = TimingActivities(settings)

        @activity.defn(name=contracts.RECORD_TIMING)
        def record_timing_events(request: RecordTimingInput) -> RecordTimingResult:
            if {e.workflow_id for e in request.events} & held_for:  # the other journey's
                writing.set()  # write takes the queue's only slot until released
                release.wait(timeout=30)
            return real.record_timing_events(request)

        return [record_timing_events]

    client = time_skipping_env.client
    async with journey_worker(client, tmp_path, docs, timing_held, slots=(1, 1)) as settings:
        await until_stage(await start(client, settings, sibling), Stage.RISK_REVIEW)
        handle = await start(client, settings, approved)
        await drive_to(handle, approved, Stage.APPROVAL)
        held_for.add((await start(client, settings, holding)).id)
        try:
            assert await asyncio.to_thread(writing.wait, 10), "the other journey wrote nothing"
            vote = ApprovalDecision(actor=BRANCH_APPROVER, verdict=Verdict.APPROVE,
                                    reason="within limit")
            answer = await asyncio.wait_for(
                handle.execute_update(LoanJourneyWorkflow.decide, vote), timeout=15)
            assert answer.stage is Stage.OFFER
        finally:
            release.set()
        # routing read the exposure on the journeys' queue; the approval, on its own
        queue = settings.task_queue
        assert await _exposure_queues(handle) == [queue, contracts.decisions_queue(queue)]
