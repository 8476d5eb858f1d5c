"""A command whose Temporal server goes away once the command has reached it ends with one
plain line and a non-zero exit, never a traceback: an update it had sent may have been
recorded, so it says to check the journey's status before sending it again (finance's
`confirm-payees` killed mid-booking printed 109 lines of RPCError and did not say)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.service import RPCError, RPCStatusCode

from starter import boundary, operations
from starter.errors import ServerLost
from tests.cli_kit import cli, point_cli_at, said
from tests.dev_server import fresh_dev_server

pytestmark = pytest.mark.e2e


async def test_an_update_whose_server_goes_away_says_to_check_its_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sending = threading.Event()  # the command is waiting for the journey's answer
    waits_for_the_answer = operations.answered

    async def answered(*args: Any) -> Any:
        sending.set()
        return await waits_for_the_answer(*args)

    monkeypatch.setattr(operations, "answered", answered)
    async with fresh_dev_server() as env:
        point_cli_at(monkeypatch, env.client, tmp_path)
        address = env.client.service_client.config.target_host
        wid = f"loan-LOST-{uuid.uuid4().hex[:8]}"
        # no worker: the update waits on the server until it goes away
        await env.client.start_workflow("LoanJourneyWorkflow", id=wid, task_queue="nobody")
        command = asyncio.ensure_future(
            cli("confirm-payees", wid, "--instruction", "1", "--as", "ops-li"))
        assert await asyncio.to_thread(sending.wait, 60), "the update was never sent"
    done = await command  # the server is gone
    assert isinstance(done.exception, SystemExit), done.exception
    assert done.exit_code == ServerLost.exit_code, done.output
    assert "Traceback" not in done.output
    assert said(done) == (
        f"error: the Temporal server at {address} did not answer (namespace default) once the "
        f"command had reached it: the payment instruction confirmation was sent to {wid} and "
        f"may have been recorded: once the server answers, check with `loan-journey status {wid}` "
        "whether it was applied before sending it again")


def test_any_call_whose_server_went_away_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any command's call after the connect (a read, a listing), at the one boundary."""
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", "127.0.0.1:7999")
    gone = RPCError("tcp connect error", RPCStatusCode.UNAVAILABLE, b"")
    assert boundary.report(gone) == ServerLost.exit_code
    assert " ".join(capsys.readouterr().err.split()) == (
        "error: the Temporal server at 127.0.0.1:7999 did not answer (namespace default) once "
        "the command had reached it: start the embedded server or set "
        "LOAN_JOURNEY_TEMPORAL_ADDRESS, then run the command again")
