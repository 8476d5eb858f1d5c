"""`records verify` says which fact of a sealed row changed, not only that it did: a journey
rejected at risk review by a worker with the archive key, its run archived as the archivist
keeps it (the history `records verify --offline` reads), then its exposure line's amount and
its risk review exit's decider changed with SQL. The seal confirms the value the history
gives, so both values are told; a fact the seal cannot confirm is named only as differing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.archive import _keep
from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.stages import Stage
from starter import audit
from store.blobs import DocumentStore
from tests.store.test_lpr_fixings import rows
from tests.store.test_record_seals import KEY, found, sql
from tests.workflows.journey_kit import RISK_SME, new_application, running_journey, until_stage
from tests.workflows.test_sealed_journey import verified
from workflows.loan_journey import LoanJourneyWorkflow


def detail(output: str, record: str) -> str:
    """The detail of `record`'s row in `records verify`'s tables, its wrapped lines joined."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if f"│ {record}" in line)
    cells = []
    for line in lines[start:]:
        if line.startswith(("└", "├")):
            break
        cells.append(line.split("│")[-2].strip())
    return re.sub(r"\s+", " ", " ".join(cells))


async def test_the_changed_fact_of_a_sealed_row_is_named_with_its_sealed_value(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)  # the worker's, and the command line's
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8, reason="thin cash flow"))
        assert (await handle.result()).outcome is Stage.REJECTED
        history = await audit.fetch_history(time_skipping_env.client, handle.id)
        assert _keep(settings.db_url, DocumentStore.of(settings), await handle.describe(),
                     audit.history_json(history), len(history.events), KEY.encode())
    assert "CHANGED" not in (await verified()).output  # (the fake's documents, never stored,
    # are named deleted: the history says it read them)

    [(line,)] = rows(settings.db_url,
                     f"select id from credit_exposures where workflow_id = '{handle.id}'")
    [(event,)] = rows(settings.db_url, f"select id from stage_events where workflow_id = "
                      f"'{handle.id}' and type = 'exited' and stage = 'risk_review'")
    sql(settings.db_url,
        f"update credit_exposures set amount = '1000' where id = {line}",
        f"update stage_events set actor = 'risk-corp-2' where id = {event}")
    checked = await verified()
    assert checked.exit_code == 1, checked.output
    named_line = f"credit exposure line #{line} (of journey {handle.id})"
    named_exit = f"stage event #{event} (exited risk_review) (of journey {handle.id})"
    assert {r for r, f in found(checked).items() if f == "CHANGED"} == {named_line, named_exit}
    assert detail(checked.output, named_line).startswith(
        f"amount changed: 1000.00 in the database, {app.amount} when sealed (given by the "
        "application in the history's started event (event 1) of run "
        f"{handle.result_run_id}), which its seal confirms; the line (")
    assert detail(checked.output, named_exit).startswith(
        f"actor changed: risk-corp-2 in the database, {RISK_SME.id} when sealed (given by "
        f"the accepted updates of run {handle.result_run_id}), which its seal confirms")

    # two facts of the line changed, one of which no other record gives: the seal confirms
    # no value, and the one the history gives is named as differing, without values
    sql(settings.db_url, f"update credit_exposures set principal = '5', amount = '1000' "
                         f"where id = {line}")
    checked = await verified()
    told = detail(checked.output, named_line)
    assert told.startswith("amount differs from the application in the history's started "
                           f"event (event 1) of run {handle.result_run_id} (its seal confirms "
                           "none of those values"), told
    assert "1000" not in told.split("; the line")[0]
