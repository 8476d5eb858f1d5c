"""What a worker (and `up`) checks before it starts, so that a setting that cannot work ends
it at once with the variable named (exit 5), not each journey's activity, retried, later."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from activities.policy import (
    LoadedPolicy,
    P,
    PoliciesInService,
    load_calendar_file,
    load_policy_file,
)
from activities.review import load_post_loan_policy_file
from journey.policy import PolicyError
from journey.policy.bank_calendar import BankCalendar
from journey.settings import Settings
from starter.errors import KeysNeeded, SetupError, calendar_unusable
from store import blob_cipher, blobs
from store.db import ready
from store.policies import (
    PolicyKind,
    PolicyTextChanged,
    SealingKeyNeeded,
    VersionReused,
    record_policy,
    recorded,
)
from store.seal_key import key_wrong
from store.sealed_records import CHAINS, SealedRecords
from store.seals import KEY_SETTING, any_sealed

_KINDS: dict[str, PolicyKind] = {"policy_file": "lending", "post_loan_policy_file": "post_loan"}


def data_dir_ready(settings: Settings) -> None:
    """Create the data directory, its owner's only (700), unless it exists; SetupError naming
    LOAN_JOURNEY_DATA_DIR when it cannot be created or written."""
    where = settings.data_dir
    try:
        where.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as err:
        raise SetupError(f"LOAN_JOURNEY_DATA_DIR {where} cannot be created: "
                         f"{err.strerror or err}; set it to a directory this user can "
                         "create and write") from err
    try:  # a file written and gone: access() passes root where a write still fails
        tempfile.TemporaryFile(dir=where).close()
    except OSError as err:
        raise SetupError(f"LOAN_JOURNEY_DATA_DIR {where} is not writable: "
                         f"{err.strerror or err}; give it to the user the worker runs as, "
                         "or set another") from err


def document_store_ready(settings: Settings) -> None:
    """The document store, as a reader's activity will find it: the data directory's own is
    created (700) unless it exists; one LOAN_JOURNEY_DOCUMENT_STORE names (a mount) must be
    there, a directory, and writable. SetupError saying what the activity would, which is
    otherwise retried in each journey, unseen, until the store is fixed; KeysNeeded when its
    files are encrypted with a key LOAN_JOURNEY_DOCUMENT_KEYS does not hold here (none set),
    which would write plain scans among them, and read none of them."""
    if settings.document_store is None:
        with contextlib.suppress(OSError):  # a file in its place, say: said below
            settings.documents_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    if (problem := blobs.store_problem(settings.documents_dir)) is not None:
        raise SetupError(problem)
    if (problem := blob_cipher.keys_problem(settings.documents_dir,
                                            settings.document_key_list)) is not None:
        raise KeysNeeded(problem)


def archive_key_ready(settings: Settings) -> None:
    """KeysNeeded, naming the records, when the bank's records are sealed (store/sealed_records.py)
    and this worker has not the archive key they were sealed with (none, or another): every
    booking, exposure line, notice, reading and stage event it wrote would be kept unsealed
    among sealed ones, read by `records verify` as inserted around the key, which `records
    seal` then refuses to vouch for, and `start` takes for a change made outside the engine."""
    key = settings.archive_seal_key
    with Session(ready(settings.db_url)) as s:
        sealed = [c for c in CHAINS if any(any_sealed(s, column) for column in c.columns)]
        if key is None and sealed:
            raise KeysNeeded(
                f"the {_listed(sealed)} in the journey database are sealed with the archive "
                f"key, and {KEY_SETTING} is not set here: what this worker wrote would be kept "
                f"unsealed and read as inserted around the key; set {KEY_SETTING} as the "
                "other workers have it and start again")
        wrong = [c for c in sealed if key is not None and key_wrong(s, key, c)]
        if wrong:
            raise KeysNeeded(
                f"{KEY_SETTING} is not the key the {_listed(wrong)} in the journey database "
                "were sealed with: what this worker wrote would never pass its check; set "
                "it as the other workers have it and start again")


def _listed(chains: list[SealedRecords]) -> str:
    names = [c.records for c in chains]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def policy_in_service(settings: Settings) -> PoliciesInService:
    """The lending and the post-loan policy a worker runs, each read and parsed as it starts,
    and recorded in the journey database as the one the workers run (store/policies.py,
    sealed with the archive key when it is set, else kept unsealed, which `records verify`
    names):
    each journey's intake pins the lending policy as it is now, its offer the post-loan
    policy; and the bank's calendar file, which each intake's working calendar takes its years
    from. SetupError naming LOAN_JOURNEY_POLICY_FILE or LOAN_JOURNEY_POST_LOAN_POLICY_FILE
    when it cannot be read or parsed, or when its version is recorded with other content, or
    LOAN_JOURNEY_CALENDAR_FILE when it cannot be read or parsed; KeysNeeded when the bank's
    records are sealed with an archive key not set here (`archive_key_ready`)."""
    archive_key_ready(settings)
    lending = _recorded(settings, "policy_file", load_policy_file)
    return PoliciesInService(
        lending=lending, post_loan=_recorded(settings, "post_loan_policy_file",
                                             load_post_loan_policy_file),
        calendar=calendar_in_service(settings))


def calendar_in_service(settings: Settings) -> BankCalendar:
    """The bank's calendar file the settings name, read and checked: SetupError naming
    LOAN_JOURNEY_CALENDAR_FILE and what to fix when it cannot be read or is not valid."""
    try:
        return load_calendar_file(settings.calendar_file)
    except PolicyError as err:
        raise calendar_unusable(err) from err


def _recorded(settings: Settings, field: Literal["policy_file", "post_loan_policy_file"],
              load: Callable[[Path | None], LoadedPolicy[P]]) -> LoadedPolicy[P]:
    """The policy file of the setting `field`, loaded by `load` and recorded."""
    variable, kind = Settings.env_name(field), _KINDS[field]
    named = "policy" if kind == "lending" else "post-loan policy"
    try:
        loaded = load(getattr(settings, field))
    except (OSError, PolicyError) as err:
        raise SetupError(f"{variable} cannot be used: {err}; point it at a readable {named} "
                         f"file, or unset it for the default {named}") from err
    key = settings.archive_seal_key  # the policies' own, or none sealed (`archive_key_ready`)
    try:
        record_policy(settings.db_url, loaded.policy.version, loaded.text, kind, key)
    except VersionReused as err:
        _recorded_intact(settings, loaded.policy.version, kind, key, variable)
        raise SetupError(f"{variable} cannot be used: {err}; a changed policy "
                         "is a new policy: give the changed file a new \"version\", or put "
                         "back the content of the one recorded") from err
    except SealingKeyNeeded as err:
        raise KeysNeeded(f"{err}: set LOAN_JOURNEY_ARCHIVE_KEY as the other workers have it "
                         "and start again") from err
    return loaded


def _recorded_intact(settings: Settings, version: str, kind: PolicyKind, key: bytes | None,
                     variable: str) -> None:
    """SetupError when the row recorded for `version` is what changed (its text against its
    sha256, or its seal where the key is set): the file differs from a row changed in the
    database, and it is the row to restore, not the file to change to it."""
    try:
        recorded(settings.db_url, version, kind, key)
    except PolicyTextChanged as changed:
        raise SetupError(f"{variable} cannot be used while the row recorded for its version "
                         f"was changed in the journey database: {changed}. Do not copy that "
                         "row's text into the file: restore the row, then start "
                         "again") from changed


def check_start(settings: Settings) -> PoliciesInService | None:
    """The data directory, the journey database's schema (migrated, or checked when the
    process may not migrate it: `SchemaBehind`), the document store and the policy files,
    before any server or worker starts: the policies the worker runs (`policy_in_service`),
    or None for a reader (role "documents"), which loads none and checks no database: it keeps
    no reading (but a read scheduled before the journey kept its own, which waits for a
    reader with the database, activities/documents.py)."""
    data_dir_ready(settings)
    if settings.worker_role != "documents":
        ready(settings.db_url)
    document_store_ready(settings)
    return None if settings.worker_role == "documents" else policy_in_service(settings)
