"""A loan walked to its close by a worker with the archive key: its payout booked, its notices
queued and its line in the borrower's exposure kept (and sealed again as the loan is repaid)
are sealed as written, and its stage events numbered whole, so `records verify` passes on
them; the exposure routing reads set to 0 and two of its stage events deleted with SQL are
named, exit 1."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from activities.exposure import ExposureActivities
from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.exposure import KEEP_EXPOSURE, KeepExposureInput, KeepExposureResult
from journey.settings import Settings
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


async def until_principal_kept(db_url: str, workflow_id: str) -> None:
    """The loan's principal kept in its line, which post-loan writes behind the journey: a
    repayment before it leaves one change to the line, not two."""
    for _ in range(200):
        if rows(db_url, "select principal from credit_exposures "
                        f"where workflow_id = '{workflow_id}' and principal is not null"):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{workflow_id} kept no principal in its exposure line")


async def test_a_journey_walked_with_the_key_verifies_and_its_tampering_is_named(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)  # the worker's, and the command line's
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER)
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        at_post_loan = await until_stage(handle, Stage.POST_LOAN)
        await until_principal_kept(settings.db_url, handle.id)
        await settle_at_quote(handle, at_post_loan, "TX-1")
        assert (await handle.result()).outcome is Stage.CLOSED

    checked = await verified()
    assert checked.exit_code == 0, checked.output
    text_ = said(checked)
    assert "ledger bookings: 1 row(s) checked, 0 changed, 0 deleted, 0 inserted" in text_
    # the line, its principal kept at the payout, then 0 as it is repaid
    assert "credit exposures: 3 row(s) checked, 0 changed" in text_, text_
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


async def test_a_loan_repaid_while_its_principal_is_written_counts_nothing(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The repayment in full comes while post-loan waits for the principal it kept at the
    payout to be written: the loan closes with its line at 0, not at that principal, which
    would count as owed for ever (principal-kept-at-close)."""
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)  # the line's changes kept, sealed
    repaid = asyncio.Event()

    def held_until_repaid(settings: Settings) -> list[Any]:
        real = ExposureActivities(settings)

        @activity.defn(name=KEEP_EXPOSURE)
        async def keep_exposure(request: KeepExposureInput) -> KeepExposureResult:
            if request.principal:  # the payout's principal, not the intake's line or the 0
                await repaid.wait()
            return await real.keep_exposure(request)

        return [keep_exposure]

    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app, held_until_repaid) as (
            settings, handle):
        await drive_to(handle, app, Stage.OFFER)
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        await settle_at_quote(handle, await until_stage(handle, Stage.POST_LOAN), "TX-1")
        repaid.set()
        assert (await handle.result()).outcome is Stage.CLOSED
    [(paid_out,), (closed,)] = rows(
        settings.db_url, "select principal from credit_exposure_changes order by id")
    assert Decimal(paid_out) > 0 and closed == "0.00"
    assert rows(settings.db_url, "select principal from credit_exposures") == [("0.00",)]


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
