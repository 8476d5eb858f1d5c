"""Updates that meet an amendment (workflows/amendments.py) on the time-skipping server.

No wait sits between an amendment's check and its change: the SDK runs an update's validator
and then its handler in one task (temporalio 1.35, `_WorkflowInstanceImpl._apply_do_update`),
no interceptor of the worker awaits in between (workflows/run_ahead.py watches validators
only), and the handler changes the application before its first await. So an update sent at
the same moment is checked on the state the first left: two of the same amendment, one is
refused; an amendment and the vote that settles the approval, one is refused; an amendment and
a withdrawal, both may stand, and the journey ends withdrawn. What does wait is
the amendment's keep of its new amount in the journey's line of the borrower's exposure (an
activity, retried until the store takes it): a second amendment accepted meanwhile kept its
own, and the store held whichever came last, not the application's amount."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

from temporalio import activity
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateStage
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from activities.exposure import ExposureActivities
from journey.actors import Actor, Role
from journey.decisions import ApprovalDecision, UpdateResult, Verdict, Withdrawal
from journey.exposure import KEEP_EXPOSURE, KeepExposureInput, KeepExposureResult
from journey.settings import Settings
from journey.stages import Stage
from tests.store.test_lpr_fixings import rows
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    drive_to,
    journey_worker,
    new_application,
    refused,
    running_journey,
    start,
    status,
    terminate,
    until_stage,
)
from tests.workflows.test_amendments import RM_CHEN, amended, amendment
from workflows.loan_journey import LoanJourneyWorkflow

OPS_LI = Actor(id="ops-li", role=Role.OPERATIONS)  # operations amend any case


def line_of(settings: Settings, workflow_id: str) -> Decimal:
    """The amount the journey's line in the borrower's exposure holds (the store's)."""
    [(amount,)] = rows(settings.db_url,
                       f"select amount from credit_exposures where workflow_id = '{workflow_id}'")
    return Decimal(amount)


def failed_with(outcome: UpdateResult | BaseException) -> str:
    """Why an update sent beside another was refused (its validator's words)."""
    assert isinstance(outcome, WorkflowUpdateFailedError), outcome
    assert isinstance(outcome.cause, ApplicationError), outcome.cause
    return outcome.cause.message


async def test_the_same_amendment_sent_twice_at_once_is_taken_once(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The manager and operations send the same new term at once: the second is checked on
    the application the first amended (no check on the figures as they were), and refused."""
    docs, app = new_application(drop={"income"}, submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        twice = [time_skipping_env.client.get_workflow_handle(handle.id) for _ in range(2)]
        outcomes = await asyncio.gather(*(
            h.execute_update(LoanJourneyWorkflow.amend_application,
                             amendment(who, amount=None, term_months=24))
            for h, who in zip(twice, (RM_CHEN, OPS_LI), strict=True)), return_exceptions=True)
        taken = [o for o in outcomes if isinstance(o, UpdateResult)]
        assert [o.message for o in taken] == ["amended: term 12 -> 24 months"], outcomes
        [other] = [o for o in outcomes if not isinstance(o, UpdateResult)]
        assert failed_with(other) == ("the application asks for 3,000,000.00 over 24 months "
                                      "already: nothing to amend")
        now = await status(handle)
        assert len(amended(now.decisions)) == 1 and now.term_months == 24


async def test_an_amendment_and_the_settling_vote_at_once_one_is_refused(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """At approval the manager amends the amount as the approver casts the vote that settles
    the case: whichever the journey takes first stands and the other is refused, so the case
    is never approved on the amount before while its line says the new one, nor sent back to
    routing with a vote counted."""
    docs, app = new_application(submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, Stage.APPROVAL)
        client = time_skipping_env.client
        amend, vote = await asyncio.gather(
            client.get_workflow_handle(handle.id).execute_update(
                LoanJourneyWorkflow.amend_application, amendment()),
            client.get_workflow_handle(handle.id).execute_update(
                LoanJourneyWorkflow.decide, ApprovalDecision(
                    actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit")),
            return_exceptions=True)
        if isinstance(vote, UpdateResult):  # the vote came first: approved on 3m
            assert vote.stage is Stage.OFFER
            assert failed_with(amend).startswith("the journey is at offer and the approval is "
                                                 "decided") or failed_with(amend).startswith(
                "the votes cast settle the approval"), failed_with(amend)
            now, amount = await status(handle), Decimal(3_000_000)
            assert now.offer is not None and amended(now.decisions) == []
        else:  # the amendment came first: routed and reviewed again on 12m, no vote counted
            assert isinstance(amend, UpdateResult), amend
            failed_with(vote)  # refused: just amended, or no longer at approval
            now, amount = await until_stage(handle, Stage.RISK_REVIEW), Decimal(12_000_000)
            assert (now.attempt, now.voted, now.offer) == (2, [], None)
        assert now.amount == amount
        assert line_of(settings, handle.id) == amount


async def test_a_second_amendment_waits_for_the_first_ones_line(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """The first amendment's keep of its line is held (a store that answers slowly, a retry
    waiting): operations' second amendment is refused until it is answered, with nothing
    changed, and the line ends at the application's amount. Before, the second was taken and
    kept its line first, the first's keep then overwrote it: the application asked for 10m and
    the borrower's exposure counted 12m (and `records verify` named the line changed)."""
    held, holding = asyncio.Event(), asyncio.Event()

    def first_keep_held(settings: Settings) -> list[Any]:
        real = ExposureActivities(settings)

        @activity.defn(name=KEEP_EXPOSURE)
        async def keep_exposure(request: KeepExposureInput) -> KeepExposureResult:
            if request.amended and request.amount == Decimal(12_000_000):
                holding.set()
                await held.wait()
            return await real.keep_exposure(request)

        return [keep_exposure]

    docs, app = new_application(drop={"income"}, submitted_by=RM_CHEN)
    async with running_journey(time_skipping_env, tmp_path, docs, app, first_keep_held) as (
            settings, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        first = await handle.start_update(LoanJourneyWorkflow.amend_application, amendment(),
                                          wait_for_stage=WorkflowUpdateStage.ACCEPTED)
        await holding.wait()
        ops = time_skipping_env.client.get_workflow_handle(handle.id)
        why = await refused(ops, LoanJourneyWorkflow.amend_application,
                            amendment(OPS_LI, amount=10_000_000))
        assert why == ("DecisionRefused: the amount amended last is being kept in the "
                       "borrower's exposure: try again once that amendment is answered")
        held.set()
        assert (await first.result()).message == "amended: amount 3,000,000.00 -> 12,000,000.00"
        now = await status(handle)
        assert now.amount == line_of(settings, handle.id) == Decimal(12_000_000)
        assert len(amended(now.decisions)) == 1
        # answered: the next amendment is taken, and its line kept
        again = await ops.execute_update(LoanJourneyWorkflow.amend_application,
                                         amendment(OPS_LI, amount=10_000_000))
        assert again.message == "amended: amount 12,000,000.00 -> 10,000,000.00"
        assert line_of(settings, handle.id) == Decimal(10_000_000)


async def test_an_amendment_and_a_withdrawal_taken_together_end_the_journey_and_say_so(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """An amendment at risk review and a withdrawal, sent while no worker runs, are taken in
    one workflow task, in the order the server took them: a withdrawal first refuses the
    amendment; an amendment first lets the withdrawal through (it may be withdrawn), and the
    journey ends withdrawn rather than going back to routing, the amendment's answer saying
    so, not that the case is routed again. Its line keeps the amended amount, counted no
    more."""
    env = time_skipping_env
    docs, app = new_application(submitted_by=RM_CHEN)
    # no sticky queue: the test server would keep the journey's tasks for the worker gone
    async with journey_worker(env.client, tmp_path, docs, cache=False,
                              restarting=True) as settings:
        handle = await start(env.client, settings, app)
        await drive_to(handle, app, Stage.RISK_REVIEW)
    try:
        sent = asyncio.gather(
            handle.execute_update(LoanJourneyWorkflow.amend_application, amendment()),
            env.client.get_workflow_handle(handle.id).execute_update(
                LoanJourneyWorkflow.withdraw,
                Withdrawal(actor=RM_CHEN, reason="funded elsewhere")),
            return_exceptions=True)
        await asyncio.sleep(3)  # both reach the server before a worker takes them, under load too
        async with journey_worker(env.client, tmp_path, docs, task_queue=settings.task_queue):
            amend, withdraw = await sent
            assert (await handle.result()).outcome is Stage.WITHDRAWN
        assert isinstance(withdraw, UpdateResult) and withdraw.stage is Stage.WITHDRAWN
        if isinstance(amend, UpdateResult):
            assert amend.stage is Stage.WITHDRAWN
            assert amend.message == ("amended: amount 3,000,000.00 -> 12,000,000.00; the "
                                     "journey then ended: withdrawn")
            assert line_of(settings, handle.id) == Decimal(12_000_000)
        else:
            assert failed_with(amend) == "the journey is being withdrawn"
            assert line_of(settings, handle.id) == Decimal(3_000_000)
    finally:
        await terminate(handle)
