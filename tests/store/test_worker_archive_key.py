"""A worker on a journey database whose records are sealed starts only with the archive key
they were sealed with (starter/start_checks.py `archive_key_ready`): without it, or with
another, every booking, exposure line, notice and stage event it wrote would be kept
unsealed among sealed rows, read as inserted around the key for good. It exits 8, naming the
records and the setting, and records nothing, not even its policies."""

from __future__ import annotations

from pathlib import Path

import pytest

from journey.settings import Settings
from starter.errors import KeysNeeded
from starter.start_checks import policy_in_service
from tests.store.test_lpr_fixings import LAST, record, rows
from tests.store.test_record_seals import KEY, database, records  # noqa: F401


def test_a_worker_without_the_key_or_with_another_does_not_start_once_records_are_sealed(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
) -> None:
    """An LPR fixing recorded with the key seals its chain; the policies are not recorded
    yet, so nothing but this check stops a keyless worker from recording them."""
    assert record(LAST).exit_code == 0

    monkeypatch.delenv("LOAN_JOURNEY_ARCHIVE_KEY")
    with pytest.raises(KeysNeeded) as refused:
        policy_in_service(Settings(data_dir=tmp_path, database_url=database))
    assert refused.value.exit_code == 8
    assert str(refused.value) == (
        "the LPR fixings and corrections in the journey database are sealed with the archive "
        "key, and LOAN_JOURNEY_ARCHIVE_KEY is not set here: what this worker wrote would be "
        "kept unsealed and read as inserted around the key; set LOAN_JOURNEY_ARCHIVE_KEY as "
        "the other workers have it and start again")

    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", "another-key-0123456789")
    with pytest.raises(KeysNeeded, match="LOAN_JOURNEY_ARCHIVE_KEY is not the key the LPR "
                       "fixings and corrections in the journey database were sealed with"):
        policy_in_service(Settings(data_dir=tmp_path, database_url=database))
    assert rows(database, "select count(*) from lending_policies") == [("0",)]

    monkeypatch.setenv("LOAN_JOURNEY_ARCHIVE_KEY", KEY)
    policy_in_service(Settings(data_dir=tmp_path, database_url=database))
    assert rows(database, "select kind from lending_policies where seal is not null "
                          "order by kind") == [("lending",), ("post_loan",)]
    assert records("verify").exit_code == 0
