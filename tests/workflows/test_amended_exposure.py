"""An amended amount reaches the borrower's exposure (统一授信): two applications of one
borrower on one worker with the archive key, on the time-skipping server. The one at risk
review is amended from 3m to 12m: its line is kept at 12m, sealed again over it, which the
other's approval counts as it settles and `queue` and `list` show; its history, held to the
line, agrees (archived), `records verify` passes, and the line's amount set back with SQL is
named, with the amount the amendment gave."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateStage
from temporalio.testing import WorkflowEnvironment

from activities.archive import _keep
from activities.exposure import ExposureActivities
from journey.decisions import ApprovalDecision, Verdict, Withdrawal
from journey.exposure import (
    EXPOSURE_FELL,
    EXPOSURE_ROSE,
    KEEP_EXPOSURE,
    TELL_EXPOSURE_FELL,
    ExposureFell,
    ExposureFellResult,
    KeepExposureInput,
    KeepExposureResult,
)
from journey.policy import ApprovalTier
from journey.settings import Settings
from journey.stages import Stage
from starter import audit, work_lists
from starter.history_told import Amended, Applied, HistoryTold, amounts_kept
from starter.history_told import told as history_told
from starter.work_lists import JourneyRow
from store.blobs import DocumentStore
from tests.cli_kit import point_cli_at
from tests.post_loan.loan_kit import until
from tests.store.test_lpr_fixings import rows
from tests.store.test_record_seals import KEY, found, sql
from tests.workflows.journey_kit import (
    BRANCH_APPROVER,
    Documents,
    application,
    customer,
    drive_to,
    journey_worker,
    start,
    status,
)
from tests.workflows.test_amendments import RISK_CORP, RM_CHEN, amended_back, amendment
from tests.workflows.test_changed_facts import detail
from tests.workflows.test_group_exposure import borrower
from tests.workflows.test_sealed_journey import verified
from workflows.loan_journey import LoanJourneyWorkflow


async def test_an_amended_amount_is_counted_by_the_borrowers_others_and_verifies(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)  # the worker's, and the command line's
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    client, docs = time_skipping_env.client, Documents()
    apply = partial(application, docs, company=borrower(), submitted_by=RM_CHEN)
    async with journey_worker(client, tmp_path, docs) as settings:
        point_cli_at(monkeypatch, client, settings.data_dir)
        case_app = apply(amount=3_000_000)
        case = await start(client, settings, case_app)
        alone = await drive_to(case, case_app, Stage.APPROVAL)  # routed alone: branch
        assert alone.route is not None and alone.route.tier is ApprovalTier.BRANCH
        more_app = apply(amount=3_000_000)
        more = await start(client, settings, more_app)
        await drive_to(more, more_app, Stage.RISK_REVIEW)
        await amended_back(more, amendment())  # 12m: answered once its line is kept
        assert rows(settings.db_url, "select amount from credit_exposures where workflow_id = "
                    f"'{more.id}'") == [("12000000.00",)]
        row = JourneyRow(workflow_id=more.id, status="running", stage="risk_review",
                         team="corporate_risk", sla="ok", product="working_capital",
                         amount_band="10m-50m", started=datetime.now(UTC))
        [listed] = work_lists.with_parties(settings, [row])  # what `queue` and `list` show
        assert listed.amount == Decimal(12_000_000)

        # the other's approval settles on the exposure read now: 3m + the amended 12m
        voted = await case.execute_update(LoanJourneyWorkflow.decide, ApprovalDecision(
            actor=BRANCH_APPROVER, verdict=Verdict.APPROVE, reason="within limit"))
        assert (voted.stage, voted.counted) == (Stage.APPROVAL, False)
        assert (f"on exposure CNY 15,000,000.00: this 3,000,000.00 + {more.id} 12,000,000.00 "
                "(application)") in voted.message, voted.message

        await more.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(more_app), reason="found cheaper funding"))
        await more.result()
        history = await audit.fetch_history(client, more.id)
        said = await history_told(history, client.data_converter)  # its keep of the line completed
        assert [(a.amount_before, a.amount, a.kept) for a in said.amended] == [
            (Decimal(3_000_000), Decimal(12_000_000), True)]
        # archived only where its history agrees with the sealed records: its line's 12m is
        # the amount its amendment gave, not the started event's 3m
        assert _keep(settings.db_url, DocumentStore.of(settings), await more.describe(),
                     audit.history_json(history), len(history.events), KEY.encode())
    checked = await verified()
    assert "CHANGED" not in checked.output, checked.output
    told = re.sub(r"\s+", " ", checked.output)
    assert "credit exposures: 3 row(s) checked, 0 changed" in told  # 2 lines, 1 amendment
    assert "journeys' histories against the sealed records: 1 row(s) checked, 0 changed" in told

    [(line,)] = rows(settings.db_url,
                     f"select id from credit_exposures where workflow_id = '{more.id}'")
    sql(settings.db_url, f"update credit_exposures set amount = '3000000' where id = {line}")
    checked = await verified()
    assert checked.exit_code == 1, checked.output
    named = f"credit exposure line #{line} (of journey {more.id})"
    assert found(checked)[named] == "CHANGED"
    assert detail(checked.output, named).startswith(
        "amount changed: 3000000.00 in the database, 12000000 when sealed (given by the "
        "amendment accepted at event "), detail(checked.output, named)


def test_an_amendment_whose_line_is_not_kept_yet_holds_the_line_to_either_amount() -> None:
    """The journey keeps its line at the amended amount behind the amendment (an activity):
    until the history records that keep completed, the line may still hold the amount
    before, which `records verify` then takes, and no other."""
    at = datetime(2026, 12, 7, tzinfo=UTC)
    said = HistoryTold(workflow_id="loan-A", run_id="r", applied=Applied(
        amount=Decimal(3_000_000), credit_code="91310000MA1FL8LQ1X", applicant_name="ACME"),
        amended=[], started_at=at, ended_at=at, acted=[], booked=[], noticed=[])
    assert amounts_kept(said) == [Decimal(3_000_000)]
    first = Amended(amount_before=Decimal(3_000_000), amount=Decimal(12_000_000), event_id=9,
                    kept=True)
    said.amended = [first]
    assert amounts_kept(said) == [Decimal(12_000_000)]
    said.amended = [first, Amended(amount_before=Decimal(12_000_000),
                                   amount=Decimal(8_000_000), event_id=20)]
    assert amounts_kept(said) == [Decimal(8_000_000), Decimal(12_000_000)]


async def test_the_borrowers_other_application_is_told_it_was_amended_from_what_to_what(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An application whose routing read the borrower's other one at 3m is told that one was
    amended to 12m, in those words (`status`'s "exposure now", which `queue` shows too): not
    nothing, as before (the amended line was one the read had), nor as a new application,
    which a third one of the borrower, started since, still is."""
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    client, docs = time_skipping_env.client, Documents()
    apply = partial(application, docs, company=borrower(), submitted_by=RM_CHEN)
    async with journey_worker(client, tmp_path, docs) as settings:
        more_app = apply(amount=3_000_000)
        more = await start(client, settings, more_app)
        await drive_to(more, more_app, Stage.RISK_REVIEW)
        case_app = apply(amount=3_000_000)
        case = await start(client, settings, case_app)
        read = await drive_to(case, case_app, Stage.APPROVAL, risk=RISK_CORP)  # 3m + the other's 3m
        assert read.route is not None and read.route.exposure is not None
        assert read.route.exposure.total == Decimal(6_000_000) and read.exposure_told == ""

        await amended_back(more, amendment())  # 3m -> 12m: answered once its line is kept
        told = (f"application {more.id} amended: amount 3,000,000.00 -> 12,000,000.00 since "
                "the exposure was read (CNY 6,000,000.00); the borrower's exposure now counts "
                "CNY 15,000,000.00: the exposure is read again when the approval settles; "
                "approvers whose limit is below CNY 15,000,000.00 may have their votes set "
                "aside")
        now = await until(case, lambda s: s.exposure_told != "")
        assert now.exposure_told == told

        third = await start(client, settings, apply(amount=1_000_000))  # tells as it starts
        now = await until(case, lambda s: third.id in s.exposure_told)
        assert now.exposure_told == (
            f"a new application of this borrower ({third.id}, 1,000,000.00) came since the "
            "exposure was read (CNY 6,000,000.00); application "
            f"{more.id} amended: amount 3,000,000.00 -> 12,000,000.00; the borrower's exposure "
            "now counts CNY 16,000,000.00: the exposure is read again when the approval "
            "settles; approvers whose limit is below CNY 16,000,000.00 may have their votes "
            "set aside")


