"""A covenant breach a review raises while a project draws (workflows/drawdown_reviews.py): an
event of default that refuses its drawdowns, saying who may lift it and how; the project on
its risk team's queue while the warning is open; acknowledged by the team as it draws, and
lifted by the supervisor's waiver or cured by a later review that finds the covenant met, not
by another acknowledgement."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rich.console import Console
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.application import LoanApplication
from journey.decisions import Withdrawal
from journey.drawdowns import DrawdownRequest, DrawdownState
from journey.post_loan_warnings import AcknowledgeWarning, WarningAction
from journey.settings import Settings
from journey.stages import Stage
from starter.status_view import status_view
from tests.drawdowns.kit import (
    RISK_PF,
    approve,
    ask,
    at_drawdowns,
    listed,
    listed_wait,
    permit,
    request,
    review_now,
    send_balance_sheet,
    skip_to,
    until,
)
from tests.post_loan.loan_kit import assert_replays
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, customer, refused
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")

SUPERVISOR = Actor(id="sup-pf", role=Role.SUPERVISOR)
TEAM = "project_finance_risk"


def some_of_t1(app: LoanApplication, docs: Documents) -> DrawdownRequest:
    """A part of t1 with the permits its conditions ask for: a tranche draws in several."""
    return ask(app, "t1", 1_000_000,
               [permit(docs, "planning_permit"), permit(docs, "capital_proof")])


async def acknowledge(handle: WorkflowHandle, actor: Actor, action: WarningAction,
                      numbers: list[int] | None = None) -> str:
    result = await handle.execute_update(
        LoanJourneyWorkflow.acknowledge_warning,
        AcknowledgeWarning(actor=actor, action=action, numbers=numbers or [],
                           note="spoke to the sponsor's CFO"))
    return str(result.message)


async def draw_some(handle: WorkflowHandle, app: LoanApplication, docs: Documents) -> None:
    """Draw part of t1: the project is reviewed from then on."""
    await request(handle, some_of_t1(app, docs))
    await approve(handle, "t1")
    await until(handle, lambda s: s.risk_class is not None)


async def breached(env: WorkflowEnvironment, settings: Settings, handle: WorkflowHandle,
                   app: LoanApplication, docs: Documents) -> None:
    """A review on newer statements that breach max-leverage: early warning 1, and the
    downgrade its assessment makes, warning 2 (raised after the breach, possibly in a later
    workflow task)."""
    await send_balance_sheet(handle, app, docs, 82_000_000,
                             journey_kit.TODAY - timedelta(days=30))
    await review_now(env, settings, handle, 1)
    await until(handle, lambda s: [w.kind for w in s.warnings] == ["covenant_breach",
                                                                   "downgrade"])


async def test_a_breach_blocks_until_a_review_cures_it_and_the_team_sees_it_meanwhile(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        await draw_some(handle, app, docs)
        await breached(env, settings, handle, app, docs)
        await env.sleep(timedelta(hours=6))  # the next request comes later
        blocked = await request(handle, some_of_t1(app, docs))
        assert blocked.state is DrawdownState.CONDITIONS_FAILED
        default = next(c for c in blocked.conditions if c.condition == "no_event_of_default")
        assert not default.met and "max-leverage" in default.explanation
        # who may lift it, and how
        assert "the project_finance_risk supervisor (sup-pf) waives it" in default.explanation
        assert (f"loan-journey acknowledge {handle.id} --warning 1 --action waiver"
                in default.explanation)
        assert f"loan-journey schedules trigger {handle.id}" in default.explanation
        # waiting for the next request, with the warning open: on the risk team's queue
        waiting = await until(handle, lambda s: s.waits_on == "customer")
        assert await listed(handle) == (TEAM, "early_warning", False)  # no drawdown's SLA
        # waiting there since the warning was raised, not since this wait for a request began
        raised, wait = waiting.warnings[0].raised_at, await listed_wait(handle)
        assert raised is not None and wait is not None
        assert wait.since == raised.replace(microsecond=0)
        assert wait.since <= await env.get_current_time() - timedelta(hours=6)

        said = await acknowledge(handle, RISK_PF, WarningAction.CONTACT_BORROWER, [1])
        assert said == "early warning(s) 1 acknowledged; still open: 2"  # the downgrade
        still = await request(handle, some_of_t1(app, docs))  # an acknowledgement lifts nothing
        assert still.state is DrawdownState.CONDITIONS_FAILED

        await send_balance_sheet(handle, app, docs, 30_000_000,
                                 journey_kit.TODAY - timedelta(days=1))
        await review_now(env, settings, handle, 2)
        cured = await until(handle, lambda s: s.warnings[0].cured_by is not None)
        assert cured.warnings[0].cured_by == f"review-{handle.id}-2"
        shown = Console(width=300, record=True)
        shown.print(status_view(cured))
        assert f"cured: met at review review-{handle.id}-2" in shown.export_text()
        drawn = await request(handle, some_of_t1(app, docs))
        assert drawn.state is DrawdownState.AWAITING_DECISION
        assert all(c.met for c in drawn.conditions)
        assert (await approve(handle, "t1")).state is DrawdownState.BOOKED

        await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="the rest is not needed"))
        await until(handle, lambda s: s.stage is Stage.POST_LOAN)
        assert await listed(handle) == (TEAM, "early_warning", False)  # 2 open still
        await acknowledge(handle, RISK_PF, WarningAction.MONITOR)
        assert await listed(handle) == ("-", "ok", False)  # off the queue
        await assert_replays(handle)


async def test_the_supervisors_waiver_lifts_a_breach_raised_while_a_drawdown_is_decided(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        await draw_some(handle, app, docs)
        deciding = await request(handle, some_of_t1(app, docs))
        assert deciding.state is DrawdownState.AWAITING_DECISION
        sla = await listed_wait(handle)
        assert sla is not None and sla.warn_at is not None and sla.due_at is not None
        await skip_to(env, sla.warn_at + (sla.due_at - sla.warn_at) / 2)
        assert await listed(handle) == (TEAM, "warned", True)  # the decision's SLA
        await breached(env, settings, handle, app, docs)
        assert await listed(handle) == (TEAM, "early_warning", True)
        officer_waives = AcknowledgeWarning(actor=RISK_PF, action=WarningAction.WAIVER,
                                            note="sponsor injects equity next quarter")
        assert "the project_finance_risk supervisor's decision" in await refused(
            handle, LoanJourneyWorkflow.acknowledge_warning, officer_waives)
        await acknowledge(handle, SUPERVISOR, WarningAction.WAIVER)
        # no warning open: the drawdown's decision keeps it on the team's queue, its SLA
        # warned as its clock says
        assert await listed(handle) == (TEAM, "warned", True)
        assert (await approve(handle, "t1")).state is DrawdownState.BOOKED
        drawn = await request(handle, some_of_t1(app, docs))
        assert drawn.state is DrawdownState.AWAITING_DECISION  # waived: no event of default
        waiting = await until(handle, lambda s: s.stage is Stage.DISBURSEMENT)
        assert all(w.acknowledged is not None for w in waiting.warnings)
        await assert_replays(handle)


async def test_the_close_raises_no_breach_again_that_was_raised_while_drawing(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    async with at_drawdowns(env, tmp_path, docs) as (app, settings, handle):
        await draw_some(handle, app, docs)
        await breached(env, settings, handle, app, docs)
        await acknowledge(handle, SUPERVISOR, WarningAction.WAIVER)  # the breach, the downgrade
        await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="the rest is not needed"))
        running = await until(handle, lambda s: s.stage is Stage.POST_LOAN)
        # waived on the statements still on file: not raised again, off the team's queue
        assert [(w.kind, w.open) for w in running.warnings] == [
            ("covenant_breach", False), ("downgrade", False)]
        assert await listed(handle) == ("-", "ok", False)
        await assert_replays(handle)
