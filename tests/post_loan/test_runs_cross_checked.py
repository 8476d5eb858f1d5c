"""A loan's post-loan run, continued as new after a review, held to the bank's sealed records
as its first run is (starter/history_cross_check.py), on the time-skipping server with a
worker that seals them: the stage exit that ends the loan in that run names the person whose
update decided the visit last, and a copy of that run's history naming another is caught."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import ScheduleAction, ScheduleChange
from starter import audit, loan_figures
from starter.history_cross_check import cross_check
from tests.e2e.test_archive import forged
from tests.post_loan.loan_kit import disbursed_loan, review, settles_early, until
from tests.workflows.journey_kit import Documents
from workflows.loan_journey import LoanJourneyWorkflow

SCHEDULER = Actor(id="risk-sme-1", role=Role.RISK_OFFICER)  # of the loan's risk team


async def test_a_continued_runs_decider_is_held_to_the_exit_it_decided(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "runs-cross-check-key-0123")  # it seals
    env, docs = time_skipping_env, Documents()
    async with disbursed_loan(env, tmp_path, docs) as (_app, settings, handle, running):
        key = settings.archive_seal_key
        assert key is not None
        reviewed = await review(env, settings, handle.id, 1)  # the run continues as new
        assert reviewed.result is not None and not reviewed.skipped
        now = await until(handle, lambda s: s.run == 2)
        # its risk team pause its reviews in the second run, then the loan is settled: the
        # pause is the post-loan visit's last decision, which its exit names
        await handle.execute_update(LoanJourneyWorkflow.record_schedule_change, ScheduleChange(
            actor=SCHEDULER, action=ScheduleAction.PAUSED, note="the borrower is settling"))
        day = running.offer.starts_on
        await settles_early(handle, loan_figures.settlement(now, day).owed, day)

        second = await handle.fetch_history()
        first = await env.client.get_workflow_handle(
            handle.id, run_id=audit.continued_from(second)).fetch_history()
        converter = env.client.data_converter
        for history in (first, second):
            checked = await cross_check(settings.db_url, key, history, converter)
            assert checked.agrees and checked.skipped == [], checked

        # the second run's copy, the pause's risk officer rewritten as another
        edited = WorkflowHistory.from_json(handle.id, forged(
            audit.history_json(second), b'"id":"risk-sme-1"', b'"id":"risk-sme-2"'))
        checked = await cross_check(settings.db_url, key, edited, converter)
    run = audit.run_id(second)
    assert len(checked.differs) == 1, checked.differs
    assert checked.differs[0].startswith("decider differs: stage event #"), checked.differs
    assert (f"(exited post_loan) (of journey {handle.id}) names a decider other than the "
            f"accepted update that decided its visit (event ") in checked.differs[0]
    assert f"of run {run}, the last of the visit that records a decision)" in \
        checked.differs[0]
    assert "risk-sme-1" not in checked.differs[0] and "risk-sme-2" not in checked.differs[0]
