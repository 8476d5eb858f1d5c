"""The scans past the retention of the lending policy in force (journey/policy/retention.py),
erased by a supervisor (`loan-journey scans erase`), each erasure kept sealed for auditors
(store/scan_erasures.py) before its file goes; listed, erasing nothing, by a supervisor or an
auditor (`--dry-run`). A refused attempt is kept (`loan-journey refusals`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from journey.actors import Actor, Role
from journey.settings import Settings
from starter.errors import KeysNeeded, SetupError
from starter.pinned_policy import authorized, current_policy
from starter.records import key_needed
from store import blobs
from store.refusals import origin
from store.scan_erasures import Erasure
from store.scan_retention import Reviewed, erase, reviewed
from store.sealed_records import ERASED
from store.seals import KEY_SETTING

ERASERS = {Role.SUPERVISOR}
LISTERS = {Role.SUPERVISOR, Role.AUDITOR}
SCANS = "scans"  # what a refused attempt is kept under
ACTION = "scans erase"


@dataclass(frozen=True)
class Swept:
    rule: str  # the retention rule, with the policy's version
    found: Reviewed
    erased: bool  # False: a dry run, nothing erased


def erase_past_retention(settings: Settings, actor: Actor, dry_run: bool = False) -> Swept:
    """Erase (list, `dry_run`) the scans whose journeys all passed the retention of the
    policy in force. `Refused` for one who may not, `KeysNeeded` without the archive key (or
    with another than the erasures were sealed with), nothing erased."""
    authorized(settings, actor, LISTERS if dry_run else ERASERS,
               "no scan listed" if dry_run else "no scan erased", (SCANS, ACTION))
    if (problem := blobs.store_problem(settings.documents_dir, writing=not dry_run)) is not None:
        raise SetupError(problem)
    policy = current_policy(settings)
    rule = policy.retention.said(policy.version)
    if dry_run:
        return Swept(rule, reviewed(settings.db_url, settings.documents_dir, policy.retention),
                     erased=False)
    key = settings.archive_seal_key
    if key is None:
        raise KeysNeeded(f"set {KEY_SETTING} (the archive key) to erase scans: each erasure is "
                         "kept sealed, so that `records verify` tells a scan erased from one "
                         "deleted; nothing erased")
    with key_needed(settings, ERASED):
        found = reviewed(settings.db_url, settings.documents_dir, policy.retention)
        for due in found.due:
            erase(settings.db_url, due, Erasure(
                sha256=due.sha256, journeys=due.journeys, ended_at=due.ended_at,
                erased_at=datetime.now(UTC), erased_by=actor.id, role=actor.role.value,
                rule=rule, origin=origin()), key)
    return Swept(rule, found, erased=True)
