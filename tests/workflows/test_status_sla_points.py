"""`status` shows the SLA's warning and due points of every stage that has an SLA, as
`queue` lists them: at risk review and at approval it said only "SLA ok" (the status query
filled its wait only for the SLAs a step arms itself: the figures check, an instruction)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.policy.calendar import moment_at
from journey.stages import Stage
from journey.status import JourneyStatus
from starter.status_view import status_view
from tests.workflows.journey_kit import drive_to, new_application, running_journey, terminate
from tests.workflows.test_entrusted_payout import queue_wait


def sla_row(s: JourneyStatus) -> str:
    shown = Console(width=1000, record=True)
    shown.print(status_view(s))
    return next(line for line in shown.export_text().splitlines() if "│ SLA" in line)


async def test_status_at_risk_review_and_approval_shows_the_warn_and_due_points(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        try:
            for stage in (Stage.RISK_REVIEW, Stage.APPROVAL):
                at = await drive_to(handle, app, stage)
                listed = await queue_wait(handle)  # what `queue` shows for the case
                assert listed is not None and listed.due_at is not None, stage
                assert at.wait is not None
                assert (at.wait.warn_at, at.wait.due_at) == (listed.warn_at, listed.due_at)
                assert at.wait.since == at.timeline[-1].entered_at.replace(microsecond=0)
                bank = at.bank_utc_offset or 0
                row = sla_row(at)
                assert f"on the wait since {moment_at(listed.since, bank)}" in row, row
                assert listed.warn_at is not None
                assert f"warn {moment_at(listed.warn_at, bank)}" in row, row
                assert f"due {moment_at(listed.due_at, bank)}" in row, row
        finally:
            await terminate(handle)
