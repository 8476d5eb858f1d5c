"""Secrets out of the environment and out of what is printed: each secret setting can be given
as a file (`LOAN_JOURNEY_<NAME>_FILE`, as compose's `secrets:` mount them), one that cannot be
read ends a process as a bad setting that names the file (exit 5), and no settings object
printed or logged shows a secret."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import make_url

from journey.settings import SECRETS, Settings
from tests.deploy.test_process_exit import IMAGE_WORKER, _said

GIVEN = {"temporal_api_key": "api-key-in-clear", "database_password": "db-pw-in-clear",
         "codec_keys": "k1:codec-key-in-clear", "archive_key": "archive-key-in-clear",
         # a key as the setting takes it (32 bytes, base64): its text must not show either
         "document_keys": "k1:" + base64.b64encode(b"document-key-in-clear-32-bytes!!").decode(),
         "smtp_password": "smtp-pw-in-clear", "sms_webhook_token": "sms-token-in-clear"}


def test_every_secret_setting_is_one_the_settings_know() -> None:
    assert set(SECRETS) == set(GIVEN) <= set(Settings.model_fields)


def test_no_secret_shows_where_the_settings_are_printed() -> None:
    settings = Settings(**GIVEN, database_url="postgresql+psycopg://u:url-pw-in-clear@db/j")
    for shown in (repr(settings), str(settings), f"{settings!r}"):
        for secret in (*GIVEN.values(), "url-pw-in-clear"):
            assert secret not in shown
    assert "database_url='postgresql+psycopg://u:***@db/j'" in repr(settings)
    assert make_url(settings.db_url).password == "db-pw-in-clear"  # used, not shown


def test_each_secret_is_read_from_the_file_its_variable_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in GIVEN.items():
        file = tmp_path / name
        file.write_text(value + "\n", encoding="utf-8")  # as `echo value > file` writes it
        monkeypatch.setenv(f"{Settings.env_name(name)}_FILE", str(file))
        monkeypatch.setenv(Settings.env_name(name), "")  # compose's unset: no conflict
    settings = Settings()
    for name, value in GIVEN.items():
        assert getattr(settings, name).get_secret_value() == value, name
    # a key with spaces inside and around is kept as it is; only the line's end goes
    (tmp_path / "archive_key").write_text(" sixteen chars+ key \r\n", encoding="utf-8")
    assert Settings().archive_key.get_secret_value() == " sixteen chars+ key "


def _refused(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError) as raised:
        Settings()
    return str(raised.value)


def test_a_secret_file_that_cannot_be_read_is_named_not_its_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    said = _refused(monkeypatch, LOAN_JOURNEY_ARCHIVE_KEY_FILE=str(gone))
    assert f"LOAN_JOURNEY_ARCHIVE_KEY_FILE names {gone}, which cannot be read: No such file" \
        in said
    said = _refused(monkeypatch, LOAN_JOURNEY_ARCHIVE_KEY_FILE=str(tmp_path))
    assert "which cannot be read: Is a directory" in said  # a bind mount made one
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    said = _refused(monkeypatch, LOAN_JOURNEY_ARCHIVE_KEY_FILE=str(tmp_path / "empty"))
    assert "which is empty" in said
    (tmp_path / "latin1").write_bytes("clé-d'archive-de-seize".encode("latin-1"))
    said = _refused(monkeypatch, LOAN_JOURNEY_ARCHIVE_KEY_FILE=str(tmp_path / "latin1"))
    assert "which is not UTF-8 text" in said


def test_a_secret_given_twice_is_refused_whichever_way_would_win(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "password").write_text("from-the-file", encoding="utf-8")
    said = _refused(monkeypatch, LOAN_JOURNEY_DATABASE_PASSWORD="from-the-env",
                    LOAN_JOURNEY_DATABASE_PASSWORD_FILE=str(tmp_path / "password"))
    assert "set it or LOAN_JOURNEY_DATABASE_PASSWORD_FILE, not both" in said
    assert "from-the-env" not in said and "from-the-file" not in said


def test_a_short_archive_key_is_counted_in_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    said = _refused(monkeypatch, LOAN_JOURNEY_ARCHIVE_KEY="eleven-char")
    assert "an archive key has at least 16 characters, this one 11" in said
    assert "items" not in said and "eleven-char" not in said


async def test_a_worker_whose_secret_file_is_missing_names_it_and_exits_5(
    tmp_path: Path,
) -> None:
    """The container whose compose secret was never created: its message, not a traceback,
    and not the secret of a file that is there."""
    there = tmp_path / "journey_db_password"
    there.write_text("pw-that-is-there\n", encoding="utf-8")
    said = await _said(IMAGE_WORKER, tmp_path, {
        "LOAN_JOURNEY_DATABASE_PASSWORD_FILE": str(there),
        "LOAN_JOURNEY_ARCHIVE_KEY_FILE": "/run/secrets/journey_archive_key"}, 5)
    assert said.startswith("error: bad setting: LOAN_JOURNEY_ARCHIVE_KEY: "), said
    assert ("LOAN_JOURNEY_ARCHIVE_KEY_FILE names /run/secrets/journey_archive_key, which "
            "cannot be read: No such file or directory") in said
    assert "Traceback" not in said and "pw-that-is-there" not in said
