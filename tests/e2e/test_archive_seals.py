"""Sealed archives checked only with their key: on the dev server, an archive whose runs are
sealed (LOAN_JOURNEY_ARCHIVE_KEY) is not vouched for by a check without the key."""

from __future__ import annotations

import gzip
import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import text
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment

from activities.archive import ArchiveActivities
from journey import archive_contracts as ac
from journey.settings import Settings
from store import archive, blobs
from store.db import engine_for
from tests.e2e.processes import eventually
from tests.e2e.test_archive import (
    archive_of_its_own,
    forged,
    rewrite_row,
    said,
    withdrawn_journey,
)
from tests.e2e.test_journey_on_dev_server import cli
from worker import build_worker

pytestmark = pytest.mark.e2e
KEY = SecretStr("k" * 32)


async def sealed_archive(
    client: object, e2e_settings: Settings, tmp_path: Path
) -> tuple[Settings, str, archive.ArchivedRun]:
    """A closed journey archived with the key: the keyless settings, its id, its row."""
    keyless = archive_of_its_own(e2e_settings, tmp_path)
    keyed = keyless.model_copy(update={"archive_key": KEY})
    journey = await withdrawn_journey(client, e2e_settings, tmp_path)  # type: ignore[arg-type]

    async def archived() -> list[archive.ArchivedRun]:
        await cli(keyed, "archive", "run")
        return archive.runs_of(keyed.db_url, journey)

    (kept,) = await eventually("the closed run is archived", archived, seconds=30, every=0.5)
    assert kept.seal is not None
    return keyless, journey, kept


async def test_a_sealed_archive_does_not_verify_without_its_key(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    keyless, journey, kept = await sealed_archive(dev_server.client, e2e_settings, tmp_path)
    keyed = keyless.model_copy(update={"archive_key": KEY})
    assert "1 replayed, 0 failed" in (await cli(keyed, "archive", "verify", journey)).stdout

    unchecked = await cli(keyless, "archive", "verify", journey, ok=False)
    assert unchecked.returncode == 1, said(unchecked)
    assert ("1 archived run(s) are sealed: set LOAN_JOURNEY_ARCHIVE_KEY to check their seals"
            in said(unchecked))
    skipped = await cli(keyless, "archive", "verify", journey, "--no-seal-check")
    assert "warning: the seals of 1 archived run(s) were not checked" in said(skipped)
    assert "1 replayed, 0 failed" in skipped.stdout

    for args in (["history", journey, "--archived"], ["history", journey, "--archived", "--json"]):
        read = await cli(keyless, *args)
        assert (f"warning: archived run {kept.run_id} of {journey} is sealed, but its seal was "
                "not checked: set LOAN_JOURNEY_ARCHIVE_KEY") in " ".join(read.stderr.split())
        assert "warning" not in (await cli(keyed, *args)).stderr

    # its blob rewritten in place: it fails its own checks, and the events changed are named
    # from the copy as stored against the server's, which still has the run
    lie = forged(archive.history_json(blobs.DocumentStore.of(keyless), kept),
                 b"found other funding", b"the bank lost it")
    blobs.path(keyless.documents_dir, kept.sha256).write_bytes(gzip.compress(lie.encode()))
    caught = await cli(keyed, "archive", "verify", journey, ok=False)
    told = said(caught)
    assert caught.returncode == 1, told
    assert ("failed its own checks (see above); as stored, against the server's: event "
            in told and "DIFFERS from the server" in told), told


async def test_seal_vouches_only_for_what_the_server_still_has_the_same(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """Runs archived before the key: `archive seal` seals those that match the server's copy
    and leaves a rewritten one unsealed; then nothing more is archived without the key, and a
    sealed row deleted from the table is missed by the one sealed after it."""
    client = dev_server.client
    # journeys on a queue of its own, run by a worker of its own: `archive run` archives every
    # closed run on its queue, and the session's queue holds other tests' runs (some rewritten
    # or deleted on the server), which its count of the runs left unsealed would take in
    keyless = archive_of_its_own(e2e_settings, tmp_path).model_copy(
        update={"task_queue": f"seals-{uuid.uuid4()}"})
    keyed = keyless.model_copy(update={"archive_key": KEY})
    folders = [tmp_path / name for name in ("first", "second", "late")]
    for folder in folders:
        folder.mkdir()
    async with build_worker(client, keyless):
        journeys = [await withdrawn_journey(client, keyless, f) for f in folders[:2]]

        async def archived() -> list[archive.ArchivedRun]:
            await cli(keyless, "archive", "run")
            found = [archive.runs_of(keyless.db_url, j) for j in journeys]
            return [runs[0] for runs in found] if all(found) else []

        true, forged_run = await eventually("both are archived", archived, seconds=30, every=0.5)
        lie = forged(archive.history_json(blobs.DocumentStore.of(keyless), forged_run),
                     b"found other funding", b"the bank lost our file")
        ref = blobs.put(blobs.DocumentStore.of(keyless), gzip.compress(lie.encode(), mtime=0),
                        "forged.gz")
        rewrite_row(keyless, forged_run, sha256=ref.sha256)

        sealing = await cli(keyed, "archive", "seal", ok=False)
        told = said(sealing)
        assert sealing.returncode == 1, told
        assert "1 archived run(s) left unsealed" in told and "DIFFERS from the server" in told
        by_run = {r.run_id: r for r in archive.runs_of(keyless.db_url)}
        assert by_run[forged_run.run_id].seal is None  # not vouched for
        assert archive.position_of(by_run[true.run_id].seal) is not None

        # the key must be set to archive from now on: nothing is written without it
        before = archive.runs_of(keyless.db_url)
        refused = await cli(keyless, "archive", "run", ok=False)
        assert refused.returncode == 8 and "set LOAN_JOURNEY_ARCHIVE_KEY" in said(refused)
        assert archive.runs_of(keyless.db_url) == before

        # sealed rows chain: the first sealed row deleted, the next one says so
        late = await withdrawn_journey(client, keyless, folders[2])

        async def sealed_late() -> list[archive.ArchivedRun]:
            await cli(keyed, "archive", "run")
            return archive.runs_of(keyed.db_url, late)

        (kept,) = await eventually("the late run is archived", sealed_late, seconds=30, every=0.5)
        assert "0 failed" in (await cli(keyed, "archive", "verify", late)).stdout
        with engine_for(keyed.db_url).begin() as db:
            db.execute(text("DELETE FROM archived_histories WHERE run_id = :run"),
                       {"run": true.run_id})
        gap = await cli(keyed, "archive", "verify", late, "--offline", ok=False)
        told = said(gap)
        assert gap.returncode == 1 and "a sealed row was deleted" in told, told
        assert f"the archived run sealed before {late}" in told


async def test_the_workers_pass_without_the_key_is_refused_once_and_for_all(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """A worker without the key, on a sealed archive: its hourly pass fails at once, not
    retried (the next hour's asks again), saying what to set."""
    keyless, _, _ = await sealed_archive(dev_server.client, e2e_settings, tmp_path)
    worker = ArchiveActivities(keyless)
    with pytest.raises(ApplicationError) as refused:
        await ActivityEnvironment(dev_server.client).run(
            worker.archive_closed_runs, ac.ArchivePassInput(overlap_seconds=60))
    assert refused.value.non_retryable and "set LOAN_JOURNEY_ARCHIVE_KEY" in str(refused.value)
