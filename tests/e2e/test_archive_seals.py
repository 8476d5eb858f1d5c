"""Sealed archives checked only with their key: on the dev server, an archive whose runs are
sealed (LOAN_JOURNEY_ARCHIVE_KEY) is not vouched for by a check without the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from store import archive
from tests.e2e.processes import eventually
from tests.e2e.test_archive import said, withdrawn_journey
from tests.e2e.test_journey_on_dev_server import cli

pytestmark = pytest.mark.e2e
KEY = SecretStr("k" * 32)


def archive_of_its_own(settings: Settings, folder: Path) -> Settings:
    """`settings` with an archive table of this test's own (the journeys' database stays the
    worker's): what this test seals does not bind the other tests' archives."""
    return settings.model_copy(update={"database_url": f"sqlite:///{folder / 'archive.db'}"})


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
