"""End to end on the real dev server: post-loan inspection (贷后检查) is mandatory, so a loan's
review schedule is paused, resumed and deleted by its risk team only (deleted by its
supervisor alone), and a running loan whose reviews are stopped is on the team's queue and in
its `status` until they run again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import ScheduleAction, ScheduleChange
from journey.settings import Settings
from starter import schedules, work_lists
from starter.bank_clock import day_on_bank_clock
from starter.errors import NotFound
from starter.work_lists import JourneyRow
from store.refusals import refusals as refused_attempts
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import TIGHT, disbursed, loan_worker, until
from tests.workflows.journey_kit import Documents, application, refused, status
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.e2e


async def test_only_the_risk_team_stops_reviews_and_a_stopped_loan_is_on_its_queue(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, docs = dev_env.client, Documents()
    app = application(docs, term_months=12)
    async with loan_worker(client, tmp_path, docs) as settings:
        handle, running = await disbursed(client, settings, app)
        await _until_scheduled(client, handle.id)
        assert running.route is not None and running.route.team == "sme_risk"
        point_cli_at(monkeypatch, client, data_dir=settings.data_dir)
        monkeypatch.delenv("LOAN_JOURNEY_CODEC_KEYS", raising=False)

        # operations may not pause a loan's reviews: refused, naming its risk team, kept
        ops = await cli("schedules", "pause", handle.id, "--as", "ops-wang", "--note", "quiet")
        assert ops.exit_code == 3, ops.output
        assert "post-loan inspection (贷后检查) is mandatory" in said(ops)
        assert "ask sup-sme, risk-sme-1, risk-sme-2" in said(ops), ops.output
        assert not (await schedules.describe(client, handle.id)).paused
        paused = await cli("schedules", "pause", handle.id, "--as", "risk-sme-2",
                           "--note", "restructuring talks")
        assert paused.exit_code == 0, paused.output
        # a pause someone else made is theirs or the supervisor's to lift
        for who in ("ops-zhao", "risk-sme-1"):
            lifted = await cli("schedules", "unpause", handle.id, "--as", who)
            assert lifted.exit_code == 3, lifted.output
            assert (await schedules.describe(client, handle.id)).paused
        assert "risk-sme-2 paused these reviews" in said(lifted)
        assert "ask risk-sme-2, sup-sme" in said(lifted)

        # deleting the schedule is the supervisor's alone: it still exists after the others
        for who in ("ops-wang", "risk-sme-2"):
            deleted = await cli("schedules", "delete", handle.id, "--note", "cleanup",
                                "--as", who)
            assert deleted.exit_code == 3, deleted.output
            assert "the sme_risk supervisor's alone" in said(deleted)
            await schedules.describe(client, handle.id)  # still there
        assert "ask sup-sme" in said(deleted)
        kept = refused_attempts(Settings().db_url, handle.id)
        assert [(r.action, r.actor) for r in kept] == [
            ("schedule paused", "ops-wang"), ("schedule unpaused", "ops-zhao"),
            ("schedule unpaused", "risk-sme-1"), ("schedule deleted", "ops-wang"),
            ("schedule deleted", "risk-sme-2")]

        deleted = await cli("schedules", "delete", handle.id, "--note", "restructured loan",
                            "--as", "sup-sme")
        assert deleted.exit_code == 0, deleted.output
        with pytest.raises(NotFound):
            await schedules.describe(client, handle.id)
        told = await until(handle, lambda s: s.decisions[-1].verdict == "reviews deleted")
        day = day_on_bank_clock(told, told.decisions[-1].at)
        stopped = f"reviews stopped: deleted by sup-sme on {day}"
        assert told.reviews_stopped == stopped
        # on the risk team's queue, saying so
        row = await _until_queued(client, "sme_risk", handle.id)
        assert row.sla == "reviews_stopped" and row.stage == "post_loan"
        assert row.waiting is not None and stopped in (row.waiting.awaiting or "")
        queued = await cli("queue", "--team", "sme_risk")
        assert queued.exit_code == 0, queued.output
        assert handle.id in said(queued) and stopped in said(queued), queued.output
        # and in `status`: its post-loan panel, and the schedule's own line
        shown = await cli("status", handle.id)
        assert shown.exit_code == 0, shown.output
        assert f"reviews {stopped} (on the sme_risk queue until they run again)" in said(shown)
        assert (f"review-{handle.id}: {stopped}: restructured loan. Post-loan reviews are "
                "mandatory") in said(shown), shown.output

        # scheduled again: off the queue
        made = await cli("schedules", "create", handle.id, "--as", "ops-li")
        assert made.exit_code == 0, made.output
        await until(handle, lambda s: s.reviews_stopped is None)
        await _until_off_queue(client, "sme_risk", handle.id)


async def _until_scheduled(client: Client, journey_id: str) -> None:
    for _ in range(100):
        try:
            await schedules.describe(client, journey_id)
            return
        except NotFound:
            await asyncio.sleep(0.1)
    raise AssertionError(f"no review schedule for {journey_id}")


async def _until_queued(client: Client, team: str, journey_id: str) -> JourneyRow:
    """The journey's row on `team`'s queue, once visibility lists it."""
    for _ in range(100):
        rows = [r for r in await work_lists.waiting_on(client, team)
                if r.workflow_id == journey_id]
        if rows and rows[0].sla == "reviews_stopped":
            return rows[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"{journey_id} never listed on {team}'s queue as reviews stopped")


async def _until_off_queue(client: Client, team: str, journey_id: str) -> None:
    for _ in range(100):
        if journey_id not in {r.workflow_id for r in await work_lists.waiting_on(client, team)}:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{journey_id} still on {team}'s queue")


async def test_a_team_queue_says_reviews_paused_outside_the_engine(
    dev_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reviews paused outside the engine (`temporal schedule toggle --pause`): the journey is
    not told, so its attributes do not say it. The risk team's queue reads the schedules once:
    a loan on the queue for its open warnings says its reviews are paused, not recorded, and
    how to record it; a loan on no queue is listed under it, as reviews stopped."""
    client, docs = dev_env.client, Documents()
    warned_app, quiet_app = application(docs, term_months=12), application(docs, term_months=12)
    async with (
        loan_worker(client, tmp_path, docs, post_loan_policy=TIGHT) as tight,
        loan_worker(client, tmp_path, docs) as settings,
    ):
        (warned, _), (quiet, _) = await asyncio.gather(disbursed(client, tight, warned_app),
                                                       disbursed(client, settings, quiet_app))
        await until(warned, lambda s: len(s.warnings) == 2)
        for handle in (warned, quiet):
            await _until_scheduled(client, handle.id)
        point_cli_at(monkeypatch, client, data_dir=settings.data_dir)
        monkeypatch.delenv("LOAN_JOURNEY_CODEC_KEYS", raising=False)
        await schedules.pause(client, warned.id, "audit hold")  # as the temporal CLI does
        await schedules.pause(client, quiet.id, "quiet hold")
        await _until_paused_in_list(client, {warned.id, quiet.id})
        row = await _until_listed(client, "sme_risk", warned.id)
        assert row.sla == "early_warning"  # the journey lists its warnings, as it was told

        queued = await cli("queue", "--team", "sme_risk")
        assert queued.exit_code == 0, queued.output
        told = said(queued)
        assert (f"{warned.id} reviews paused outside the engine (the schedule's note: 'audit "
                "hold'), not recorded in the loan's history: `loan-journey schedules record "
                f"{warned.id} paused --as <staff id>` records it") in told, told
        elsewhere = told.split("loans on no team's queue whose reviews were paused outside "
                               "the engine (recorded, each is on its risk team's)")
        assert len(elsewhere) == 2 and quiet.id in elsewhere[1], told
        assert "reviews_stopped" in elsewhere[1] and warned.id not in elsewhere[1], told
        assert (f"{quiet.id} reviews paused outside the engine (the schedule's note: 'quiet "
                "hold')") in told, told

        # recorded only by whom might have made it: the loan's risk team, as a pause is
        for outsider, refusal in (("ops-wang", "pausing a loan's post-loan reviews is its risk "
                                   "team's, sme_risk's risk officers and supervisor"),
                                  ("risk-corp-1", "'risk-corp-1' is in team corporate_risk")):
            denied = await cli("schedules", "record", quiet.id, "paused", "--as", outsider,
                               "--note", "quiet hold")
            assert denied.exit_code == 3, denied.output
            assert f"review-{quiet.id} paused not recorded: " in said(denied), denied.output
            assert refusal in said(denied), denied.output
            assert not any(d.actor.id == outsider for d in (await status(quiet)).decisions)
        raw = ScheduleChange(actor=Actor(id="ops-wang", role=Role.OPERATIONS),
                             action=ScheduleAction.PAUSED, note="raw client")  # no command
        assert "is its risk team's" in await refused(
            quiet, LoanJourneyWorkflow.record_schedule_change, raw)
        # recorded: the journey lists it itself, and the queue says no more of it
        recorded = await cli("schedules", "record", quiet.id, "paused", "--as", "risk-sme-2",
                             "--note", "quiet hold")
        assert recorded.exit_code == 0, recorded.output
        await _until_queued(client, "sme_risk", quiet.id)
        told = said(await cli("queue", "--team", "sme_risk"))
        assert f"{quiet.id} reviews paused outside" not in told, told
        assert "loans on no team's queue" not in told, told
        assert f"{warned.id} reviews paused outside the engine" in told, told
        recorded = await cli("schedules", "record", warned.id, "paused", "--as", "risk-sme-2",
                             "--note", "audit hold")
        assert recorded.exit_code == 0, recorded.output
        for _ in range(100):  # its warnings still open: early_warning, awaiting its reviews
            row = await _until_listed(client, "sme_risk", warned.id)
            if row.waiting is not None and "reviews stopped" in (row.waiting.awaiting or ""):
                break
            await asyncio.sleep(0.1)
        told = said(await cli("queue", "--team", "sme_risk"))
        assert row.sla == "early_warning" and "reviews paused outside" not in told, told


async def _until_paused_in_list(client: Client, journey_ids: set[str]) -> None:
    """The server lists schedules from its visibility store, which shows a pause a moment
    after it is made (a full run on two cores once listed one of two pauses)."""
    for _ in range(100):
        rows = await schedules.list_schedules(client)
        if journey_ids <= {r.journey_id for r in rows if r.paused}:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the schedules of {sorted(journey_ids)} never listed paused")


async def _until_listed(client: Client, team: str, journey_id: str) -> JourneyRow:
    for _ in range(100):
        rows = [r for r in await work_lists.waiting_on(client, team)
                if r.workflow_id == journey_id]
        if rows:
            return rows[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"{journey_id} never listed on {team}'s queue")
