"""End to end on the real dev server: a disbursed journey creates its review Schedule, the
Schedule triggers and backfills reviews, the CLI lists it, closing the loan deletes it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from activities.policy import policy_text
from journey import review_contracts as rc
from journey.decisions import AddDocuments
from journey.policy.calendar import moment_at
from journey.post_loan_policy import first_review_on, review_calendar, start_of
from journey.settings import Settings
from journey.stages import Stage
from starter import schedules, schedules_cli, work_lists
from starter.cli import app as loan_journey
from starter.errors import NotFound
from starter.schedules_cli import schedules_app
from store.policies import record_policy
from store.refusals import refusals as refused_attempts
from tests.e2e.server_calls import delete_run
from tests.post_loan.loan_kit import (
    DEFAULT_POLICY,
    disbursed,
    later_balance_sheet,
    loan_worker,
    outcome,
    settle_at_quote,
    until,
)
from tests.workflows.journey_kit import Documents, application, customer
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.e2e


# A schedule-started review is a new workflow whose result reaches the journey by signal and
# ends a run; on a loaded 2-core machine (the full suite) that took over 30 s once.
REVIEW_WAIT = 120


async def test_a_schedule_on_the_dev_server_triggers_and_backfills_reviews(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, docs = dev_env.client, Documents()
    app = application(docs, term_months=12)
    async with loan_worker(client, tmp_path, docs) as settings:
        handle, running = await disbursed(client, settings, app)
        # the journey created its schedule when post-loan management began
        first = first_review_on(DEFAULT_POLICY, running.offer.starts_on)
        described = await _until_scheduled(client, handle.id)
        assert described.next_runs[0] == start_of(first) + timedelta(hours=1)

        await schedules.trigger(client, handle.id)
        reviewed = await until(handle, lambda s: s.last_review is not None and s.run == 2,
                               seconds=REVIEW_WAIT)  # a review cycle ends a run
        assert reviewed.risk_class == "normal"
        assert reviewed.last_review.review_id.startswith(f"review-{handle.id}-")

        # a schedule begun in the past (a loan paid out months ago): its past review backfilled
        past = (datetime.now(UTC) - timedelta(days=40)).date().replace(day=5)
        await schedules.set_cadence(client, handle.id, review_calendar(
            DEFAULT_POLICY, past, 3, running.offer.schedule[-1].due_on))
        window = start_of(past)
        ran = await schedules.backfill(client, handle.id, window, window + timedelta(hours=2))
        assert ran == [window + timedelta(hours=DEFAULT_POLICY.reminder_hour_utc)]
        twice = await until(
            handle,
            lambda s: [d.verdict for d in s.decisions].count("reviewed") == 2,
            seconds=REVIEW_WAIT,
        )
        assert twice.last_review.review_id != reviewed.last_review.review_id

        # a breaching statement and a review: the loan is watched, reviews become monthly
        await handle.execute_update(
            LoanJourneyWorkflow.add_statements,
            # the latest period, and one that has ended: a review leaves out one to come
            AddDocuments(actor=customer(app), documents=[later_balance_sheet(
                docs, app, datetime.now(UTC).date(), Decimal(85_000_000))]),
        )
        await schedules.trigger(client, handle.id)
        await until(handle, lambda s: s.risk_class == "special_mention", seconds=REVIEW_WAIT)
        monthly = await _until_cadence(client, handle.id, months=1)
        assert monthly.note == f"post-loan reviews of {handle.id}, class special_mention"
        assert [w.kind for w in (await until(handle, lambda s: True)).warnings] == [
            "covenant_breach", "downgrade"
        ]
        assert 28 <= (monthly.next_runs[1] - monthly.next_runs[0]).days <= 31
        # reviews ended runs; `list` shows the journey once, its runs on request
        await until(handle, lambda s: s.run >= 3)
        listed = await work_lists.list_journeys(client, f"WorkflowId = '{handle.id}'")
        assert [(r.workflow_id, r.status) for r in listed] == [(handle.id, "running")]
        assert listed[0].started == running.timeline[0].entered_at  # the journey's, not the run's
        runs = await work_lists.list_journeys(
            client, f"WorkflowId = '{handle.id}' AND ExecutionStatus = 'ContinuedAsNew'")
        assert len(runs) >= 2

        address = client.service_client.config.target_host
        monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", address)
        monkeypatch.delenv("LOAN_JOURNEY_CODEC_KEYS", raising=False)
        monkeypatch.setattr(schedules_cli, "console", Console(width=200))  # no wrapped ids
        shown = await asyncio.to_thread(CliRunner().invoke, schedules_app, ["list"])
        assert shown.exit_code == 0, shown.output
        assert f"review-{handle.id}" in shown.output
        first = (await schedules.describe(client, handle.id)).next_runs[0]
        assert moment_at(first, 8) in shown.output  # on the bank's clock, as describe's
        def invoke(*args: str) -> Awaitable[Result]:
            return asyncio.to_thread(CliRunner().invoke, schedules_app, list(args))

        def invoke_status(journey_id: str) -> Awaitable[Result]:
            return asyncio.to_thread(CliRunner().invoke, loan_journey, ["status", journey_id])

        # an approver does not run reviews: refused before the schedule or the history moves
        other = await invoke("pause", handle.id, "--as", "cc-1", "--role", "approver")
        assert other.exit_code == 3 and "this needs one of" in other.output
        kept_refusals = refused_attempts(Settings().db_url, handle.id)
        assert [(r.action, r.actor, r.role) for r in kept_refusals] == [
            ("schedule paused", "cc-1", "approver")]
        assert not (await schedules.describe(client, handle.id)).paused
        # named by the schedule's id, as `list` shows it; in the directory's role, the risk
        # officer's, without --role
        paused = await invoke("pause", f"review-{handle.id}", "--as", "risk-sme-1",
                              "--note", "audit hold [legal]")
        assert paused.exit_code == 0, paused.output
        assert "recorded in the journey's history" in paused.output
        assert (await schedules.describe(client, handle.id)).paused
        for shown in [await invoke(*args) for args in (
                ["list"], ["describe", handle.id], ["describe", f"review-{handle.id}"])]:
            assert "risk-sme-1: audit hold [legal]" in shown.output  # who, and as typed
        kept = (await handle.query(LoanJourneyWorkflow.status)).decisions[-1]
        assert (kept.actor.id, kept.actor.role, kept.verdict, kept.reason) == (
            "risk-sme-1", "risk_officer", "reviews paused", "audit hold [legal]")
        held = " ".join((await invoke_status(handle.id)).output.split())  # and status says so
        paused_on = kept.at.astimezone(timezone(timedelta(hours=8))).date()  # the bank's day
        assert (f"review-{handle.id}: reviews paused since {paused_on} by risk-sme-1: "
                "audit hold [legal]") in held and "outside the engine" not in held
        # a change that fails leaves the history as it was
        decided = len((await handle.query(LoanJourneyWorkflow.status)).decisions)
        swapped = await invoke("backfill", handle.id, "--start", "2026-03-31",
                               "--end", "2026-01-01", "--as", "ops-li")
        assert swapped.exit_code == 2 and "swap them" in swapped.output
        # future reviews run on schedule: a window past now is refused, one before the
        # schedule's start (the monthly one begins next month) runs nothing and says so
        now = datetime.now(UTC)
        ahead = await invoke("backfill", handle.id, "--start", f"{now - timedelta(days=1):%F}",
                             "--end", f"{now + timedelta(days=60):%F}", "--as", "ops-li")
        told = " ".join(ahead.output.split())
        assert ahead.exit_code == 2 and "the end must be now or earlier" in told, told
        # an --end typed as a date is that whole day: one day is --start and --end the same
        day = f"{now - timedelta(days=1):%F}"
        before = await invoke("backfill", handle.id, "--start", day, "--end", day,
                              "--as", "ops-li")
        told = " ".join(before.output.split())
        assert before.exit_code == 2 and "nothing to backfill" in told, told
        assert f"between {day} 00:00 (UTC+8) and {day} 23:59 (UTC+8)" in told, told  # bank's
        # when the reviews begin, at the hour `describe` gives them
        assert f"its reviews run from {moment_at(monthly.next_runs[0], 8)}" in told, told
        assert len((await handle.query(LoanJourneyWorkflow.status)).decisions) == decided
        # staff who joined after the journey pinned its directory (the risk team's new
        # supervisor, who may lift another's pause): the change is made, the journey refuses
        # its record, and the command says so and how to record it
        _staff_joined("sup-new", "supervisor", "sme_risk")
        unpaused = await invoke("unpause", handle.id, "--as", "sup-new", "--note", "lifted")
        assert unpaused.exit_code == 7, unpaused.output
        assert not (await schedules.describe(client, handle.id)).paused
        assert len((await handle.query(LoanJourneyWorkflow.status)).decisions) == decided
        told = " ".join(unpaused.output.split())
        assert f"review-{handle.id}: unpaused, but not recorded" in told
        assert (f"loan-journey schedules record {handle.id} unpaused --as sup-new "
                "--role supervisor --note lifted") in told
        # a change that was not made is not recorded: the schedule is running, not paused
        never = await invoke("record", handle.id, "paused", "--as", "ops-li", "--note", "no")
        assert never.exit_code == 2 and "it was not paused" in " ".join(never.output.split())
        assert len((await handle.query(LoanJourneyWorkflow.status)).decisions) == decided
        # recorded by one who might have made it, in the directory the journey pinned: the
        # team's supervisor of then
        recorded = await invoke("record", handle.id, "unpaused", "--as", "sup-sme",
                                "--note", "lifted by sup-new")
        assert recorded.exit_code == 0, recorded.output
        kept = (await handle.query(LoanJourneyWorkflow.status)).decisions[-1]
        assert (kept.actor.id, kept.verdict, kept.reason) == (
            "sup-sme", "reviews unpaused", "lifted by sup-new")
        again = await invoke("record", handle.id, "unpaused", "--as", "sup-sme",
                             "--note", "lifted by sup-new")  # run twice: recorded once
        assert again.exit_code == 0, again.output
        assert "unpaused is already recorded" in " ".join(again.output.split())
        assert len((await handle.query(LoanJourneyWorkflow.status)).decisions) == decided + 1
        await schedules.pause(client, handle.id, "paused again")  # as the temporal CLI does
        told = await invoke_status(handle.id)
        assert told.exit_code == 0, told.output
        said = " ".join(told.output.split())
        assert (f"review-{handle.id}: reviews are paused (the schedule's note: 'paused again'),"
                " but the loan's history records no pause: it was paused outside the engine"
                ) in said
        assert f"loan-journey schedules record {handle.id} paused --as" in said
        twice = await invoke("create", handle.id, "--as", "ops-li")
        assert twice.exit_code == 2 and "exists already" in twice.output
        every5 = await invoke("create", handle.id, "--as", "ops-li", "--every", "5")
        assert every5.exit_code == 2 and "give one of 1, 2, 3, 4, 6, 12" in every5.output
        await schedules.unpause(client, handle.id, "hold lifted")
        assert not (await schedules.describe(client, handle.id)).paused
        agreed = await invoke_status(handle.id)  # running, as the history last recorded
        assert agreed.exit_code == 0 and "outside the engine" not in agreed.output

        await settle_at_quote(handle, running, "ALL")
        assert (await outcome(handle)).outcome is Stage.CLOSED
        with pytest.raises(NotFound):  # closing the loan deleted its schedule
            await schedules.describe(client, handle.id)
        missing = await invoke("trigger", handle.id, "--as", "ops-li")
        assert missing.exit_code == 4 and "schedules list" in missing.output
        # no create offered for a closed loan, which would be refused: it says why instead
        described = await invoke("describe", handle.id)
        closed = " ".join(described.output.split())
        assert described.exit_code == 4
        assert "it has ended (closed): a closed loan is not reviewed" in closed
        assert "schedules create" not in closed


def _staff_joined(staff_id: str, role: str, team: str) -> None:
    """The workers run a lending policy whose staff directory has `staff_id` in `role` of
    `team`, under a new version (recorded as a worker restarted on it records it: the policy
    in force the command line goes by); the journeys started before pinned the default one,
    without."""
    newer = json.loads(policy_text(None))
    newer["version"] = f"{newer['version']}-{staff_id}"
    newer["staff"].append({"id": staff_id, "name": "新同事", "role": role, "team": team})
    settings = Settings()  # sealed with the archive key where the workers' are (store/policies.py)
    record_policy(settings.db_url, newer["version"], json.dumps(newer, ensure_ascii=False),
                  key=settings.archive_seal_key)


async def _until_scheduled(client: Client, journey_id: str) -> schedules.ScheduleRow:
    for _ in range(100):
        try:
            return await schedules.describe(client, journey_id)
        except NotFound:
            await asyncio.sleep(0.1)
    raise AssertionError(f"no review schedule for {journey_id}")


async def _until_cadence(client: Client, journey_id: str, months: int) -> schedules.ScheduleRow:
    for _ in range(100):
        row = await schedules.describe(client, journey_id)
        gap = (row.next_runs[1] - row.next_runs[0]).days if len(row.next_runs) > 1 else 0
        if (months == 1 and gap <= 31) or (months == 3 and gap > 80):
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"the review schedule of {journey_id} never became {months}-monthly")


async def test_a_review_of_a_journey_ended_outside_the_engine_deletes_its_schedule(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """A journey terminated on the server (the Web UI, the `temporal` CLI) keeps no review
    schedule running: its next review says why there is no loan to review and deletes it,
    as one does for a journey the server no longer holds (deleted, past retention)."""
    client, docs = dev_env.client, Documents()
    async with loan_worker(client, tmp_path, docs) as settings:
        (ended, _), (gone, _) = await asyncio.gather(*(
            disbursed(client, settings, application(docs, term_months=12)) for _ in range(2)))
        for handle in (ended, gone):
            await _until_scheduled(client, handle.id)
        await ended.terminate(reason="opened twice by mistake")
        await delete_run(client, gone.id)

        terminated, deleted = await asyncio.gather(
            *(_reviewed_once(client, h.id) for h in (ended, gone)))
        assert terminated.result is None and deleted.result is None
        assert terminated.skipped.startswith(
            f"journey {ended.id} has ended (terminated on the Temporal server at ")
        assert terminated.skipped.endswith(
            f"there is no loan to review; review schedule review-{ended.id}: deleted")
        assert deleted.skipped.startswith(f"no journey {gone.id!r} on the Temporal server")
        for handle in (ended, gone):
            with pytest.raises(NotFound):
                await schedules.describe(client, handle.id)


async def _reviewed_once(client: Client, journey_id: str) -> rc.ReviewOutcome:
    """Trigger the journey's review schedule, wait for it to be gone and return what the
    review it started returned."""
    await schedules.trigger(client, journey_id)
    deadline = asyncio.get_running_loop().time() + REVIEW_WAIT
    while True:
        assert asyncio.get_running_loop().time() < deadline, f"{journey_id}: no review ended"
        try:
            await schedules.describe(client, journey_id)
        except NotFound:
            break
        await asyncio.sleep(0.2)
    while asyncio.get_running_loop().time() < deadline:  # listed a moment after it started
        async for run in client.list_workflows(f"WorkflowType = '{rc.REVIEW_WORKFLOW}'"):
            if run.id.startswith(f"{rc.review_schedule_id(journey_id)}-"):
                handle = client.get_workflow_handle(run.id, result_type=rc.ReviewOutcome)
                return await handle.result()
        await asyncio.sleep(0.2)
    raise AssertionError(f"{journey_id}: its review is not listed")
