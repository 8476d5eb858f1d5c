"""`loan-journey` under test, in-process against a test server: the commands run their own
event loop, so they run in a thread here."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import Client
from typer.testing import CliRunner, Result

from starter.cli import app


def point_cli_at(
    monkeypatch: pytest.MonkeyPatch, client: Client, data_dir: Path | None = None
) -> None:
    """Have the command line reach `client`'s server and namespace (and use `data_dir`)."""
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", client.service_client.config.target_host)
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_NAMESPACE", client.namespace)
    if data_dir is not None:
        monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(data_dir))


async def cli(*args: str) -> Result:
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


def said(result: Result) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())
