"""Documents, feedback and an inquiry typed while no worker answers (or the server cannot be
reached) are kept as pending instructions, not lost, and delivered once when a worker comes
back (starter/pending.py): the scan's bytes are in the document store though the customer's
file is gone, the feedback's comment stays out of the journey database, and the inquiry's
answer is printed by `pending deliver`."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.feedback import FeedbackActivities
from journey.actors import Actor, Role
from journey.application import Channel, LoanApplication
from journey.decisions import AddDocuments, RiskGrade, RiskOpinion, Verdict
from journey.settings import Settings
from journey.stages import Stage
from journey.touchpoints import (
    COUNT_LATE_TOUCHPOINTS,
    LATE_TOUCHPOINT_BASE,
    ComplaintCategory,
    Feedback,
    Inquiry,
    late_touchpoints_id,
)
from starter import operations, pending_delivery
from starter.pending_request import ASIDE, kept_request
from store import blobs
from store.db import ready
from store.feedback import feedback_for
from store.pending import Delivery, Instruction, instructions, keep_instruction
from store.refusals import origin, refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.ports import free_port
from tests.workflows.journey_kit import (
    RISK_SME,
    Documents,
    customer,
    journey_worker,
    new_application,
    running_journey,
    start,
    status,
    terminate,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

SECRET = "王芳 13800138000"


async def test_documents_feedback_and_an_inquiry_typed_without_a_worker_are_kept(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = time_skipping_env
    docs, app = new_application(drop={"income"})  # it waits for the income statement
    # no sticky queue: the test server would keep the journey's tasks for the worker gone
    async with journey_worker(env.client, tmp_path, docs, cache=False,
                              restarting=True) as settings:
        handle = await start(env.client, settings, app)
        await until_stage(handle, Stage.COMPLETENESS, asking=True)  # asks for supplements
    try:
        await kept_then_delivered(env, handle, settings.task_queue, tmp_path, docs, app,
                                  monkeypatch)
    finally:
        await terminate(handle)


async def kept_then_delivered(env: WorkflowEnvironment, handle: WorkflowHandle,
                              task_queue: str, tmp_path: Path, docs: Documents,
                              app: LoanApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    me = ("--as", app.credit_code)
    monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=1))
    point_cli_at(monkeypatch, env.client, tmp_path)
    (income,) = [r for r in docs.readings.values()
                 if r.ref.filename.endswith("-income.png")]
    scan = tmp_path / "income.png"
    scan.write_bytes(income.ref.filename.removesuffix(".png").encode())  # the fake OCR's
    sent = await cli("documents", handle.id, str(scan), *me)
    assert sent.exit_code == 6 and "kept as pending instruction 1" in said(sent), sent.output
    scan.unlink()  # the customer's file is gone by delivery: the store holds its bytes
    assert blobs.exists(tmp_path / "documents", income.ref.sha256)

    complaint = await cli("feedback", handle.id, "--score", "2", "--stage", "intake",
                          "--category", "waiting_time", "--comment", SECRET,
                          "--channel", "web", *me)  # fmt: skip
    assert complaint.exit_code == 6, complaint.output
    assert "pending instruction 2" in said(complaint)
    # a typist the journey would refuse at delivery is refused as it refuses, when typing:
    # by the staff directory, nothing kept, the attempt kept for auditors
    other = tmp_path / "other.png"
    other.write_bytes(b"another scan")
    by_approver = await cli("documents", handle.id, str(other), "--as", "appr-branch-1",
                            "--role", "approver")
    assert by_approver.exit_code == 3, by_approver.output
    assert ("documents refused: 'appr-branch-1' is approver; this needs one of: "
            "operations, relationship_manager") in said(by_approver)
    with monkeypatch.context() as offline:
        offline.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", f"127.0.0.1:{free_port()}")
        by_operations = await cli("feedback", handle.id, "--score", "4", "--stage", "intake",
                                  "--channel", "branch", "--as", "ops-wang", "--role",
                                  "operations")
        by_stranger = await cli("inquiry", handle.id, "--channel", "phone", "--as", "ops-x",
                                "--role", "operations")
        asked = await cli("inquiry", handle.id, "--channel", "phone", *me)
    assert by_operations.exit_code == 3, by_operations.output
    assert ("feedback refused: 'ops-wang' is operations; this needs one of: "
            "relationship_manager") in said(by_operations)
    assert by_stranger.exit_code == 3, by_stranger.output
    assert "inquiry refused: 'ops-x' is not in the staff directory" in said(by_stranger)
    assert [(r.action, r.actor) for r in refusals(f"sqlite:///{tmp_path / 'journey.db'}")] == [
        ("add_documents", "appr-branch-1"), ("record_feedback", "ops-wang"),
        ("record_inquiry", "ops-x")]
    assert asked.exit_code == 5 and "pending instruction 3" in said(asked), asked.output
    assert "Tell the customer the inquiry is taken" in said(asked)

    db_url = f"sqlite:///{tmp_path / 'journey.db'}"
    kept = instructions(db_url)
    assert [(k.update, k.actor, k.state) for k in kept] == [
        (u, app.credit_code, Delivery.PENDING)
        for u in ("add_documents", "record_feedback", "record_inquiry")]
    (typed,) = AddDocuments.model_validate_json(kept[0].request).documents
    assert (typed.sha256, typed.filename) == (income.ref.sha256, "income.png")
    with ready(db_url).connect() as conn:  # the comment never reaches SQL
        dump = "\n".join(conn.connection.iterdump())  # type: ignore[attr-defined]
    assert "13800138000" not in dump
    assert json.loads(kept[1].request)[ASIDE] == ["comment"]  # named, set aside

    monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=20))  # a new worker's
    async with journey_worker(env.client, tmp_path, docs, task_queue=task_queue):
        delivered = await cli("pending", "deliver")
        assert delivered.exit_code == 0, delivered.output
        assert f"inquiry of {app.credit_code} typed " in said(delivered)
        assert [k.state for k in instructions(db_url, every=True)] == [Delivery.DELIVERED] * 3, [
            (k.update, k.outcome) for k in instructions(db_url, every=True)]
        assert (await until_stage(handle, Stage.RISK_REVIEW)).completeness is not None
        assert income.ref.sha256 in {r.ref.sha256 for r in (await status(handle)).readings}
        (stored,) = feedback_for(db_url, handle.id)
        assert stored.score == 2
        again = await cli("pending", "deliver")
        assert again.exit_code == 0 and "nothing pending" in said(again)
    history = await handle.fetch_history()
    accepted = Counter(
        e.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
    assert [accepted[k.update_id] for k in kept] == [1, 1, 1]  # each taken once
    assert SECRET.encode() in b"".join(e.SerializeToString() for e in history.events)
    assert not (tmp_path / "documents" / "pending" / f"{kept[1].update_id}.json").exists()



async def test_a_kept_comment_not_where_it_was_set_aside_stops_the_delivery(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Delivered without its comment, the feedback would lose it: it stays pending, and the
    delivery says where the comment was looked for."""
    settings = Settings(data_dir=tmp_path)
    request = Feedback(actor=Actor(id="91310000MA1FL1234X", role=Role.CUSTOMER),
                       channel=Channel.WEB, stage=Stage.INTAKE, score=4, comment=SECRET)
    keep_instruction(settings.db_url, Instruction(
        workflow_id="loan-APP-ASIDE", update="record_feedback", update_id="u-1",
        request=kept_request("record_feedback", request), actor=request.actor.id,
        role=request.actor.role, typed_at=datetime.now(UTC), origin=origin()))
    done = await pending_delivery.deliver(time_skipping_env.client, settings)
    assert done.settled == [] and "pending instruction 1 cannot be delivered" in done.stopped
    assert "pending/u-1.json is gone" in done.stopped
    assert [k.state for k in instructions(settings.db_url)] == [Delivery.PENDING]


