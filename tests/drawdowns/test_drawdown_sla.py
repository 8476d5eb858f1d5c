"""A drawdown waiting on the risk team runs under its own SLA, listed on the team's queue and
in status: warned, breached, reminded and handed to the team's supervisor, who may decide
it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.drawdowns import DrawdownState
from journey.queue_wait import QueueWait
from journey.stages import Stage
from journey.timeline import EventType
from tests.drawdowns.kit import (
    at_drawdowns,
    decide,
    first_tranche,
    request,
    until,
)
from tests.workflows.journey_kit import Documents, status
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")


async def test_a_drawdown_decision_breaches_its_sla_and_escalates(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        waiting = await request(handle, first_tranche(app, docs))
        assert waiting.state is DrawdownState.AWAITING_DECISION
        listed = QueueWait.of((await handle.describe()).typed_search_attributes.get(
            sa.QUEUE_WAIT))  # the queue's "SLA on the wait"
        assert listed is not None and listed.business
        assert listed.warn_at is not None and listed.due_at is not None
        shown = (await status(handle)).wait
        assert shown is not None and (shown.warn_at, shown.due_at) == (listed.warn_at,
                                                                       listed.due_at)
        await env.sleep(timedelta(days=10))  # 3 business days and then some

        late = await status(handle)
        assert late.stage is Stage.DISBURSEMENT and late.sla_state == "breached"
        assert late.team == "project_finance_risk" and late.assigned_to == "sup-pf"
        kinds = {e.type: e.at for e in late.events if e.stage is Stage.DISBURSEMENT}
        # warned and breached when the queue said it would be
        # (to the second: the timer fires a few ms after its point, and a point the queue
        # lists may carry the milliseconds of the wait's start)
        assert abs(kinds[EventType.SLA_WARNED] - listed.warn_at) < timedelta(seconds=1)
        assert abs(kinds[EventType.SLA_BREACHED] - listed.due_at) < timedelta(seconds=1)
        assert "drawdown t1 decision from team project_finance_risk" in late.waiting_for

        supervisor = Actor(id="sup-pf", role=Role.SUPERVISOR)
        done = await handle.execute_update(LoanJourneyWorkflow.decide_drawdown,
                                           decide("t1", actor=supervisor))
        assert done.state is DrawdownState.BOOKED
        booked = (await status(handle)).drawdowns[0]
        assert booked.waited is not None and booked.waited >= timedelta(days=10)
        after = await until(handle, lambda s: any("drawdown request" in w
                                                  for w in s.waiting_for))
        assert after.sla_state == "ok"  # the next visit waits on the customer, no SLA
        assert after.assigned_to is None  # the next drawdown goes to the whole team again
