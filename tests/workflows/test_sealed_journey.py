"""A loan walked to its close by a worker with the archive key: its payout booked, its notices
queued and its line in the borrower's exposure kept (and sealed again as the loan is repaid)
are sealed as written, and its stage events numbered whole, so `records verify` passes on
them; the exposure routing reads set to 0 and two of its stage events deleted with SQL are
named, exit 1."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.stages import Stage
from starter.cli import app as cli
from tests.cli_kit import said
from tests.post_loan.loan_kit import settle_at_quote
from tests.store.test_lpr_fixings import rows
from tests.store.test_record_seals import KEY, found, sql
from tests.workflows.journey_kit import (
    RISK_SME,
    drive_to,
    new_application,
    offer_signature,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow


async def verified() -> Result:
    """`records verify` as typed (in a thread of its own: it runs its own event loop)."""
    return await asyncio.to_thread(CliRunner().invoke, cli, ["records", "verify", "--offline"])


async def test_a_journey_walked_with_the_key_verifies_and_its_tampering_is_named(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)  # the worker's, and the command line's
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER)
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        await settle_at_quote(handle, await until_stage(handle, Stage.POST_LOAN), "TX-1")
        assert (await handle.result()).outcome is Stage.CLOSED

    checked = await verified()
    assert checked.exit_code == 0, checked.output
    text_ = said(checked)
    assert "ledger bookings: 1 row(s) checked, 0 changed, 0 deleted, 0 inserted" in text_
    assert "credit exposures: 3 row(s) checked, 0 changed" in text_  # paid out, then repaid
    # the repaid loan counts nothing in its borrower's exposure, though the repayment came
    # while the journey was writing the principal it kept at the payout (principal-kept-at-close)
    assert rows(settings.db_url, "select principal from credit_exposures") == [("0.00",)]
    assert "outbox notices: 0 row(s)" not in text_

    sql(settings.db_url,
        f"update credit_exposures set principal = '0', amount = '0' "
        f"where workflow_id = '{handle.id}'",
        f"delete from stage_events where workflow_id = '{handle.id}' and sequence in (3, 4)")
    checked = await verified()
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {f"credit exposure line #1 (of journey {handle.id})": "CHANGED",
                              f"stage events of {handle.id}": "DELETED",
                              "seal #4 of the stage events (the journey map)": "DELETED",
                              "seal #5 of the stage events (the journey map)": "DELETED"}


async def test_a_decider_forged_on_a_stage_event_is_named(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rejection's exit names its risk officer, sealed as the worker wrote it: another
    officer put there with SQL, whom the export would name as the decider, is CHANGED."""
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8, reason="thin cash flow"))
        assert (await handle.result()).outcome is Stage.REJECTED
    checked = await verified()
    assert checked.exit_code == 0, checked.output
    assert "stage events (the journey map): 0 row(s)" not in said(checked)

    exited = (f"from stage_events where workflow_id = '{handle.id}' and type = 'exited' "
              "and stage = 'risk_review'")
    [(event,)] = rows(settings.db_url, f"select id {exited} and actor = '{RISK_SME.id}'")
    sql(settings.db_url, f"update stage_events set actor = 'risk-corp-2' where id = {event}")
    checked = await verified()
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {
        f"stage event #{event} (exited risk_review) (of journey {handle.id})": "CHANGED"}
