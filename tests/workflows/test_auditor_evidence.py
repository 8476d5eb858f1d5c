"""What an auditor pulls from the command line about a real journey: every notice its
customer was sent or is due (`notices`, from the outbox), and a scan the customer sent, byte
for byte, with the journey and kind it belongs to (`scans get`), the licence read by the real
OCR; and, on a dev server (whose histories can be listed), the licence's reading row and file
deleted or replaced outside the engine named by the journey and file name its history records
(`records verify`, `scans get`), in a plain store and in one encrypted at rest, where a
changed file fails its authentication and is named tampered with."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta, timezone
from itertools import count
from pathlib import Path

import pytest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.documents import DocumentRef
from journey.policy.calendar import moment_at
from journey.settings import Settings
from journey.stages import Stage
from starter import records
from store import blobs
from store.outbox import dispatch, messages_for
from tests.cli_kit import cli, point_cli_at, said
from tests.dev_server import fresh_dev_server
from tests.ocr.conftest import SAMPLES
from tests.store.test_record_seals import KEY, found, sql
from tests.workflows.journey_kit import (
    Documents,
    application,
    real_for_unknown,
    running_journey,
    until_sent,
    until_stage,
)

LICENCE = "company1_business_license.jpg"
DOCUMENT_KEY = base64.b64encode(b"k" * 32).decode()
BANK = timezone(timedelta(hours=8))  # the bank's clock: the packaged calendar's


@asynccontextmanager
async def asked_for_its_income_statement(
    env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    drop: frozenset[str] = frozenset({"licence", "income"}),
) -> AsyncIterator[tuple[Settings, WorkflowHandle, DocumentRef]]:
    """A journey whose licence scan the real OCR read, asking its customer for the income
    statement it lacks (and the fake's others `drop`ped); the command line pointed at its
    server, task queue, database and store."""
    labels = next(p for p in json.loads((SAMPLES / "labels.json").read_text("utf-8"))
                  if p["file"] == LICENCE)
    docs = Documents()  # the balance sheet from the fake; the licence through the real OCR
    app = application(docs, drop=set(drop), company=(labels["name"], labels["credit_code"]))
    scan = blobs.put(blobs.DocumentStore.of(Settings(data_dir=tmp_path)),
                     (SAMPLES / LICENCE).read_bytes(), LICENCE)
    app.documents.insert(0, scan)
    async with running_journey(env, tmp_path, docs, app,
                               real_for_unknown(docs)) as (settings, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await until_sent(settings.db_url, handle.id, template="supplements_requested")
        point_cli_at(monkeypatch, env.client, tmp_path)
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)
        yield settings, handle, scan


async def test_notices_lists_what_the_customer_was_sent_or_is_due(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with asked_for_its_income_statement(time_skipping_env, tmp_path, monkeypatch) as (
            settings, handle, _):
        queued = messages_for(settings.db_url, handle.id)
        # no feedback request while applying: the file is short (test_feedback_requests.py)
        assert [m.template for m in queued] == ["application_received", "supplements_requested"]
        due = await cli("notices", handle.id)
        assert due.exit_code == 0, due.output
        shown = said(due)
        for m in queued:  # oldest first, each as the outbox holds it
            assert (f"│ {m.id} │ {m.template} │ {moment_at(m.created_at, 8)} │ not sent yet │ "
                    f"{m.channel} │ {m.recipient} │") in shown
        assert "Please send the income statement (利润表)" in shown
        assert "on the bank's clock; a notice not sent yet is due" in shown

        assert dispatch(settings.db_url) == 2  # the bank's sender delivers both
        sent = messages_for(settings.db_url, handle.id)
        listed = await cli("notices", handle.id, "--json")
        assert listed.exit_code == 0, listed.output
        assert json.loads(listed.stdout) == {"journey": handle.id, "notices": [{
            "number": m.id, "kind": m.template, "key": m.key, "channel": m.channel,
            "recipient": m.recipient, "queued_at": m.created_at.astimezone(BANK).isoformat(),
            "sent_at": m.sent_at.astimezone(BANK).isoformat() if m.sent_at else None,
            "text": m.body} for m in sent]}
        assert all(m.sent_at is not None for m in sent)
        delivered = said(await cli("notices", handle.id))
        assert "│ not sent yet │" not in delivered
        assert all(moment_at(m.sent_at, 8) in delivered for m in sent if m.sent_at)

        none = await cli("notices", "loan-APP-NONE")
        assert none.exit_code == 0
        assert "no notice queued for loan-APP-NONE: the outbox holds none for it" in said(none)


async def test_scans_get_writes_the_stored_scan_and_says_whose_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a dev server: a digest no reading names is looked for in the journeys' histories,
    which the time-skipping server cannot list."""
    async with fresh_dev_server() as env, asked_for_its_income_statement(
            env, tmp_path, monkeypatch) as (settings, handle, scan):
        paper = (SAMPLES / LICENCE).read_bytes()
        whose = (f"{scan.sha256} ({len(paper):,} bytes) is business_license "
                 f"'{LICENCE}' of {handle.id} (reading: read)")
        out = tmp_path / "paper.jpg"
        got = await cli("scans", "get", scan.sha256[:12].upper(), "--out", str(out))
        assert got.exit_code == 0, got.output
        assert out.read_bytes() == paper
        assert whose in said(got) and f"written to {out}" in said(got)
        piped = await cli("scans", "get", scan.sha256)
        assert piped.exit_code == 0 and piped.stdout_bytes == paper
        assert whose in " ".join(piped.stderr.split())

        unknown = await cli("scans", "get", "0123456789ab")
        assert unknown.exit_code == 4
        assert "no stored document's sha256 begins with 0123456789ab" in said(unknown)
        assert (await cli("scans", "get", "licence")).exit_code == 2
        a, b = two_sharing_a_start()
        for data in (a, b):
            blobs.put(blobs.DocumentStore.of(settings), data, "kept.png")
        start = hashlib.sha256(a).hexdigest()[:4]
        ambiguous = await cli("scans", "get", start)
        assert ambiguous.exit_code == 2
        assert f"{start} begins the sha256 of 2 stored documents" in said(ambiguous)
        alone = await cli("scans", "get", hashlib.sha256(b).hexdigest(), "--out", str(out))
        assert alone.exit_code == 0 and "no journey's reading names it" in said(alone)

        blobs.path(settings.documents_dir, scan.sha256).write_bytes(paper[:-1])
        changed = await cli("scans", "get", scan.sha256[:12], "--out", str(tmp_path / "x"))
        assert changed.exit_code == 1
        assert "no longer hashes to its digest: the store was changed" in said(changed)
        assert not (tmp_path / "x").exists()
        blobs.path(settings.documents_dir, scan.sha256).unlink()
        lost = await cli("scans", "get", scan.sha256[:12], "--out", str(tmp_path / "x"))
        assert lost.exit_code == 1 and "a journey read it there, so restore it" in said(lost)


@pytest.mark.parametrize("document_keys", ["", f"k1:{DOCUMENT_KEY}"], ids=["plain", "encrypted"])
async def test_a_used_documents_reading_and_file_deleted_or_replaced_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, document_keys: str,
) -> None:
    """Every document of the journey read by the real OCR, so each has its reading row; the
    licence's replaced, then its row and file deleted, as an auditor did with sqlite3. With
    document keys, the licence is stored and read encrypted, and a byte of it changed is told
    tampered with."""
    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)  # the worker's, and the command line's
    monkeypatch.setenv("LOAN_JOURNEY_DOCUMENT_KEYS", document_keys)
    async with fresh_dev_server() as env, asked_for_its_income_statement(
            env, tmp_path, monkeypatch, drop=frozenset({"licence", "balance", "income"})) as (
            settings, handle, scan):
        licence = f"document {LICENCE} of {handle.id}"
        checked = await cli("records", "verify")
        assert checked.exit_code == 0, checked.output
        paper, stored = (SAMPLES / LICENCE).read_bytes(), blobs.path(settings.documents_dir,
                                                                      scan.sha256)
        if document_keys:
            await a_changed_byte_is_told_tampered(tmp_path, licence, paper, stored, scan)
        stored.write_bytes((SAMPLES / "company2_business_license.jpg").read_bytes())
        checked = await cli("records", "verify")
        assert checked.exit_code == 1, checked.output
        assert found(checked) == {licence: "CHANGED"}
        replaced = await cli("scans", "get", scan.sha256[:12], "--out", str(tmp_path / "x"))
        assert replaced.exit_code == 1
        assert f"business_license '{LICENCE}' of {handle.id}) in the document store" in said(
            replaced)

        sql(settings.db_url, f"delete from document_readings where sha256 = '{scan.sha256}'")
        stored.unlink()
        checked = await cli("records", "verify")
        assert checked.exit_code == 1, checked.output
        assert found(checked) == {licence: "DELETED"}
        [told] = [f.detail for c in (await records.verify(Settings(), env.client)).checks
                  for f in c.findings]
        assert told.startswith("its reading (document_readings), which the journey's history "
                               f"records (run {handle.result_run_id}), was deleted outside the "
                               "engine, and the file is not in the document store")
        gone = await cli("scans", "get", scan.sha256[:12], "--out", str(tmp_path / "x"))
        assert gone.exit_code == 1, gone.output
        assert (f"document {scan.sha256} ('{LICENCE}' of {handle.id}, as its journey's "
                "history records it) is not in the document store") in said(gone)
        assert "its reading (document_readings) was deleted outside the engine" in said(gone)

        stored.write_bytes(paper)  # the file restored, its reading still gone
        kept = await cli("scans", "get", scan.sha256, "--out", str(tmp_path / "x"))
        assert kept.exit_code == 0, kept.output
        assert (tmp_path / "x").read_bytes() == paper
        assert (f"is '{LICENCE}' of {handle.id} as its history records it, but its reading "
                "(document_readings) was deleted outside the engine") in said(kept)
        checked = await cli("records", "verify")
        assert checked.exit_code == 1 and found(checked) == {licence: "DELETED"}


