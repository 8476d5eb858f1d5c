"""`loan-journey history` of a journey that continued as new: every run, from the first."""

from __future__ import annotations

import json
import uuid

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.audit import fixture_workflow as fx
from tests.audit.continuing_workflow import ContinuingFixture
from tests.audit.journey_run import OFFICER
from tests.cli_kit import cli, point_cli_at, said


@pytest.fixture
async def continued(
    audit_env: WorkflowEnvironment, audit_keys: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str, str]:
    """A journey decided in its first run, then continued as new: (id, first run, last run)."""
    point_cli_at(monkeypatch, audit_env.client)
    monkeypatch.setenv("LOAN_JOURNEY_CODEC_KEYS", audit_keys)
    monkeypatch.setenv("COLUMNS", "300")  # run ids whole on one line
    client, task_queue = audit_env.client, str(uuid.uuid4())
    app = fx.Application(application_id="A-2002", applicant_name=fx.APPLICANT,
                         id_number=fx.ID_NUMBER, amount="800000.00")
    async with Worker(client, task_queue=task_queue, workflows=[ContinuingFixture]):
        handle = await client.start_workflow(ContinuingFixture.run, app,
                                             id=f"chain-{task_queue}", task_queue=task_queue)
        await handle.execute_update(ContinuingFixture.record_decision,
                                    fx.Decision(actor=OFFICER, verdict="approve",
                                                reason=fx.REASON))
        assert await client.get_workflow_handle(handle.id).result() == "reviewed"
    last = (await client.get_workflow_handle(handle.id).describe()).run_id
    assert handle.first_execution_run_id is not None and last != handle.first_execution_run_id
    return handle.id, handle.first_execution_run_id, last or ""


async def test_the_trail_follows_the_runs_back_to_the_first(
    continued: tuple[str, str, str],
) -> None:
    journey, first, last = continued
    shown = await cli("history", journey)
    assert shown.exit_code == 0, shown.output
    text = said(shown)
    assert f"2 runs, oldest first: {first}, {last}" in text
    rows = shown.output.splitlines()
    decided = next(i for i, r in enumerate(rows) if "update record_decision " in r)
    assert "officer-7" in rows[decided] and "risk_officer" in rows[decided]  # the first run's
    carried = next(i for i, r in enumerate(rows) if "continued as new" in r and "workflow" in r)
    assert decided < carried  # in order, the restart credited to the workflow, not a person
    assert f"run {last} continues run {first}" in text
    assert "─" in rows[carried - 1]  # ruled off: the second run begins here
    assert "reviewed" in rows[-2]


async def test_json_is_the_latest_run_and_names_the_earlier_ones(
    continued: tuple[str, str, str],
) -> None:
    journey, first, last = continued
    raw = await cli("history", journey, "--json")
    assert raw.exit_code == 0, raw.output
    started = json.loads(raw.stdout)["events"][0]["workflowExecutionStartedEventAttributes"]
    assert (started["originalExecutionRunId"], started["continuedExecutionRunId"]) == (
        last, first)  # what `temporal workflow show` prints, unchanged
    assert f"the earlier runs, oldest first: {first} (`--run-id RUN`" in " ".join(
        raw.stderr.split())
    alone = await cli("history", journey, "--run-id", first)  # one run, when asked for one
    assert "update record_decision" in alone.output and "continues run" not in said(alone)
