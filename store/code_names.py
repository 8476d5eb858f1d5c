"""The name history of each credit code (journey/renames.py): a rename of a company, as
`start --renamed-from` declared it, with who declared it (a relationship manager or
operations, the submitter `start` authorized) and when. Read by credit code wherever the
bank holds a code for a company: `start`, the exposure's parties (`list`), `status`."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from journey.actors import Actor, Role
from journey.renames import Rename
from store.db import session
from store.models import Base, BigId
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


def declare(url: str, rename: Rename) -> None:
    """Record `rename` of its credit code's company; declared again (the same code, former
    name and name), the first declaration stands."""
    with session(url) as s:
        if s.scalars(select(CreditCodeNameRow.id).where(
                CreditCodeNameRow.credit_code == rename.credit_code,
                CreditCodeNameRow.former_name == rename.former_name,
                CreditCodeNameRow.name == rename.name)).first() is None:
            s.add(CreditCodeNameRow(
                credit_code=rename.credit_code, former_name=rename.former_name,
                name=rename.name, declared_by=rename.declared_by.id,
                declared_role=rename.declared_by.role, declared_at=rename.declared_at,
                workflow_id=rename.workflow_id))


def withdraw(url: str, rename: Rename) -> None:
    """Take back `rename` as its own start declared it (the start failed): a declaration of
    the same rename that an earlier start made stands."""
    with session(url) as s:
        s.execute(delete(CreditCodeNameRow).where(
            CreditCodeNameRow.credit_code == rename.credit_code,
            CreditCodeNameRow.former_name == rename.former_name,
            CreditCodeNameRow.name == rename.name,
            CreditCodeNameRow.workflow_id == rename.workflow_id,
            CreditCodeNameRow.declared_at == rename.declared_at))


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
