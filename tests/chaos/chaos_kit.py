"""What the chaos test needs: a worker process to kill, and people who keep trying.

People act through Updates with a stable update id per action, so an action retried after a
lost reply is applied once (Temporal deduplicates updates by id within a run); any refusal
or connection error only sends them back to read the status again.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.service import RPCError

from journey.actors import Actor, Role
from journey.application import LoanApplication
from journey.decisions import (
    ApprovalDecision,
    Repayment,
    RiskGrade,
    RiskOpinion,
    Verdict,
)
from journey.policy import Policy
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyInput, JourneyStatus, plan_start
from starter import applications, loan_figures, operations
from starter.demo_team import OPERATIONS, agent_signature, approvers, risk_officer
from starter.errors import JourneyError
from tests.chaos.worker_process import LABELS
from tests.e2e.conftest import env_for
from workflows.loan_journey import LoanJourneyWorkflow

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
CALL_SECONDS = 10.0
# What a call can meet while the worker or the server is down, besides a refusal.
TRANSIENT = (
    RPCError, RuntimeError, TimeoutError, JourneyError, WorkflowQueryFailedError,
    WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError,
)


@dataclass
class WorkerProcess:
    """`python -m tests.chaos.worker_process`, killed with SIGKILL and started again."""

    settings: Settings
    labels: Path
    module: str = "tests.chaos.worker_process"
    proc: subprocess.Popen[bytes] | None = None
    kills: int = 0

    def start(self) -> None:
        env = {**env_for(self.settings), LABELS: str(self.labels), "PYTHONPATH": str(ROOT)}
        env.pop("LOAN_JOURNEY_METRICS_PORT", None)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.module],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def kill(self) -> None:
        """kill -9 this one process (never by name), and reap it."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=10)
        self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.kill()


async def patiently(call: Awaitable[T]) -> T | None:
    """One attempt, bounded in time; None when the worker or the server was not there."""
    try:
        return await asyncio.wait_for(call, CALL_SECONDS)
    except TRANSIENT:
        return None


async def start(client: Client, settings: Settings, app: LoanApplication) -> str:
    workflow_id = applications.journey_id(app.application_id)
    while True:
        try:
            await asyncio.wait_for(
                client.start_workflow(
                    LoanJourneyWorkflow.run, JourneyInput(application=app), id=workflow_id,
                    task_queue=settings.task_queue,
                ),
                CALL_SECONDS,
            )
            return workflow_id
        except RPCError as err:
            if "already" in str(err).lower():  # a start whose reply was lost
                return workflow_id
            await asyncio.sleep(0.5)
        except (RuntimeError, TimeoutError):
            await asyncio.sleep(0.5)


async def _update(client: Client, wid: str, name: str, key: str, request: BaseModel) -> None:
    handle = client.get_workflow_handle(wid)
    await patiently(handle.execute_update(name, request, id=f"{name}:{key}"))


async def drive(client: Client, settings: Settings, policy: Policy, app: LoanApplication) -> str:
    """Act as the people until the journey closes, whatever is down in the meantime."""
    wid = await start(client, settings, app)
    customer = Actor(id=app.credit_code, role=Role.CUSTOMER)
    while True:
        s: JourneyStatus | None = await patiently(operations.status(client, wid))
        if s is None:
            if await _closed(client, wid):  # a history that no longer replays answers no query
                return wid
            await asyncio.sleep(0.5)
            continue
        if s.stage.terminal:
            return wid
        await _act(client, wid, policy, app, customer, s)
        await asyncio.sleep(0.2)


async def _closed(client: Client, wid: str) -> bool:
    described = await patiently(client.get_workflow_handle(wid).describe())
    return described is not None and described.status is not WorkflowExecutionStatus.RUNNING


async def _act(
    client: Client, wid: str, policy: Policy, app: LoanApplication, customer: Actor,
    s: JourneyStatus,
) -> None:
    if s.stage is Stage.RISK_REVIEW and s.route is not None:
        opinion = RiskOpinion(actor=risk_officer(policy, s.route.team), verdict=Verdict.APPROVE,
                              grade=RiskGrade.G3, reason="cash flow covers the debt service")
        await _update(client, wid, "record_risk_opinion", str(s.attempt), opinion)
    elif s.stage is Stage.APPROVAL and s.route is not None:
        voted = {d.actor.id for d in s.decisions if d.stage is Stage.APPROVAL}
        for approver in approvers(policy, s.route, app.amount):
            if approver.id not in voted:
                vote = ApprovalDecision(actor=approver, verdict=Verdict.APPROVE,
                                        reason="within appetite")
                await _update(client, wid, "decide", f"{s.attempt}:{approver.id}", vote)
    elif s.stage is Stage.OFFER:
        await _update(client, wid, "sign", "offer", agent_signature(customer))
    elif s.stage is Stage.POST_LOAN and s.offer is not None and not s.payments:
        day = plan_start(s.offer, s.disbursement)  # settled at the payout day's quote
        assert day is not None
        repay = Repayment(actor=OPERATIONS, reference=f"FULL-{app.application_id}",
                          amount=loan_figures.settlement(s, day).owed, paid_on=day, settles=True)
        await _update(client, wid, "record_repayment", "full", repay)


def readings_json(readings: dict[str, Any]) -> str:
    return json.dumps({sha: r.model_dump(mode="json") for sha, r in readings.items()})