async def test_documents_kept_for_a_journey_begun_without_a_worker_wait_until_it_opens(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker that delivers them has not run the journey's first task yet: the journey
    refuses them for now only ("still opening"), so they are sent again, not refused."""
    env = time_skipping_env
    docs, app = new_application(drop={"income"})
    settings = Settings(data_dir=tmp_path, task_queue=f"tq-{uuid.uuid4()}")
    handle = await start(env.client, settings, app)  # no worker has run it
    monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=1))
    point_cli_at(monkeypatch, env.client, tmp_path)
    (income,) = [r for r in docs.readings.values() if r.ref.filename.endswith("-income.png")]
    scan = tmp_path / "income.png"
    scan.write_bytes(income.ref.filename.removesuffix(".png").encode())
    sent = await cli("documents", handle.id, str(scan), "--as", app.credit_code)
    assert sent.exit_code == 6 and "kept as pending instruction 1" in said(sent), sent.output
    monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=20))  # a new worker's
    async with journey_worker(env.client, tmp_path, docs, task_queue=settings.task_queue):
        done = await pending_delivery.deliver(env.client, settings)
        assert [k.state for k in done.settled] == [Delivery.DELIVERED], done
        assert done.settled[0].outcome.endswith(": 1 new document(s)"), done
        # taken while the journey opened or read its file, the statement is read, not asked for
        assert (await until_stage(handle, Stage.RISK_REVIEW)).completeness is not None


def held_count(gate: threading.Event) -> Callable[[Settings], list[Callable[..., Any]]]:
    """The real count of late touchpoints, whose first call waits until `gate` opens: the
    first run that keeps one started, and does not finish while it is shut."""

    def make(settings: Settings) -> list[Callable[..., Any]]:
        real = FeedbackActivities(settings)

        @activity.defn(name=COUNT_LATE_TOUCHPOINTS)
        def count_late_touchpoints(workflow_id: str) -> int:
            gate.wait(timeout=30)
            return real.count_late_touchpoints(workflow_id)

        return [count_late_touchpoints]

    return make


async def test_feedback_and_an_inquiry_kept_for_a_journey_that_ended_are_taken_after_its_end(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed while no worker ran, delivered once the journey had ended: kept beside it as
    what is said after the end is, in their typist's name; feedback about a stage the
    journey never reached cannot be taken there either, and is refused saying so. A run that
    keeps one and does not finish in time has taken it: it is not sent again."""
    env, gate = time_skipping_env, threading.Event()
    docs, app = new_application()
    async with running_journey(env, tmp_path, docs, app, held_count(gate)) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8, reason="leverage"))
        assert (await handle.result()).outcome is Stage.REJECTED
        me, typed_at = customer(app), datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
        for update, request in (
            ("record_feedback", Feedback(actor=me, channel=Channel.WEB, stage=Stage.RISK_REVIEW,
                                         score=1, category=ComplaintCategory.DECISION)),
            ("record_inquiry", Inquiry(actor=me, channel=Channel.PHONE)),
            ("record_feedback", Feedback(actor=me, channel=Channel.WEB, stage=Stage.OFFER,
                                         score=5)),
        ):
            keep_instruction(settings.db_url, Instruction(
                workflow_id=handle.id, update=update, update_id=str(uuid.uuid4()),
                request=kept_request(update, request), actor=me.id, role=me.role,
                typed_at=typed_at, origin=origin()))
        late = late_touchpoints_id(handle.id)
        monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=1))
        first = await pending_delivery.deliver(env.client, settings)  # the feedback's run is held
        assert [k.state for k in first.settled] == [Delivery.DELIVERED], first
        assert f"{late} is started and did not finish" in first.settled[0].outcome
        assert "instruction 2 (inquiry on" in first.stopped  # waits for it: stays pending
        gate.set()
        monkeypatch.setattr(operations, "ANSWER_WITHIN", timedelta(seconds=20))
        done = await pending_delivery.deliver(env.client, settings)
        assert [k.state for k in done.settled] == [Delivery.DELIVERED, Delivery.REFUSED], done
        assert done.settled[0].outcome.endswith(f"(the inquiry is kept as {late})")
        assert f"{handle.id} was never at offer" in done.settled[1].outcome
        assert [(f.score, f.actor, f.stage) for f in feedback_for(settings.db_url, handle.id)
                if f.sequence >= LATE_TOUCHPOINT_BASE] == [(1, me.id, Stage.RISK_REVIEW)]
        started = (await env.client.get_workflow_handle(late).fetch_history()).events[0]
        assert started.workflow_execution_started_event_attributes.identity.startswith(
            f"pending #2 typed by {origin()} at 2026-12-01T08:30:00Z")
