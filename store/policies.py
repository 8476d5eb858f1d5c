"""The policies the workers have run, of each kind (the lending policy, journey/policy; the
post-loan policy, journey/post_loan_policy.py): each version of a kind once, with the sha256
of its text, the text, and when a worker first and last loaded it.

A worker records the policies it runs as it starts (`record_policy`): the same text again is
taken as recorded; other text under a version already recorded is refused
(`VersionReused`), so one version label always stands for one policy. The one of a kind a
worker loaded last (`in_force`) is that policy in force, which the command line and the
library API check by: workers restarted on an older version bring it back in force.

With the archive key, each policy is sealed as it is first recorded, next in the policies'
chain (store/seals.py), over its kind, version, text, the sha256 kept with it and when it was
first loaded (`facts`): a text changed in the database together with its sha256 (a staff id
renamed in the directory, its digest updated to match) no longer matches its seal.
`last_loaded_at`, moved on every worker's start, is left out of the seal, not sealed again
on each load (a change's row and a seal per start, as the re-sealed tables keep them): it
only chooses which sealed policy is in force, and each is one the bank ran, sealed as it was
recorded (as workers restarted on an older version choose it). Recorded without the key
before any policy was sealed (or before this version), a policy stays unsealed until `records
seal`; once they are sealed, a worker without their key records no new one
(`SealingKeyNeeded`: it does not start), which would read as inserted around the key and
block every command that acts by the policy in force.

A policy is read for a decision (`recorded`, `in_force`) only while its text still hashes to
the sha256 kept with it and, read with the key, while it passes its seal as `records verify`
checks it (a sealed one changed, or one inserted unsealed after sealing began): else it is
refused (`PolicyTextChanged`, `PolicySealBroken`), naming what to restore, and `records
verify` names it (store/policy_check.py, store/seal_check.py). One kept unsealed before
sealing began is read as it is, as without the key.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.db import session
from store.models import Base, BigId
from store.seals import add_sealed, sealed_in, sealing
from store.types import UTCDateTime

PolicyKind = Literal["lending", "post_loan"]
_NAMED = {"lending": "policy", "post_loan": "post-loan policy"}


class LendingPolicyRow(Base):
    __tablename__ = "lending_policies"
    __table_args__ = (
        UniqueConstraint("kind", "version", name="uq_lending_policies_kind_version"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # the lending policy, or the post-loan policy (those recorded before it: lending)
    kind: Mapped[str] = mapped_column(String(16), server_default="lending")
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    first_loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)  # not sealed: `facts`
    # None: kept unsealed; indexed: the chain's end, read as a policy is sealed
    seal: Mapped[str | None] = mapped_column(String(64), index=True)


class VersionReused(Exception):
    """A policy's version is recorded with other content: a changed file kept its version."""


class PolicyTextChanged(Exception):
    """A recorded policy's text no longer hashes to the sha256 kept with it: changed in the
    journey database outside the engine. The message names the version and what to do."""


class PolicySealBroken(PolicyTextChanged):
    """A recorded policy fails its seal (changed in the journey database since it was sealed,
    its text with its sha256 maybe; or inserted unsealed after sealing began), or cannot be
    checked against it (the key set is not the one the policies were sealed with): nothing
    acts by it, as by a text changed alone. The message names the version and what to do."""


class SealingKeyNeeded(Exception):
    """A new policy would be recorded unsealed in the sealed policies' chain (a worker without
    the archive key they were sealed with): read as inserted around the key, nothing would act
    by it, so it is not recorded. The message names the version and the setting."""


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def facts(row: LendingPolicyRow) -> list[object]:
    """What a policy's seal covers: the row but `last_loaded_at` (moved on every load: see
    the module's docstring) and the seal."""
    return [row.id, "policy", row.kind, row.version, row.sha256, row.text,
            row.first_loaded_at.astimezone(UTC).isoformat()]


def named(row: LendingPolicyRow) -> str:
    """A recorded policy as people name it: "lending policy 2026.12-8"."""
    return f"{row.kind.replace('_', '-')} policy {row.version}"


def text_changed(row: LendingPolicyRow) -> str | None:
    """What is wrong with `row` when its text no longer hashes to its sha256; None: intact."""
    now = sha256_of(row.text)
    if now == row.sha256:
        return None
    return (f"its text (lending_policies #{row.id}) no longer hashes to the sha256 recorded "
            f"with it ({row.sha256[:12]}, the text's now {now[:12]}): changed in the journey "
            "database outside the engine; restore the row's text from a backup, or from the "
            f"policy file of version {row.version} (its sha256 must be {row.sha256})")


def _vouched(s: Session, row: LendingPolicyRow | None, key: bytes | None
             ) -> LendingPolicyRow | None:
    """`row`, read for a decision (detached from `s`); `PolicyTextChanged` when its text was
    changed, `PolicySealBroken` when, with `key`, it fails its seal."""
    if row is None:
        return None
    if (why := text_changed(row)) is not None:
        raise PolicyTextChanged(f"nothing acts by the {named(row)}: {why}; then check the "
                                "journey database with `loan-journey records verify`")
    if key is not None and (why := _seal_failing(s, key, row)) is not None:
        raise PolicySealBroken(f"nothing acts by the {named(row)}: {why}; then check the "
                               "journey database with `loan-journey records verify`")
    s.expunge(row)
    return row