async def test_an_amendment_kept_after_its_journey_ended_is_not_told_as_standing(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other application is withdrawn while its amendment's line is being kept (held here
    until the withdrawal's `exposure_fell` is told): the keep tells the borrower's case of the
    amended amount after the end, and the case no longer says the amendment stands once it
    has been told that application ended (it counted no more; the approval reads the
    exposure again all the same)."""
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    fell_told = asyncio.Event()

    def keep_after_fell(settings: Settings) -> list[Any]:
        real = ExposureActivities(settings)

        @activity.defn(name=KEEP_EXPOSURE)
        async def keep_exposure(request: KeepExposureInput) -> KeepExposureResult:
            if request.amended:
                await fell_told.wait()
            return await real.keep_exposure(request)

        @activity.defn(name=TELL_EXPOSURE_FELL)
        async def tell_exposure_fell(request: ExposureFell) -> ExposureFellResult:
            told = await real.tell_exposure_fell(request)
            fell_told.set()
            return told

        return [keep_exposure, tell_exposure_fell]

    client, docs = time_skipping_env.client, Documents()
    apply = partial(application, docs, company=borrower(), submitted_by=RM_CHEN)
    async with journey_worker(client, tmp_path, docs, keep_after_fell) as settings:
        more_app = apply(amount=3_000_000)
        more = await start(client, settings, more_app)
        await drive_to(more, more_app, Stage.RISK_REVIEW)
        case_app = apply(amount=3_000_000)
        case = await start(client, settings, case_app)
        await drive_to(case, case_app, Stage.APPROVAL, risk=RISK_CORP)  # read: 3m + 3m

        amended = await more.start_update(LoanJourneyWorkflow.amend_application, amendment(),
                                          wait_for_stage=WorkflowUpdateStage.ACCEPTED)
        await more.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(more_app), reason="found cheaper funding"))
        assert (await amended.result()).stage is Stage.ROUTING  # answered once kept
        assert (await more.result()).outcome is Stage.WITHDRAWN
        await told_after_its_end(case, more.id)
        assert (await status(case)).exposure_told == ""


async def told_after_its_end(case: WorkflowHandle, ended: str) -> None:
    """Until `case` has taken, in a completed workflow task, the signal `exposure_rose` of
    `ended`'s amended line, which came after its `exposure_fell`."""
    for _ in range(200):
        events = (await case.fetch_history()).events
        signals = [i for i, e in enumerate(events)
                   if e.HasField("workflow_execution_signaled_event_attributes")
                   and e.workflow_execution_signaled_event_attributes.signal_name
                   in (EXPOSURE_ROSE, EXPOSURE_FELL)]
        names = [events[i].workflow_execution_signaled_event_attributes.signal_name
                 for i in signals]
        if names[-2:] == [EXPOSURE_FELL, EXPOSURE_ROSE] and any(
                e.HasField("workflow_task_completed_event_attributes")
                for e in events[signals[-1]:]):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{case.id} was not told of {ended}'s amendment after its end")
