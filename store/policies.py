"""The policies the workers have run, of each kind (the lending policy, journey/policy; the
post-loan policy, journey/post_loan_policy.py): each version of a kind once, with the sha256
of its text, the text, and when a worker first and last loaded it; and each load, one row per
policy a worker loads as it starts (`policy_loads`: which kind and version, its sha256, when,
by which worker).

A worker records the policies it runs as it starts (`record_policy`): the same text again is
taken as recorded; other text under a version already recorded is refused
(`VersionReused`), so one version label always stands for one policy. The one of a kind a
worker loaded last (`in_force`: its newest load; by `last_loaded_at` on a database from before
loads were kept) is that policy in force, which the command line and the library API check
by: workers restarted on an older version bring it back in force.

With the archive key, each policy is sealed as it is first recorded, and each load as it is
kept, next in the policies' chain (store/seals.py): a policy over its kind, version, text,
the sha256 kept with it and when it was first loaded (`facts`), a load over all it holds
(`load_facts`). A text changed in the database together with its sha256 (a staff id renamed
in the directory, its digest updated to match) no longer matches its seal; nor does a load
moved to another version, and one inserted after sealing began to bring an older policy back
in force reads as inserted around the key. `last_loaded_at`, moved on every start, is not
sealed: once loads are kept, it no longer chooses the policy in force. Recorded without the
key before any policy was sealed (or before this version), a policy or a load stays unsealed
until `records seal`; once they are sealed, a worker without their key records no new policy
(`SealingKeyNeeded`: it does not start), which would read as inserted around the key and
block every command that acts by the policy in force, and keeps no load.

A policy is read for a decision (`recorded`, `in_force`) only while its text still hashes to
the sha256 kept with it (and, in force, to the one its load kept) and, read with the key,
while it and its load pass their seals as `records verify` checks them (a sealed one changed,
or one inserted unsealed after sealing began): else it is refused (`PolicyTextChanged`,
`PolicySealBroken`), naming what to restore, and `records verify` names it
(store/policy_check.py, store/seal_check.py). One kept unsealed before sealing began is read
as it is, as without the key.
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
from store.refusals import origin
from store.seals import add_sealed, sealed_in, sealing
from store.types import UTCDateTime

PolicyKind = Literal["lending", "post_loan"]
# what every refusal of a policy read ends with, but a wrong key's
CHECK = "then check the journey database with `loan-journey records verify`"
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


class PolicyLoadRow(Base):
    """A policy a worker loaded as it started: the newest of a kind is the one in force."""

    __tablename__ = "policy_loads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    origin: Mapped[str] = mapped_column(String(200))  # the worker: user@host pid
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed


# the policies' chain: each policy as first recorded, each load as kept, in one order
CHAIN = [LendingPolicyRow.seal, PolicyLoadRow.seal]


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


class PolicyKeyWrong(PolicySealBroken):
    """A recorded policy cannot be checked against its seal: the key set is not the one the
    policies were sealed with. The key is what to fix, not the policy."""


class SealingKeyNeeded(Exception):
    """A new policy would be recorded unsealed in the sealed policies' chain (a worker without
    the archive key they were sealed with): read as inserted around the key, nothing would act
    by it, so it is not recorded. The message names the version and the setting."""


def load_facts(row: PolicyLoadRow) -> list[object]:
    """What a load's seal covers: the whole row but the seal."""
    return [row.id, "load", row.kind, row.version, row.sha256,
            row.loaded_at.astimezone(UTC).isoformat(), row.origin]


def load_named(row: PolicyLoadRow) -> str:
    """"load #12 of the lending policy 2026.12-8"."""
    return f"load #{row.id} of the {row.kind.replace('_', '-')} policy {row.version}"


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
        raise PolicyTextChanged(f"nothing acts by the {named(row)}: {why}; {CHECK}")
    if key is not None and (failing := _seal_failing(s, key, row)) is not None:
        refused, why = failing
        raise refused(f"nothing acts by the {named(row)}: {why}{_then(refused)}")
    s.expunge(row)
    return row


def _then(refused: type[PolicySealBroken]) -> str:
    """What to do after restoring a row: check the database; nothing, for a key that is not
    the policies' (the key is what to set, and the database is as it was)."""
    return "" if refused is PolicyKeyWrong else f"; {CHECK}"


def _seal_failing(s: Session, key: bytes, row: LendingPolicyRow | PolicyLoadRow
                  ) -> tuple[type[PolicySealBroken], str] | None:
    """What is wrong with `row` (a policy or a load) against its seal, as `records verify`
    finds it of that row alone (store/seal_check.py `rows_checked`), and what to refuse it
    with; None: nothing (or kept unsealed before sealing began, which no seal vouches for and
    none refuses)."""
    # here, not at the top: the sealed tables (store/sealed_records.py) import this module
    from store.seal_check import rows_checked
    from store.seal_key import key_wrong
    from store.sealed_records import POLICIES, POLICY_LOADS, POLICY_ROWS

    if key_wrong(s, key, POLICIES):
        return PolicyKeyWrong, (
            f"it cannot be checked against its seal: the archive key set "
            f"(LOAN_JOURNEY_ARCHIVE_KEY) is not the one the {POLICIES.records} were sealed "
            "with (none of their seals matches it); set it to that key, as the workers have it")
    table = POLICY_LOADS if isinstance(row, PolicyLoadRow) else POLICY_ROWS
    failing = next((f for f in rows_checked(s, key, POLICIES, {table.name: [row]})
                    if f.tampered), None)
    if failing is None:
        return None
    return PolicySealBroken, f"it fails its seal ({failing.found.value}): {failing.detail}"