def _seal_failing(s: Session, key: bytes, row: LendingPolicyRow) -> str | None:
    """What is wrong with `row` against its seal, as `records verify` finds it of that row
    alone (store/seal_check.py `rows_checked`); None: nothing (or kept unsealed before
    sealing began, which no seal vouches for and none refuses)."""
    # here, not at the top: the sealed tables (store/sealed_records.py) import this module
    from store.seal_check import rows_checked
    from store.seal_key import key_wrong
    from store.sealed_records import POLICIES, POLICY_ROWS

    if key_wrong(s, key, POLICIES):
        return (f"it cannot be checked against its seal: the archive key set "
                f"(LOAN_JOURNEY_ARCHIVE_KEY) is not the one the {POLICIES.records} were sealed "
                "with (none of their seals matches it); set it to that key, as the workers "
                "have it")
    failing = next((f for f in rows_checked(s, key, POLICIES, {POLICY_ROWS.name: [row]})
                    if f.tampered), None)
    if failing is None:
        return None
    return f"it fails its seal ({failing.found.value}): {failing.detail}"  # with what to do


def record_policy(url: str, version: str, text: str, kind: PolicyKind = "lending",
                  key: bytes | None = None) -> None:
    """Record the policy `text` of `version` as a worker loads it (a version recorded
    already: loaded again now, its seal as it was: `last_loaded_at` is not sealed), sealed
    next in the policies' chain with `key` when given (the one they were sealed with: the
    caller's to confirm, store/seal_key.py `sealing_key`), else unsealed; `VersionReused`
    when `version` is recorded with other content (also by a worker that started at the same
    moment); `SealingKeyNeeded` when a new one would be recorded unsealed, without `key`, once
    the policies are sealed."""
    digest, now = sha256_of(text), datetime.now(UTC)
    if _recorded(url, kind, version, digest, now):
        return
    if key is None and sealed_in(url, LendingPolicyRow.seal):
        raise SealingKeyNeeded(
            f"the {_NAMED[kind]} {version} is not recorded: the policies the workers recorded "
            "are sealed, and this process has not the archive key they were sealed with "
            "(LOAN_JOURNEY_ARCHIVE_KEY unset, or another key); recorded unsealed, nothing "
            "would act by it")
    try:
        with sealing(url, LendingPolicyRow.__tablename__) as s:
            add_sealed(s, key, LendingPolicyRow(kind=kind, version=version, sha256=digest,
                                                text=text, first_loaded_at=now,
                                                last_loaded_at=now),
                       facts, [LendingPolicyRow.seal])
    except IntegrityError:  # another worker recorded the version a moment before
        if not _recorded(url, kind, version, digest, now):
            raise


def _recorded(url: str, kind: PolicyKind, version: str, digest: str, now: datetime) -> bool:
    """Whether `version` is recorded with the content `digest` (then loaded again `now`);
    `VersionReused` when it is recorded with other content."""
    with session(url) as s:
        known = s.scalars(select(LendingPolicyRow).where(
            LendingPolicyRow.kind == kind, LendingPolicyRow.version == version)).first()
        if known is None:
            return False
        if known.sha256 != digest:
            raise VersionReused(
                f"{_NAMED[kind]} version {version} was first loaded "
                f"{known.first_loaded_at:%Y-%m-%d %H:%M} UTC with other content (sha256 "
                f"{known.sha256[:12]}, this file's {digest[:12]})")
        known.last_loaded_at = max(known.last_loaded_at, now)
        return True


def recorded(url: str, version: str, kind: PolicyKind = "lending", key: bytes | None = None
             ) -> LendingPolicyRow | None:
    """The policy of `kind` recorded under `version` (one text per version), or None: none
    is; `PolicyTextChanged` when its text was changed since, `PolicySealBroken` when, with
    `key`, it fails its seal."""
    with session(url) as s:
        return _vouched(s, s.scalars(select(LendingPolicyRow).where(
            LendingPolicyRow.kind == kind, LendingPolicyRow.version == version)).first(), key)


def in_force(url: str, kind: PolicyKind = "lending", key: bytes | None = None
             ) -> LendingPolicyRow | None:
    """The policy of `kind` a worker loaded last, or None: none recorded yet;
    `PolicyTextChanged` when its text was changed since it was recorded, `PolicySealBroken`
    when, with `key`, it fails its seal."""
    with session(url) as s:
        return _vouched(s, s.scalars(select(LendingPolicyRow).where(
            LendingPolicyRow.kind == kind).order_by(
            LendingPolicyRow.last_loaded_at.desc(), LendingPolicyRow.id.desc())).first(), key)
