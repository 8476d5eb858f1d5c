"""A journey's stage events restored from a backup older than the Temporal database, on the
dev server with a worker that seals them: `records verify` names the newest events, which the
journey's numbering cannot see, from its history; `records rebuild-events` writes them from
it, sealed, so that verify is clean again and the report counts the journey and its payout;
run again it adds nothing, and a row that differs from its history is named, not changed."""

from __future__ import annotations

import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.settings import Settings
from journey.stages import Stage
from journey.touchpoints import LATE_TOUCHPOINT_BASE
from starter.codec import SETTING
from store.sealed_records import STAGED
from store.timing import events_for
from store.touchpoint_analytics import build_journey_map
from tests.cli_kit import cli as in_process
from tests.cli_kit import point_cli_at
from tests.cli_kit import said as in_process_said
from tests.e2e.processes import eventually
from tests.e2e.test_archive import CUSTOMER, said, withdrawn_journey
from tests.e2e.test_history_cross_check import forged, keyed_settings, paid_out_journey
from tests.e2e.test_journey_on_dev_server import cli
from tests.e2e.test_keyless_cli import KEYS, encrypting
from tests.workflows.journey_kit import journey_worker, new_application, start, until_stage
from worker import build_worker

pytestmark = pytest.mark.e2e
__all__ = ["encrypting", "forged"]  # the fixtures, used by name


def restore_stage_events(settings: Settings, backup: Path) -> None:
    """The journey database's `stage_events` as the backup holds them."""
    with closing(sqlite3.connect(settings.data_dir / "journey.db")) as live, live:
        live.execute("ATTACH DATABASE ? AS backup", (str(backup),))
        live.execute("DELETE FROM stage_events")
        live.execute("INSERT INTO stage_events SELECT * FROM backup.stage_events")


def figures(settings: Settings) -> tuple[int, int, int, int]:
    """The report's journeys, events, journeys paid out, and journeys in post-loan."""
    report = build_journey_map(settings.db_url)
    in_post_loan = next((f.reached for f in report.funnel if f.stage == "post_loan"), 0)
    return report.journeys, report.events, report.paid_out, in_post_loan


def flat(done: subprocess.CompletedProcess[str]) -> str:
    return " ".join(said(done).replace("│", " ").split())


async def test_stage_events_lost_to_an_older_backup_are_named_and_rebuilt_from_the_history(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path, forged: list[str]
) -> None:
    client = dev_server.client
    keyed = keyed_settings(e2e_settings, tmp_path)
    backup = tmp_path / "before-signature.db"
    async with build_worker(client, keyed):
        journey, _ = await paid_out_journey(client, keyed, tmp_path, forged, backup)
    written = events_for(keyed.db_url, journey)
    whole = figures(keyed)
    assert whole[2] == 1 and whole[3] == 1, whole

    restore_stage_events(keyed, backup)
    kept = len(events_for(keyed.db_url, journey))
    lost = f"#{kept} to #{len(written) - 1}"
    assert [e.sequence for e in written] == list(range(len(written))) and kept < len(written)
    assert figures(keyed) != whole  # the report leaves the payout out, quietly

    verified = await cli(keyed, "records", "verify", ok=False)
    told = flat(verified)
    assert verified.returncode == 1, told
    assert (f"stage events {lost} of {journey} are in its history, not in the database: "
            f"`loan-journey records rebuild-events {journey}`") in told, told

    dry = await cli(keyed, "records", "rebuild-events", journey, "--dry-run")
    assert (f"{journey}: {len(written) - kept} stage event(s) would be rebuilt from its "
            f"history ({lost})") in flat(dry), flat(dry)
    assert len(events_for(keyed.db_url, journey)) == kept

    unkeyed = await cli(keyed.model_copy(update={"archive_key": None}), "records",
                        "rebuild-events", journey, ok=False)
    assert unkeyed.returncode == 8, flat(unkeyed)  # KeysNeeded: none rebuilt unsealed
    assert "the stage events are sealed: set LOAN_JOURNEY_ARCHIVE_KEY to rebuild them; " \
        "nothing written" in flat(unkeyed), flat(unkeyed)
    assert len(events_for(keyed.db_url, journey)) == kept
    missing = await cli(keyed, "records", "rebuild-events", journey.removeprefix("loan-"),
                        ok=False)
    assert missing.returncode == 4 and f"did you mean {journey}?" in flat(missing), \
        flat(missing)

    rebuilt = await cli(keyed, "records", "rebuild-events", journey)
    assert (f"{journey}: {len(written) - kept} stage event(s) rebuilt from its history "
            f"({lost})") in flat(rebuilt), flat(rebuilt)
    assert events_for(keyed.db_url, journey) == written
    with closing(sqlite3.connect(keyed.data_dir / "journey.db")) as db:
        assert db.execute("SELECT count(*) FROM stage_events WHERE seal IS NULL").fetchone() \
            == (0,)  # sealed as the worker seals them

    clean = await cli(keyed, "records", "verify")
    assert f"{STAGED.records}: {len(written)} row(s) checked, 0 changed, 0 deleted, " \
        "0 inserted" in flat(clean), flat(clean)
    assert figures(keyed) == whole

    again = await cli(keyed, "records", "rebuild-events", "--all")
    assert flat(again) == "nothing to rebuild", flat(again)

    # a row that is there and differs from its history is named, and left as is
    with closing(sqlite3.connect(keyed.data_dir / "journey.db")) as db, db:
        db.execute("UPDATE stage_events SET actor = 'someone-else' WHERE workflow_id = ? "
                   "AND sequence = ?", (journey, kept))
    differs = await cli(keyed, "records", "rebuild-events", journey, ok=False)
    assert differs.returncode == 1, flat(differs)
    assert f"{journey}: stage event(s) #{kept} differ from its history: left as is" \
        in flat(differs), flat(differs)
    assert "nothing to rebuild" in flat(differs)
    assert events_for(keyed.db_url, journey)[kept].actor == "someone-else"


