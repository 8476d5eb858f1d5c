"""A refused drawdown's notice to the customer, on the time-skipping server: what was decided
and what they can do, in plain words; the risk officer's reason and the conditions'
explanations stay in the bank's record."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError
from temporalio.testing import WorkflowEnvironment

from journey.decline_reasons import CUSTOMER_WORDS, DeclineReason
from journey.drawdowns import DrawdownDecision, DrawdownState, DrawdownVerdict
from store.outbox import messages_for
from tests.drawdowns.kit import ask, at_drawdowns, decide, first_tranche, permit, request
from tests.workflows.journey_kit import Documents, status
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")
REASON = "H1 2026 利润下滑，需补充说明"


async def test_a_refused_drawdown_is_told_in_the_customers_words(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        short = await request(handle, ask(app, "t1", 4_500_000,
                                          [permit(docs, "planning_permit")]))
        assert short.state is DrawdownState.CONDITIONS_FAILED
        assert "labelled 'capital_proof'" in short.message  # the bank's own words

        assert (await request(handle, first_tranche(app, docs))).state \
            is DrawdownState.AWAITING_DECISION
        rejected = decide("t1", DrawdownVerdict.REJECT, reason=REASON).model_copy(
            update={"category": DeclineReason.REPAYMENT_CAPACITY})
        refused = await handle.execute_update(LoanJourneyWorkflow.decide_drawdown, rejected)
        assert refused.state is DrawdownState.REFUSED

        told: list[str] = []
        for _ in range(200):  # the notice is queued as the refusal returns
            told = [m.body for m in messages_for(settings.db_url, handle.id)
                    if m.template == "drawdown_refused"]
            if len(told) == 2:
                break
            await asyncio.sleep(0.05)
        assert told == [
            "drawdown t1: your request for 4,500,000.00 (planning permit granted and capital "
            "in place) was not approved: the proof that the project's capital is in place is "
            "missing: please send it with the request. You can ask for the drawdown again "
            "once you have done so.",
            "drawdown t1: your request for 4,500,000.00 (planning permit granted and capital "
            "in place) was not approved. The reason: "
            f"{CUSTOMER_WORDS[DeclineReason.REPAYMENT_CAPACITY]}. Your relationship manager "
            "can tell you what the bank needs before you ask again."]
        # the officer's reason stays in the bank's record
        record = (await status(handle)).drawdowns[-1]
        assert record.reason == REASON and REASON not in " ".join(told)


def test_only_a_rejection_states_a_category() -> None:
    approval = decide("t1").model_dump()
    with pytest.raises(ValidationError, match="only a rejection states the category"):
        DrawdownDecision.model_validate(approval | {"category": "leverage"})
