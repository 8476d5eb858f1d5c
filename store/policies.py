"""The policies the workers have run, of each kind (the lending policy, journey/policy; the
post-loan policy, journey/post_loan_policy.py): each version of a kind once, with the sha256
of its text, the text, and when a worker first and last loaded it.

A worker records the policies it runs as it starts (`record_policy`): the same text again is
taken as recorded; other text under a version already recorded is refused
(`VersionReused`), so one version label always stands for one policy. The one of a kind a
worker loaded last (`in_force`) is that policy in force, which the command line and the
library API check by: workers restarted on an older version bring it back in force.

A policy is read for a decision (`recorded`, `in_force`) only while its text still hashes to
the sha256 kept with it: a text changed in the database outside the engine is refused
(`PolicyTextChanged`), and `records verify` names it (store/policy_check.py).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from store.db import session
from store.models import Base, BigId
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
    last_loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # None: kept unsealed; indexed: the chain's end, read as a policy is sealed
    seal: Mapped[str | None] = mapped_column(String(64), index=True)


class VersionReused(Exception):
    """A policy's version is recorded with other content: a changed file kept its version."""


class PolicyTextChanged(Exception):
    """A recorded policy's text no longer hashes to the sha256 kept with it: changed in the
    journey database outside the engine. The message names the version and what to do."""


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


def _vouched(row: LendingPolicyRow | None) -> LendingPolicyRow | None:
    """`row`, read for a decision; `PolicyTextChanged` when its text was changed."""
    if row is not None and (why := text_changed(row)) is not None:
        raise PolicyTextChanged(f"nothing acts by the {named(row)}: {why}; then check the "
                                "journey database with `loan-journey records verify`")
    return row


def record_policy(url: str, version: str, text: str, kind: PolicyKind = "lending") -> None:
    """Record the policy `text` of `version` as a worker loads it (a version recorded
    already: loaded again now); `VersionReused` when `version` is recorded with other content
    (also by a worker that started at the same moment)."""
    digest, now = sha256_of(text), datetime.now(UTC)
    if _recorded(url, kind, version, digest, now):
        return
    try:
        with session(url) as s:
            s.add(LendingPolicyRow(kind=kind, version=version, sha256=digest, text=text,
                                   first_loaded_at=now, last_loaded_at=now))
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


def recorded(url: str, version: str, kind: PolicyKind = "lending") -> LendingPolicyRow | None:
    """The policy of `kind` recorded under `version` (one text per version), or None: none
    is; `PolicyTextChanged` when its text was changed since."""
    with session(url) as s:
        row = s.scalars(select(LendingPolicyRow).where(
            LendingPolicyRow.kind == kind, LendingPolicyRow.version == version)).first()
        if row is not None:
            s.expunge(row)
        return _vouched(row)


def in_force(url: str, kind: PolicyKind = "lending") -> LendingPolicyRow | None:
    """The policy of `kind` a worker loaded last, or None: none recorded yet;
    `PolicyTextChanged` when its text was changed since it was recorded."""
    with session(url) as s:
        row = s.scalars(select(LendingPolicyRow).where(LendingPolicyRow.kind == kind).order_by(
            LendingPolicyRow.last_loaded_at.desc(), LendingPolicyRow.id.desc())).first()
        if row is not None:
            s.expunge(row)
        return _vouched(row)