async def test_a_late_touchpoints_event_lost_is_named_and_rebuilt_from_the_run_that_kept_it(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """A withdrawn journey's customer calls: the run that keeps the inquiry (not the
    journey's, which has ended) writes its event under the journey's id; lost with an older
    backup, it is named and rebuilt from that run's history."""
    client = dev_server.client
    keyed = keyed_settings(e2e_settings, tmp_path)
    async with build_worker(client, keyed):
        journey = await withdrawn_journey(client, keyed, tmp_path)
        await cli(keyed, "inquiry", journey, "--as", CUSTOMER, "--channel", "phone")
    written = events_for(keyed.db_url, journey)
    assert written[-1].sequence == LATE_TOUCHPOINT_BASE, written[-1]
    with closing(sqlite3.connect(keyed.data_dir / "journey.db")) as db, db:
        db.execute("DELETE FROM stage_events WHERE workflow_id = ? AND sequence = ?",
                   (journey, LATE_TOUCHPOINT_BASE))

    verified = await cli(keyed, "records", "verify", ok=False)
    assert verified.returncode == 1, flat(verified)
    assert (f"stage events #{LATE_TOUCHPOINT_BASE} of {journey} are in its history, not in "
            "the database") in flat(verified), flat(verified)

    rebuilt = await cli(keyed, "records", "rebuild-events", journey)
    assert flat(rebuilt) == (f"{journey}: 1 stage event(s) rebuilt from its history "
                             f"(#{LATE_TOUCHPOINT_BASE})"), flat(rebuilt)
    assert events_for(keyed.db_url, journey) == written
    await cli(keyed, "records", "verify")


async def test_an_encrypted_journeys_lost_event_is_rebuilt_with_the_codec_keys(
    encrypting: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a namespace whose payloads are encrypted, the RECORD_TIMING inputs are read with
    the codec keys, as `records verify` reads the histories."""
    client = encrypting.client
    docs, app = new_application()
    async with journey_worker(client, tmp_path, docs) as settings:
        handle = await start(client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)

        async def entered() -> bool:  # the entry is written behind the journey: let it land
            return any(e.stage is Stage.RISK_REVIEW for e in events_for(settings.db_url,
                                                                         handle.id))

        await eventually("risk review's entry is written", entered, seconds=30, every=0.2)
        written = events_for(settings.db_url, handle.id)
        newest = written[-1].sequence
        with closing(sqlite3.connect(tmp_path / "journey.db")) as db, db:
            db.execute("DELETE FROM stage_events WHERE workflow_id = ? AND sequence = ?",
                       (handle.id, newest))
        point_cli_at(monkeypatch, client, tmp_path)
        monkeypatch.setenv("LOAN_JOURNEY_TASK_QUEUE", settings.task_queue)
        monkeypatch.setenv(SETTING, KEYS)
        rebuilt = await in_process("records", "rebuild-events", handle.id)
        assert rebuilt.exit_code == 0, rebuilt.output
        assert f"{handle.id}: 1 stage event(s) rebuilt from its history (#{newest})" \
            in in_process_said(rebuilt)
        assert events_for(settings.db_url, handle.id) == written
