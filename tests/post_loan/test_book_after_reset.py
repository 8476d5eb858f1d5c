"""A journey reset on the Temporal server (`temporal workflow reset`) is one loan in the book
and one journey in `list`, its current run's: the run the reset ended (terminated by it, or
terminated before and reset after) is the same journey, not another loan. It was read as one:
the book lists the runs that ended in its period for their money, and read each by workflow
id, the current run, so a reset loan was counted twice (its borrower's exposure doubled)
while the loans at the period's end counted it once."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from uuid import uuid4

import pytest
from rich.console import Console
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType, ResetReapplyExcludeType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from journey.credit_code import generate
from journey.stages import Stage
from starter import listings_cli, status_cli, work_lists
from starter.cli import app as loan_journey
from starter.money_not_in_run import payouts_not_in_run, repayments_not_in_run
from store.ledger import bookings_for
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import disbursed, loan_worker, pay, until
from tests.workflows.journey_kit import SUBMITTER, Documents, application, offer_signature
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.e2e


async def reset(client: Client, handle: WorkflowHandle, reason: str,
                before_update: str | None = None) -> str:
    """`temporal workflow reset -t LastWorkflowTask`, by the workflow service: the journey's
    current run reset to its last workflow task completed; the new run's id. With
    `before_update`, its first run's last before the first update of that name was accepted,
    the updates after it not applied again (`--reapply-exclude Update`: the server applies
    them again by default, and the run would take the signature again at once)."""
    run_id = (await handle.describe()).run_id
    history = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
    if before_update is not None:  # the run that took it: the first, before continue-as-new
        run_id = (history.events[0].workflow_execution_started_event_attributes
                  .first_execution_run_id)
        history = await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()
    until = min((e.event_id for e in history.events
                 if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
                 and e.workflow_execution_update_accepted_event_attributes
                 .accepted_request.input.name == before_update), default=None)
    last = max(e.event_id for e in history.events
               if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
               and (until is None or e.event_id < until))
    done = await client.workflow_service.reset_workflow_execution(
        ResetWorkflowExecutionRequest(
            namespace=client.namespace,
            workflow_execution=WorkflowExecution(workflow_id=handle.id, run_id=run_id),
            reason=reason, workflow_task_finish_event_id=last, request_id=str(uuid4()),
            reset_reapply_exclude_types=[] if before_update is None else [
                ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE]))
    return done.run_id


async def test_a_reset_loan_is_one_loan_in_the_book_and_one_journey_in_the_list(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, docs = dev_env.client, Documents()
    code = generate()
    company = (f"杭州重置测试有限公司{code[-4:]}", code)
    async with loan_worker(client, tmp_path, docs) as settings:
        live, _ = await disbursed(client, settings, application(docs, company=company,
                                                                amount=3_000_000))
        ended, _ = await disbursed(client, settings, application(docs, company=company,
                                                                 amount=2_000_000))
        # one reset as it runs (the customer signed again), one terminated and then reset
        await reset(client, live, "the customer signed again")
        await ended.terminate("ended by mistake")
        await reset(client, ended, "ended by mistake: carried on")
        for handle in (live, ended):
            await until(handle, lambda s: s.account is not None)
            for _ in range(100):
                if (await client.count_workflows(f"WorkflowId = '{handle.id}'")).count == 2:
                    break
                await asyncio.sleep(0.1)

        # `list`: each journey once, running; the runs the resets ended where runs are asked
        for handle in (live, ended):
            listed = await work_lists.list_journeys(client, f"WorkflowId = '{handle.id}'")
            assert [(r.workflow_id, r.status) for r in listed] == [(handle.id, "running")]
            runs = await work_lists.list_journeys(
                client, f"WorkflowId = '{handle.id}' AND ExecutionStatus = 'Terminated'")
            assert [(r.workflow_id, r.status) for r in runs] == [(handle.id, "terminated")]

        address = client.service_client.config.target_host
        monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", address)
        monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)
        monkeypatch.delenv("LOAN_JOURNEY_CODEC_KEYS", raising=False)
        monkeypatch.setattr(listings_cli, "console", Console(width=300))

        def invoke(*args: str) -> asyncio.Future[Result]:
            return asyncio.to_thread(CliRunner().invoke, loan_journey, list(args))

        shown = await invoke("list", "--credit-code", code)
        assert shown.exit_code == 0, shown.output
        for handle in (live, ended):
            assert shown.output.count(handle.id) == 1, shown.output
        assert "terminated" not in shown.output

        # `book`: each loan once, as the loans at the period's end count it
        booked = await invoke("book", "--json")
        assert booked.exit_code == 0, booked.output
        book = json.loads(booked.output)
        mine = {live.id, ended.id}
        assert sorted(b["workflow_id"] for b in book["loans"] if b["workflow_id"] in mine) == (
            sorted(mine))
        closing = {p["workflow_id"]: p for p in book["month_end"]["closing"]
                   if p["workflow_id"] in mine}
        assert set(closing) == mine
        [theirs] = [e for e in book["by_borrower"] if e["credit_code"] == code]
        assert (theirs["loans"], Decimal(theirs["principal"])) == (2, Decimal(5_000_000))
        assert sum((Decimal(p["principal"]) for p in closing.values()), Decimal(0)) == (
            Decimal(5_000_000))
        assert book["month_end"]["not_reconciled"] == []


async def test_status_of_a_run_reset_to_before_its_payout_says_the_ledger_holds_it(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reset to before the signature, the run waits for it again while the ledger holds its
    payout and the first instalment's payment is claimed for the loan: `status` says both;
    the signature sent again takes the same booking, and the payment recorded again is taken
    under its own claim."""
    client, docs = dev_env.client, Documents()
    async with loan_worker(client, tmp_path, docs) as settings:
        app = application(docs, amount=2_000_000)
        handle, paid = await disbursed(client, settings, app)
        assert paid.disbursement is not None and paid.offer is not None
        booking, first = paid.disbursement.booking_id, paid.offer.schedule[0].payment
        await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                    pay("RST-1", first))
        await until(handle, lambda s: len(s.payments) == 1)
        await reset(client, handle, "signed in error, signing again", before_update="sign")
        waiting = await until(handle, lambda s: s.stage is Stage.OFFER)
        assert waiting.disbursement is None

        point_cli_at(monkeypatch, client, settings.data_dir)
        monkeypatch.delenv("LOAN_JOURNEY_CODEC_KEYS", raising=False)
        monkeypatch.setattr(status_cli, "console", Console(width=400))
        shown = await cli("status", handle.id)
        assert shown.exit_code == 0, shown.output
        told = said(shown)
        assert (f"the ledger holds payout {booking} of this journey: 2,000,000.00 to "
                f"{app.applicant_name}, value date ") in told, told
        assert ("this run records no payout, though the money is out: it was reset on the "
                f"Temporal server to before its payout (`loan-journey history {handle.id}` "
                "names who reset it and when); it waits for the offer's signature again"
                ) in told, told
        assert (f"repayment RST-1 of {first:,.2f} (repayment), typed by {SUBMITTER.id} "
                ) in told, told
        assert ("is claimed for this loan and not recorded by this run: recorded in a run "
                f"before a reset on the Temporal server (`loan-journey history {handle.id}` "
                "names it), or being recorded now; if `status` still shows it in a minute, "
                f"record it again with `loan-journey repay {handle.id} --reference RST-1 "
                f"--amount {first:.2f}` and its value date") in told, told
        raw = json.loads((await cli("status", handle.id, "--json")).output)
        assert [b["booking_id"] for b in raw["ledger_payouts_not_in_run"]] == [booking], raw
        assert [c["reference"] for c in raw["repayments_claimed_not_in_run"]] == ["RST-1"], raw
        book = json.loads((await cli("book", "--json")).output)["money_received"]
        assert (f"reference RST-1 ({first:,.2f}) is claimed for {handle.id}, typed "
                ) in " ".join(book["not_reconciled"]), book["not_reconciled"]
        assert (f"and no journey records a payment under it: not counted (a reset to before "
                f"it?): check `status {handle.id}`") in " ".join(book["not_reconciled"])

        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        again = await until(handle, lambda s: s.disbursement is not None)
        assert again.disbursement is not None and again.disbursement.booking_id == booking
        assert [b.booking_id for b in bookings_for(settings.db_url, handle.id)] == [booking]
        assert payouts_not_in_run(settings, again) == []
        assert [c.reference for c in repayments_not_in_run(settings, again)] == ["RST-1"]
        await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                    pay("RST-1", first))
        repaid = await until(handle, lambda s: len(s.payments) == 1)
        assert repayments_not_in_run(settings, repaid) == []
