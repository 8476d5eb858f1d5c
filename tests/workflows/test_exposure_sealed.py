"""Routing reads the borrower's exposure on its seals, on the time-skipping server with the
archive key: a line of another application really in the journey database, changed there with
SQL after it was sealed, is neither counted nor dropped; the approval's read of the exposure
fails naming it (logged at ERROR, the error on the journey's pending activity), as does the
read of whom the code is held for (`start`'s, the intake's), and the journey waits until the
line is restored. A licence reading of that application changed in the store to another company's
leaves it out of no exposure: the journey's own licence says it is the borrower's."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from activities.exposure import holders_of
from journey.decisions import ApprovalDecision, RiskGrade, RiskOpinion, Verdict
from journey.documents import BusinessLicense, DocumentKind, DocumentReading, ReadStatus
from journey.exposure import KEEP_EXPOSURE, ROUTE_ON_EXPOSURE, ExposureLine
from journey.policy import ApprovalTier
from journey.stages import Stage
from store.documents import record_reading
from store.exposure_vouched import ExposureSealBroken
from tests.store.test_record_seals import KEY, sql
from tests.workflows.journey_kit import (
    Documents,
    application,
    journey_worker,
    ref,
    start,
    status,
    until_stage,
)
from tests.workflows.test_group_exposure import HO_50M, RISK_CORP, borrower, routed
from workflows.loan_journey import LoanJourneyWorkflow


async def read_failing(handle: WorkflowHandle, read: str = ROUTE_ON_EXPOSURE) -> str:
    """The error the journey's pending `read` of the exposure failed with, once it has."""
    while True:
        pending = (await handle.describe()).raw_description.pending_activities
        failed = [p.last_failure.message for p in pending
                  if p.activity_type.name == read and p.HasField("last_failure")]
        if failed:
            return failed[0]
        await asyncio.sleep(0.05)


async def test_a_line_changed_in_the_database_is_not_routed_on_until_restored(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    client, docs, company = time_skipping_env.client, Documents(), borrower()
    async with journey_worker(client, tmp_path, docs) as settings:
        first = await start(client, settings, application(docs, amount=3_000_000,
                                                          company=company))
        await routed(first)
        handle = await start(client, settings, application(docs, amount=3_000_000,
                                                           company=company))
        await routed(handle)  # on 6,000,000: head office
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_CORP, verdict=Verdict.APPROVE, grade=RiskGrade.G3, reason="sound"))
        await until_stage(handle, Stage.APPROVAL)

        sql(settings.db_url, "update credit_exposures set amount = '0' "
                             f"where workflow_id = '{first.id}'")
        said = (f"credit exposure line #1 (of journey {first.id}) fails its seal (CHANGED): it "
                "was changed outside the engine: the line (its journey, borrower, amount "
                "applied for, principal owed and when) changed in the database since it was "
                "sealed (or its seal is not one the key made): restore it from a backup "
                "(credit_exposures); then run `loan-journey records verify`")
        with pytest.raises(ExposureSealBroken) as refused:  # whom the code is held for
            await holders_of(client, settings.db_url, company[1], settings.archive_seal_key)
        assert str(refused.value) == said

        with caplog.at_level(logging.ERROR):  # the approval reads the exposure again
            decided = await handle.start_update(
                LoanJourneyWorkflow.decide, ApprovalDecision(
                    actor=HO_50M, verdict=Verdict.APPROVE, reason="within limit"),
                wait_for_stage=WorkflowUpdateStage.ACCEPTED)
            failed = await read_failing(handle)
            # a new application of the borrower: its intake's check of whom the code is held
            # for reads the line too, and waits
            new = await start(client, settings, application(docs, amount=1_000_000,
                                                            company=company))
            assert await read_failing(new, KEEP_EXPOSURE) == failed
        assert failed == (f"{said}. No case of this borrower is routed on its exposure until "
                          "then: the journeys reading it wait and retry")
        assert any(r.levelno == logging.ERROR and said in r.getMessage() for r in caplog.records)
        assert (await handle.describe()).status is WorkflowExecutionStatus.RUNNING
        assert (await status(handle)).stage is Stage.APPROVAL  # waits, not failed

        sql(settings.db_url, "update credit_exposures set amount = '3000000' "
                             f"where workflow_id = '{first.id}'")  # restored from a backup
        await decided.result()
        route = (await status(handle)).route
        assert route is not None and route.exposure is not None
        # the restored line; and the new application's, when its intake (retrying too) kept
        # its line before the approval's read came round again
        restored = ExposureLine(workflow_id=first.id, amount=Decimal(3e6))
        assert route.exposure.others in ([restored], [restored, ExposureLine(
            workflow_id=new.id, amount=Decimal(1e6))]), route.exposure.others
        assert route.tier is ApprovalTier.HEAD_OFFICE
        later = (await routed(new)).route  # kept and routed on every line, once restored
        assert later is not None and later.exposure is not None
        assert later.exposure.total == Decimal(7_000_000)


async def test_a_licence_reading_changed_in_the_store_does_not_leave_a_line_out(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    client, docs, company = time_skipping_env.client, Documents(), borrower()
    async with journey_worker(client, tmp_path, docs) as settings:
        first_app = application(docs, amount=3_000_000, company=company)
        first = await start(client, settings, first_app)
        await routed(first)
        # its licence reading in the store changed to another company's
        other = borrower()
        record_reading(settings.db_url, first.id, DocumentReading(
            ref=ref(f"{company[1]}-tampered-licence"), status=ReadStatus.READ,
            kind=DocumentKind.BUSINESS_LICENSE, license=BusinessLicense(
                name=other[0], credit_code=other[1], credit_code_valid=True)))
        handle = await start(client, settings, application(docs, amount=3_000_000,
                                                           company=company))
        route = (await routed(handle)).route
        assert route is not None and route.exposure is not None
        assert route.exposure.left_out == []
        assert route.exposure.others == [ExposureLine(workflow_id=first.id, amount=Decimal(3e6))]
        assert route.tier is ApprovalTier.HEAD_OFFICE
