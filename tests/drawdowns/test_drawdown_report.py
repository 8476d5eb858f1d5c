"""The journey report counts a project's drawdown as one visit of disbursement: its wait on
the customer to ask and the bank's to check, decide and book, each once where it waited
(store/spans.py), over the timing events the journey really stored."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.stages import Party, Stage
from journey.timeline import EventType
from store.analytics import build_report
from store.timing import events_for
from tests.drawdowns.kit import (
    CONTRACTOR,
    approve,
    ask,
    at_drawdowns,
    first_tranche,
    permit,
    request,
    skip_to,
)
from tests.workflows.journey_kit import Documents, status

pytestmark = pytest.mark.usefixtures("server_today")


async def test_a_drawdown_is_one_visit_with_a_wait_on_each_party(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        await request(handle, first_tranche(app, docs))
        booked = await approve(handle, "t1")
        assert booked.commitment.drawn > 0
        await skip_to(time_skipping_env, await time_skipping_env.get_current_time()
                      + timedelta(days=40))  # construction, until the next milestone
        second = ask(app, "t2", 6_000_000, [permit(docs, "construction_progress"),
                                            permit(docs, "insurance")], CONTRACTOR)
        await request(handle, second)  # the bank's wait on it is open
        # its entry is written behind the journey, as the bank starts to wait
        while not any(e.type is EventType.ENTERED and e.attempt == 4 and
                      e.stage is Stage.DISBURSEMENT
                      for e in events_for(settings.db_url, handle.id)):
            await asyncio.sleep(0.05)
        visits = [v for v in (await status(handle)).timeline if v.stage is Stage.DISBURSEMENT]

    assert [v.waits_on for v in visits] == [Party.CUSTOMER, Party.BANK] * 2
    report = build_report(settings.db_url)
    paid = next(s for s in report.stage_totals if s.stage == Stage.DISBURSEMENT)
    # two drawdowns asked for, one booked; four waits, three over
    assert (paid.count, paid.completed, paid.waits, paid.waits_completed) == (2, 1, 4, 3)

    def waited(party: Party) -> float:
        return sum((v.exited_at - v.entered_at).total_seconds()
                   for v in visits if v.waits_on is party and v.exited_at is not None)

    assert paid.customer_seconds == pytest.approx(waited(Party.CUSTOMER), abs=0.01)
    assert paid.customer_seconds > 40 * 86400
    assert paid.bank_seconds == pytest.approx(waited(Party.BANK), abs=0.01)
    (journey,) = report.slowest
    assert journey.stages == 7 + 2  # intake to offer once each, and the two drawdowns
