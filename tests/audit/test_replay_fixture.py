"""Replay against the current code: compatible changes pass, incompatible ones are caught."""

from __future__ import annotations

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.testing import WorkflowEnvironment

from starter.audit import verify
from tests.audit import fixture_workflow as fx
from tests.audit.journey_run import run_journey


def _activities(history: WorkflowHistory) -> list[str]:
    return [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]


async def test_recorded_history_replays(
    recorded: WorkflowHistory, audit_converter: DataConverter
) -> None:
    report = await verify([recorded], [fx.AuditFixture], audit_converter)
    assert report.ok, report.failures
    assert [o.workflow_id for o in report.outcomes] == [recorded.workflow_id]


async def test_incompatible_change_is_caught(
    recorded: WorkflowHistory, audit_converter: DataConverter
) -> None:
    report = await verify([recorded], [fx.AuditFixtureChanged], audit_converter)
    [outcome] = report.outcomes
    assert not report.ok and outcome.nondeterministic
    assert "Nondeterminism" in outcome.error
    assert "'read_document'" in outcome.error and "'read_document_v2'" in outcome.error


async def test_patched_change_keeps_old_history_and_new_runs_take_the_new_branch(
    recorded: WorkflowHistory, audit_converter: DataConverter, audit_env: WorkflowEnvironment
) -> None:
    old = await verify([recorded], [fx.AuditFixturePatched], audit_converter)
    assert old.ok, old.failures
    assert _activities(recorded) == ["read_document"]

    new = await run_journey(audit_env, fx.AuditFixturePatched)
    assert _activities(new) == ["read_document_v2"]
    markers = [
        e.marker_recorded_event_attributes.marker_name
        for e in new.events
        if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
    ]
    assert markers == ["core_patch"]
    assert (await verify([new], [fx.AuditFixturePatched], audit_converter)).ok
    # and the reason for the guard: release 1 cannot replay what release 2 recorded
    assert not (await verify([new], [fx.AuditFixture], audit_converter)).ok


async def test_several_histories_are_reported_one_by_one(
    recorded: WorkflowHistory, audit_converter: DataConverter, audit_env: WorkflowEnvironment
) -> None:
    patched = await run_journey(audit_env, fx.AuditFixturePatched)
    report = await verify([recorded, patched], [fx.AuditFixture], audit_converter)
    assert [(o.workflow_id, o.ok) for o in report.outcomes] == [
        (recorded.workflow_id, True),
        (patched.workflow_id, False),
    ]
