"""A burst of status inquiries after disbursement is an early warning to the risk team: at
the policy's threshold, not below it, once per window; inquiries before payout don't count.
The team acknowledges it like any early warning, and the loan leaves its queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.application import Channel
from journey.post_loan_warnings import AcknowledgeWarning, WarningAction
from journey.stages import Stage
from journey.timeline import EventType
from journey.touchpoints import DEFAULT_POLICY, Inquiry, TouchpointPolicy, inquiry_burst
from store.outbox import messages_for
from tests.workflows.journey_kit import (
    RISK_SME,
    customer,
    drive_to,
    new_application,
    running_journey,
    status,
    until_stage,
)
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow as W

N = DEFAULT_POLICY.inquiry_burst_count


async def warnings(handle: WorkflowHandle) -> list[str]:
    return [
        e.detail or ""
        for e in (await status(handle)).events
        if e.type is EventType.ESCALATED and "inquiry_burst" in (e.detail or "")
    ]


async def test_inquiry_burst_after_disbursement_warns_the_risk_team(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    ask = Inquiry(actor=customer(app), channel=Channel.PHONE)
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        for _ in range(N):  # before disbursement: not counted
            await handle.execute_update(W.record_inquiry, ask)
        await drive_to(handle, app, Stage.POST_LOAN)

        for _ in range(N - 1):
            await handle.execute_update(W.record_inquiry, ask)
        assert await warnings(handle) == []
        await handle.execute_update(W.record_inquiry, ask.model_copy(update={"channel": "app"}))
        assert await warnings(handle) == [
            f"early warning inquiry_burst: {N} inquiries within 14 days, the last through app"
        ]
        attrs = (await handle.describe()).typed_search_attributes
        assert attrs.get(sa.TEAM) == "sme_risk" and attrs.get(sa.SLA_STATE) == "early_warning"
        await handle.execute_update(W.record_inquiry, ask)  # same window: no second warning
        assert len(await warnings(handle)) == 1
        await handle.execute_update(W.acknowledge_warning, AcknowledgeWarning(
            actor=RISK_SME, action=WarningAction.CONTACT_BORROWER, note="asked why they call",
        ))
        attrs = (await handle.describe()).typed_search_attributes
        assert attrs.get(sa.TEAM) == "-" and attrs.get(sa.SLA_STATE) == "ok"
        [burst] = (await status(handle)).warnings
        assert burst.kind == "inquiry_burst" and burst.acknowledged is not None

        await time_skipping_env.sleep(timedelta(days=15))  # a new window
        for _ in range(N):
            await handle.execute_update(W.record_inquiry, ask)
        assert len(await warnings(handle)) == 2
        sent = [
            (m.key, m.recipient)
            for m in messages_for(settings.db_url, handle.id)
            if m.template == "early_warning_inquiry_burst"
        ]
        assert sent == [(f"{handle.id}:warning:{n}", "sme_risk") for n in (1, 2)]


def test_the_burst_rule_counts_only_the_window() -> None:
    now = datetime(2027, 3, 1, tzinfo=UTC)
    policy = TouchpointPolicy(inquiry_burst_count=3, inquiry_burst_window=timedelta(days=7))
    day = timedelta(days=1)
    assert inquiry_burst([now - day, now - 2 * day, now], [], now, policy)
    assert not inquiry_burst([now - 8 * day, now - 2 * day, now], [], now, policy)  # below
    assert not inquiry_burst([now - day, now - 2 * day, now], [now - 3 * day], now, policy)
    assert inquiry_burst([now - day, now - 2 * day, now], [now - 7 * day], now, policy)