async def a_changed_byte_is_told_tampered(tmp_path: Path, licence: str, paper: bytes,
                                          stored: Path, scan: DocumentRef) -> None:
    """The licence the real OCR read (to completeness) is encrypted on disk, handed out as the
    customer sent it, and, a byte of it changed, named tampered with."""
    encrypted = stored.read_bytes()
    assert encrypted != paper and paper[1000:1064] not in encrypted
    got = await cli("scans", "get", scan.sha256[:12], "--out", str(tmp_path / "x"))
    assert got.exit_code == 0 and (tmp_path / "x").read_bytes() == paper, got.output
    stored.write_bytes(encrypted[:-1] + bytes([encrypted[-1] ^ 1]))
    checked = await cli("records", "verify")
    assert checked.exit_code == 1, checked.output
    assert found(checked) == {licence: "CHANGED"}
    [told] = [f.detail for c in (await records.verify(Settings(), offline=True)).checks
              for f in c.findings]
    assert told.startswith(f"sha256 {scan.sha256}: {stored} is tampered with: it fails its "
                           "authentication under key 'k1'")
    tampered = await cli("scans", "get", scan.sha256[:12], "--out", str(tmp_path / "y"))
    assert tampered.exit_code == 1 and "is tampered with" in said(tampered)
    assert not (tmp_path / "y").exists()


def two_sharing_a_start() -> tuple[bytes, bytes]:
    """Two documents whose sha256 begin with the same 4 hex digits."""
    seen: dict[str, bytes] = {}
    for n in count():
        data = f"page {n}".encode()
        start = hashlib.sha256(data).hexdigest()[:4]
        if start in seen:
            return seen[start], data
        seen[start] = data
