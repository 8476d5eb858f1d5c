"""The name history of each credit code (journey/renames.py): a rename of a company, as
`start --renamed-from` declared it, with who declared it (a relationship manager or
operations, the submitter `start` authorized) and when. Read by credit code wherever the
bank holds a code for a company: `start`, the exposure's parties (`list`), `status`.

With the archive key, each rename is sealed as it is declared, next in the renames' chain
(store/seals.py): a rename changed, inserted or deleted in the database is reported
(`loan-journey records verify`). A sealed rename withdrawn (its start failed) is deleted with
its withdrawal kept, which keeps the seal it held, so that the chain stays whole."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from journey.actors import Actor, Role
from journey.renames import Rename
from store.db import session
from store.models import Base, BigId
from store.seals import add_sealed, replaced_seal, sealing
from store.types import UTCDateTime


class CreditCodeNameRow(Base):
    __tablename__ = "credit_code_names"
    __table_args__ = (
        UniqueConstraint("credit_code", "former_name", "name",
                         name="uq_credit_code_names_rename"),
        Index("ix_credit_code_names_credit_code", "credit_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    credit_code: Mapped[str] = mapped_column(String(18))
    former_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    declared_by: Mapped[str] = mapped_column(String(128))
    declared_role: Mapped[str] = mapped_column(String(32))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime)
    workflow_id: Mapped[str] = mapped_column(String(128))
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed


class CreditCodeNameWithdrawalRow(Base):
    """A sealed rename withdrawn, its row deleted: this row keeps the seal it held (as an
    exposure line's change keeps the line's), so the chain stays whole."""

    __tablename__ = "credit_code_name_withdrawals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name_id: Mapped[int] = mapped_column(BigId)  # the rename's row, deleted
    credit_code: Mapped[str] = mapped_column(String(18))
    former_name: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    workflow_id: Mapped[str] = mapped_column(String(128))
    withdrawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_seal: Mapped[str | None] = mapped_column(String(64))  # the rename's
    seal: Mapped[str | None] = mapped_column(String(64), index=True)  # None: kept unsealed


# the renames' chain of seals: the renames (the chain is named by them), then withdrawals
CHAIN = [CreditCodeNameRow.seal, CreditCodeNameWithdrawalRow.seal]


def facts(row: CreditCodeNameRow) -> list[object]:
    """What a rename's seal covers: the whole row but the seal."""
    return [row.id, row.credit_code, row.former_name, row.name, row.declared_by,
            row.declared_role, row.declared_at.astimezone(UTC).isoformat(), row.workflow_id]


def withdrawal_facts(row: CreditCodeNameWithdrawalRow) -> list[object]:
    """What a withdrawal's seal covers: the whole row but its seal."""
    return [row.id, row.name_id, row.credit_code, row.former_name, row.name, row.workflow_id,
            row.withdrawn_at.astimezone(UTC).isoformat(), row.replaced_seal]


def declare(url: str, rename: Rename, key: bytes | None = None) -> None:
    """Record `rename` of its credit code's company, sealed with `key` when given, next in
    the renames' chain (store/seals.py); declared again (the same code, former name and
    name), the first declaration stands."""
    with sealing(url, CreditCodeNameRow.__tablename__) as s:
        if s.scalars(select(CreditCodeNameRow.id).where(
                CreditCodeNameRow.credit_code == rename.credit_code,
                CreditCodeNameRow.former_name == rename.former_name,
                CreditCodeNameRow.name == rename.name)).first() is None:
            add_sealed(s, key, CreditCodeNameRow(
                credit_code=rename.credit_code, former_name=rename.former_name,
                name=rename.name, declared_by=rename.declared_by.id,
                declared_role=rename.declared_by.role, declared_at=rename.declared_at,
                workflow_id=rename.workflow_id), facts, CHAIN)


def withdraw(url: str, rename: Rename, key: bytes | None = None) -> None:
    """Take back `rename` as its own start declared it (the start failed): a declaration of
    the same rename that an earlier start made stands. A sealed one's withdrawal is kept,
    sealed with `key` when given, with the seal it held."""
    with sealing(url, CreditCodeNameRow.__tablename__) as s:
        for row in s.scalars(select(CreditCodeNameRow).where(
                CreditCodeNameRow.credit_code == rename.credit_code,
                CreditCodeNameRow.former_name == rename.former_name,
                CreditCodeNameRow.name == rename.name,
                CreditCodeNameRow.workflow_id == rename.workflow_id,
                CreditCodeNameRow.declared_at == rename.declared_at)).all():
            if row.seal is not None:
                add_sealed(s, key, CreditCodeNameWithdrawalRow(
                    name_id=row.id, credit_code=row.credit_code, former_name=row.former_name,
                    name=row.name, workflow_id=row.workflow_id, withdrawn_at=datetime.now(UTC),
                    replaced_seal=replaced_seal(s, key, row, facts, CHAIN, "credit code rename")),
                    withdrawal_facts, CHAIN)
            s.delete(row)


def renames(url: str, codes: Iterable[str]) -> dict[str, list[Rename]]:
    """The renames of each of `codes`, oldest declaration first, in one read (a code none
    renamed is left out)."""
    if not (wanted := sorted(set(codes))):
        return {}
    with session(url) as s:
        rows = s.scalars(select(CreditCodeNameRow)
                         .where(CreditCodeNameRow.credit_code.in_(wanted))
                         .order_by(CreditCodeNameRow.declared_at, CreditCodeNameRow.id)).all()
        found: dict[str, list[Rename]] = {}
        for r in rows:
            found.setdefault(r.credit_code, []).append(Rename(
                credit_code=r.credit_code, former_name=r.former_name, name=r.name,
                declared_by=Actor(id=r.declared_by, role=Role(r.declared_role)),
                declared_at=r.declared_at, workflow_id=r.workflow_id))
    return found


def renames_of(url: str, code: str) -> list[Rename]:
    """The renames of `code`, oldest declaration first."""
    return renames(url, [code]).get(code, [])
