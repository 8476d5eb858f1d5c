"""The journey report counts a project's drawdown as one visit of disbursement: its wait on
the customer to ask and the bank's to check, decide and book, each once where it waited
(store/spans.py), over the timing events the journey really stored; the drawdown's steps are
touchpoints in the channel the customer asked through, unknown only where none was said."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner

from journey.application import Channel
from journey.decisions import Withdrawal
from journey.stages import Party, Stage
from journey.timeline import EventType
from starter.report import report_app
from store.analytics import build_report
from store.db import ready
from store.models import StageEventRow as E
from store.report_models import UNKNOWN_CHANNEL, UNKNOWN_CHANNEL_MEANS
from store.timing import events_for
from store.touchpoint_analytics import build_touchpoints
from tests.drawdowns.kit import (
    approve,
    ask,
    at_drawdowns,
    first_tranche,
    permit,
    request,
    skip_to,
)
from tests.workflows.journey_kit import Documents, customer, status
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.usefixtures("server_today")


async def test_a_drawdown_is_one_visit_with_a_wait_on_each_party_in_its_channel(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs = Documents()
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        await request(handle, first_tranche(app, docs).model_copy(
            update={"channel": Channel.APP}))
        booked = await approve(handle, "t1")
        assert booked.commitment.drawn > 0
        await skip_to(time_skipping_env, await time_skipping_env.get_current_time()
                      + timedelta(days=40))  # construction, until the next milestone
        # to the borrower: one visit on each party (one to a counterparty waits on operations
        # too, a visit after the steps stored without their channel, which this reads)
        second = ask(app, "t2", 5_000_000, [permit(docs, "construction_progress"),
                                            permit(docs, "insurance")])
        await request(handle, second)  # the bank's wait on it is open
        # its entry is written behind the journey, as the bank starts to wait
        while not any(e.type is EventType.ENTERED and e.attempt == 4 and
                      e.stage is Stage.DISBURSEMENT
                      for e in events_for(settings.db_url, handle.id)):
            await asyncio.sleep(0.05)
        visits = [v for v in (await status(handle)).timeline if v.stage is Stage.DISBURSEMENT]
        now = await time_skipping_env.get_current_time()  # the journey's clock, skipped ahead
        report = build_report(settings.db_url, now=now)

        await approve(handle, "t2")
        await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="the plant is built for less"))  # where: not said
        while not any(e.detail and e.detail.startswith("drawdowns closed")
                      for e in events_for(settings.db_url, handle.id)):
            await asyncio.sleep(0.05)  # written behind the journey
        final = await status(handle)

    assert [v.waits_on for v in visits] == [Party.CUSTOMER, Party.BANK] * 2
    paid = next(s for s in report.stage_totals if s.stage == Stage.DISBURSEMENT)
    # two drawdowns asked for, one booked; four waits, three over
    assert (paid.count, paid.completed, paid.waits, paid.waits_completed) == (2, 1, 4, 3)

    def waited(party: Party) -> float:  # the open wait on the bank up to the report's now
        return sum(((v.exited_at or now) - v.entered_at).total_seconds()
                   for v in visits if v.waits_on is party)

    assert paid.customer_seconds == pytest.approx(waited(Party.CUSTOMER), abs=0.01)
    # the forty days skipped, less the moments between the booking's exit and the skip
    assert paid.customer_seconds > 40 * 86400 - 60
    assert paid.bank_seconds == pytest.approx(waited(Party.BANK), abs=0.01)
    (journey,) = report.slowest
    assert journey.stages == 7 + 2  # intake to offer once each, and the two drawdowns

    touched = [(e.channel, e.detail.split(":")[0]) for e in final.events
               if e.type is EventType.TOUCHPOINT and e.stage is Stage.DISBURSEMENT and e.detail]
    steps = ("requested", "conditions_ok", "approved", "booked")
    assert touched == [(Channel.APP, f"drawdown t1 {s}") for s in steps] + [
        (Channel.WEB, f"drawdown t2 {s}") for s in steps] + [(None, "drawdowns closed")]
    expected = {("app", 4), ("web", 4), (UNKNOWN_CHANNEL, 1)}
    assert _disbursement_channels(settings.db_url) == expected
    told = CliRunner().invoke(report_app, ["report", "--db", settings.db_url])
    assert told.exit_code == 0 and UNKNOWN_CHANNEL_MEANS in " ".join(told.output.split())
    # stored before the steps carried it: the channel of the request each answers
    with ready(settings.db_url).begin() as conn:
        assert conn.execute(update(E).where(E.workflow_id == handle.id, E.channel.is_not(None),
                                            E.detail.like("drawdown t_ %"),
                                            E.detail.not_like("% requested%"))
                            .values(channel=None)).rowcount == 6
    assert _disbursement_channels(settings.db_url) == expected


def _disbursement_channels(url: str) -> set[tuple[str, int]]:
    return {(c.channel, c.touchpoints) for c in build_touchpoints(url).channels
            if c.stage == Stage.DISBURSEMENT}
