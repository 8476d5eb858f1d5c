"""Updates from people the journey does not know, and payloads that are not updates, against
a running journey on the time-skipping server: every one is refused before the history
(`WorkflowUpdateFailedError`), the journey keeps waiting where it was, and nobody it does
know is locked out afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment

from activities.policy import policy_text
from journey.actors import Actor, Role
from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    Reassignment,
    Repayment,
    RiskGrade,
    RiskOpinion,
    ScheduleAction,
    ScheduleChange,
    Signature,
    Verdict,
    Withdrawal,
    WriteOff,
    WrittenAnswer,
)
from journey.policy import parse_policy
from journey.reading_corrections import ReadingCorrection
from journey.stages import Stage
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    RISK_SME,
    Documents,
    application,
    journey_worker,
    ref,
    start,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

KNOWN = {m.id for m in parse_policy(policy_text(None)).staff}
UPDATES = [
    "add_documents", "record_risk_opinion", "decide", "sign", "withdraw", "reassign",
    "record_repayment", "add_statements", "write_off", "record_schedule_change",
    "answer_question", "correct_reading",
]


def _request(update: str, actor: Actor, text: str) -> BaseModel:
    reason = (text + "..")[:2000]
    return {
        "add_documents": lambda: AddDocuments(actor=actor, documents=[ref(text)]),
        "add_statements": lambda: AddDocuments(actor=actor, documents=[ref(text)]),
        "record_risk_opinion": lambda: RiskOpinion(
            actor=actor, verdict=Verdict.APPROVE, grade=RiskGrade.G3, reason=reason
        ),
        "decide": lambda: ApprovalDecision(actor=actor, verdict=Verdict.APPROVE, reason=reason),
        "sign": lambda: Signature(actor=actor),
        "withdraw": lambda: Withdrawal(actor=actor, reason=reason),
        "reassign": lambda: Reassignment(actor=actor, to="risk-sme-1", reason=reason),
        "record_repayment": lambda: Repayment(actor=actor, reference="REF-" + text[:8], amount=1),
        "write_off": lambda: WriteOff(actor=actor, reason=reason),
        "answer_question": lambda: WrittenAnswer(actor=actor, text=reason),
        "correct_reading": lambda: ReadingCorrection(
            actor=actor, document=ref(text).sha256, field="total_assets", value="1"),
        "record_schedule_change": lambda: ScheduleChange(
            actor=actor, action=ScheduleAction.PAUSED, note=reason[:500]),
    }[update]()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)
unknown_ids = st.text(min_size=1, max_size=64).filter(lambda s: s not in KNOWN)
unknown_actors = st.builds(Actor, id=unknown_ids, role=st.sampled_from(list(Role)))
well_formed = st.builds(
    lambda update, actor, text: (update, _request(update, actor, text)),
    st.sampled_from(UPDATES),
    unknown_actors,
    st.text(min_size=1, max_size=40),
)
malformed = st.tuples(st.sampled_from(UPDATES), json_values)


@pytest.mark.parametrize("stage", [Stage.RISK_REVIEW, Stage.COMPLETENESS])
async def test_unknown_actors_and_malformed_payloads_are_refused(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, stage: Stage
) -> None:
    client = time_skipping_env.client
    journey_kit.TODAY = (await time_skipping_env.get_current_time()).date()
    docs = Documents()
    app = application(docs, drop={"income"} if stage is Stage.COMPLETENESS else set())
    async with journey_worker(client, tmp_path, docs) as worker_settings:
        handle = await start(client, worker_settings, app)
        await until_stage(handle, stage, asking=stage is Stage.COMPLETENESS)
        loop = asyncio.get_running_loop()

        def wait(coro: Coroutine[Any, Any, Any]) -> Any:
            return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=30)

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        @given(well_formed | malformed)
        def refused(sent: tuple[str, object]) -> None:
            update, payload = sent
            if isinstance(payload, BaseModel) and getattr(payload, "actor", None) is not None:
                assert payload.actor.id != app.credit_code  # type: ignore[attr-defined]
            with pytest.raises(WorkflowUpdateFailedError):
                wait(handle.execute_update(update, payload))

        await asyncio.to_thread(refused)

        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        assert (await journey_kit.status(handle)).stage is stage
        kinds = {e.event_type async for e in handle.fetch_history_events()}
        assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED not in kinds
        assert EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED not in kinds
        await _someone_known_still_acts(handle, stage, app.credit_code, docs)


async def _someone_known_still_acts(
    handle: WorkflowHandle, stage: Stage, code: str, docs: Documents
) -> None:
    if stage is Stage.RISK_REVIEW:
        opinion = RiskOpinion(actor=RISK_SME, verdict=Verdict.APPROVE, grade=RiskGrade.G3,
                              reason="sound")
        done = await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, opinion)
        assert done.stage is Stage.APPROVAL
    else:
        customer = Actor(id=code, role=Role.CUSTOMER)
        done = await handle.execute_update(
            LoanJourneyWorkflow.add_documents,
            AddDocuments(actor=customer, documents=[docs.unreadable("a late scan")]),
        )
        assert done.accepted
