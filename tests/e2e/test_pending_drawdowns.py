"""A drawdown decision typed while no worker answers, without `--tranche`, is kept, not lost,
and decides the drawdown waiting when it is delivered (starter/pending_send.py); one typed
behind it says in one punctuated message that the first is not delivered and that it is kept
too."""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.drawdowns import DrawdownState
from starter import delivery_log, operations, pending_delivery
from store.pending import Delivery, instructions
from tests.cli_kit import cli, point_cli_at, said
from tests.drawdowns.kit import RISK_PF_2, first_tranche, project, request, to_drawdowns
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, journey_worker, status, terminate

pytestmark = pytest.mark.e2e


async def test_a_decision_typed_without_its_tranche_or_a_worker_is_kept_and_delivered(
    dev_server: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    env, docs = dev_server, Documents()
    monkeypatch.setattr(journey_kit, "TODAY", date.today())  # the dev server's clock
    app = project(docs)
    async with journey_worker(env.client, tmp_path, docs, task_queue=f"pending-{uuid.uuid4()}",
                              restarting=True) as settings:
        handle = await to_drawdowns(env.client, settings, app)
        await request(handle, first_tranche(app, docs))
    try:
        monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=1))
        point_cli_at(monkeypatch, env.client, tmp_path)
        decide = ("drawdown", "decide", handle.id, "--verdict", "approve", "--reason",
                  "milestone verified on site", "--as", RISK_PF_2.id)
        typed = await cli(*decide)
        assert typed.exit_code == 6, typed.output
        assert ("What you typed (drawdown decision) is kept as pending instruction 1 "
                "(risk-pf-2") in said(typed)
        again = await cli(*decide)  # the same again: behind the first, kept, said once
        assert again.exit_code == 6, again.output
        told = said(again)
        assert f"pending instruction 1 (drawdown decision on {handle.id}) is not delivered: " \
               f"{handle.id} did not answer its status query" in told, told
        assert "? Its last known state, read without a worker: disbursement" in told, told
        assert (". It and the ones after it stay pending. What you typed (drawdown decision) "
                "is kept as pending instruction 2 (risk-pf-2") in told, told
        assert "not recorded yet" not in told
        listed = said(await cli("pending", "list"))
        assert "tranche_id the one" in listed, listed  # the table folds the rest
        monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=20))  # a worker's
        async with journey_worker(env.client, tmp_path, docs, task_queue=settings.task_queue):
            done = await pending_delivery.deliver(env.client, settings)
            # the first decides t1, waiting then; the second finds nothing waiting
            assert [k.state for k in done.settled] == [Delivery.DELIVERED, Delivery.REFUSED]
            assert "no drawdown of" in done.settled[1].outcome, done.settled[1]
            delivery_log.log_delivery(done)  # as a worker logs what it delivered as it starts
            (warned,) = [r.getMessage() for r in caplog.records  # the delivery's, not a
                         if r.levelno == logging.WARNING and r.name == delivery_log.log.name]
            assert warned.startswith(f"pending instruction 2 (decide_drawdown on {handle.id}, "
                                     "typed by risk-pf-2 as risk_officer) refused"), warned
            (drawn,) = (await status(handle)).drawdowns
            assert (drawn.request.tranche_id, drawn.decided_by) == ("t1", RISK_PF_2.id)
            assert drawn.state is not DrawdownState.AWAITING_DECISION
        assert instructions(settings.db_url) == []
    finally:
        await terminate(handle)