def record_policy(url: str, version: str, text: str, kind: PolicyKind = "lending",
                  key: bytes | None = None) -> None:
    """Record the policy `text` of `version` as a worker loads it (a version recorded
    already: loaded again now, its seal as it was), and its load, each sealed next in the
    policies' chain with `key` when given (the one they were sealed with: the caller's to
    confirm, store/seal_key.py `sealing_key`), else unsealed; `VersionReused` when `version`
    is recorded with other content (also by a worker that started at the same moment);
    `SealingKeyNeeded` when a new one would be recorded unsealed, without `key`, once the
    policies are sealed (then no load is kept unsealed either: it would read as inserted
    around the key)."""
    digest, now = sha256_of(text), datetime.now(UTC)
    sealed = key is None and policies_sealed(url)
    if not _recorded(url, kind, version, digest, now):
        if sealed:
            raise SealingKeyNeeded(
                f"the {_NAMED[kind]} {version} is not recorded: the policies the workers "
                "recorded are sealed, and this process has not the archive key they were "
                "sealed with (LOAN_JOURNEY_ARCHIVE_KEY unset, or another key); recorded "
                "unsealed, nothing would act by it")
        try:
            with sealing(url, LendingPolicyRow.__tablename__) as s:
                add_sealed(s, key, LendingPolicyRow(kind=kind, version=version, sha256=digest,
                                                    text=text, first_loaded_at=now,
                                                    last_loaded_at=now), facts, CHAIN)
        except IntegrityError:  # another worker recorded the version a moment before
            if not _recorded(url, kind, version, digest, now):
                raise
    if not sealed:
        with sealing(url, LendingPolicyRow.__tablename__) as s:
            add_sealed(s, key, PolicyLoadRow(kind=kind, version=version, sha256=digest,
                                             loaded_at=now, origin=origin()), load_facts, CHAIN)


def policies_sealed(url: str) -> bool:
    """Whether the policies' chain is sealed (a policy or a load in it)."""
    return any(sealed_in(url, column) for column in CHAIN)


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
    """The policy of `kind` a worker loaded last (its newest load; on a database from before
    loads were kept, by `last_loaded_at`), or None: none recorded yet; `PolicyTextChanged`
    when its text was changed since it was recorded, or its sha256 is not the one its load
    kept, or it is not recorded at all; `PolicySealBroken` when, with `key`, it or its load
    fails its seal."""
    with session(url) as s:
        load = s.scalars(select(PolicyLoadRow).where(PolicyLoadRow.kind == kind)
                         .order_by(PolicyLoadRow.id.desc()).limit(1)).first()
        if load is None:
            return _vouched(s, s.scalars(select(LendingPolicyRow).where(
                LendingPolicyRow.kind == kind).order_by(
                LendingPolicyRow.last_loaded_at.desc(), LendingPolicyRow.id.desc())).first(),
                key)
        refused = (f"nothing acts by the {kind.replace('_', '-')} policy in force: its "
                   f"{load_named(load)}")
        if key is not None and (failing := _seal_failing(s, key, load)) is not None:
            raise failing[0](f"{refused}: {failing[1]}{_then(failing[0])}")
        row = _vouched(s, s.scalars(select(LendingPolicyRow).where(
            LendingPolicyRow.kind == kind, LendingPolicyRow.version == load.version)).first(),
            key)
        if row is None:
            raise PolicyTextChanged(f"{refused} names a version not recorded "
                                    "(lending_policies): deleted in the journey database; "
                                    f"restore it from a backup; {CHECK}")
        return as_kept(row, load.sha256, f"{refused} kept")


def as_kept(row: LendingPolicyRow, sha256: str | None, kept_by: str) -> LendingPolicyRow:
    """`row`, when it holds the content whose `sha256` was kept with what chose it (a load, a
    journey's pin; None: none was kept); else PolicyTextChanged, `kept_by` ("nothing acts by
    ...: its load #2 ... kept") saying whose: its text and sha256 were changed together, which
    without the key nothing else tells."""
    if sha256 in (None, row.sha256):
        return row
    raise PolicyTextChanged(
        f"{kept_by} sha256 {sha256[:12]}, and lending_policies #{row.id} holds "
        f"{row.sha256[:12]}: its text and sha256 were changed in the journey database outside "
        f"the engine; restore the row from a backup, or from the policy file of version "
        f"{row.version} (its sha256 must be {sha256}); {CHECK}")


def loads(url: str, last: int) -> list[PolicyLoadRow]:
    """The newest `last` loads of either kind, newest first (detached rows)."""
    with session(url) as s:
        rows = list(s.scalars(select(PolicyLoadRow).order_by(PolicyLoadRow.id.desc())
                              .limit(last)))
        s.expunge_all()
        return rows
