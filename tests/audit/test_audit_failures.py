"""Failure texts are encrypted too, and the trail decodes them; the codec command's errors."""

from __future__ import annotations

import pytest
import typer
from temporalio.api.common.v1 import ActivityType
from temporalio.api.enums.v1 import EventType
from temporalio.api.failure.v1 import Failure
from temporalio.api.history.v1 import (
    ActivityTaskFailedEventAttributes,
    ActivityTaskScheduledEventAttributes,
    HistoryEvent,
    WorkflowExecutionStartedEventAttributes,
)
from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError
from typer.testing import CliRunner

from starter.audit import audit_trail
from starter.codec_server import codec_server

MESSAGE = "licence of Zhang Wei is unreadable"


async def test_failure_message_is_encrypted_and_the_trail_reads_it(
    audit_converter: DataConverter,
) -> None:
    failure = Failure()
    await audit_converter.encode_failure(ApplicationError(MESSAGE, type="Unreadable"), failure)
    assert b"Zhang Wei" not in failure.SerializeToString()

    started = HistoryEvent(
        event_id=1,
        event_type=EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
        workflow_execution_started_event_attributes=WorkflowExecutionStartedEventAttributes(),
    )
    scheduled = HistoryEvent(
        event_id=2,
        event_type=EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
        activity_task_scheduled_event_attributes=ActivityTaskScheduledEventAttributes(
            activity_type=ActivityType(name="read_document")
        ),
    )
    failed = HistoryEvent(
        event_id=3,
        event_type=EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
        activity_task_failed_event_attributes=ActivityTaskFailedEventAttributes(
            failure=failure, scheduled_event_id=2
        ),
    )
    lines = await audit_trail(WorkflowHistory("wf", [started, scheduled, failed]), audit_converter)
    assert (lines[-1].event, lines[-1].detail) == (
        "activity read_document failed",
        f"Unreadable: {MESSAGE}",
    )


def test_codec_server_command_without_keys_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LOAN_JOURNEY_CODEC_KEYS", raising=False)
    app = typer.Typer()
    app.command("codec-server")(codec_server)
    app.command("other")(lambda: None)  # two commands keep "codec-server" a subcommand
    result = CliRunner().invoke(app, ["codec-server", "--port", "0", "--token", "t"])
    assert result.exit_code == 2
    assert "LOAN_JOURNEY_CODEC_KEYS" in result.output
