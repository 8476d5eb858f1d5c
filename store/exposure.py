"""Each journey's line in its borrower's credit exposure (journey/exposure.py): the amount
applied for, kept at intake, and once the loan runs the principal it still owes. A journey
whose timing events record a terminal stage (rejected, withdrawn, expired, closed) no longer
counts: the stage events are the store's record of how each journey ended."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Index, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from journey.exposure import ExposureLine, KeepExposureInput
from journey.stages import TERMINAL
from journey.timeline import EventType
from store._dialect import insert_for
from store.db import session
from store.models import Base, BigId, StageEventRow
from store.types import Money, UTCDateTime


class CreditExposureRow(Base):
    __tablename__ = "credit_exposures"
    __table_args__ = (
        UniqueConstraint("workflow_id", name="uq_credit_exposures_workflow_id"),
        Index("ix_credit_exposures_credit_code", "credit_code"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(String(128))
    credit_code: Mapped[str] = mapped_column(String(18))
    amount: Mapped[Decimal] = mapped_column(Money)
    principal: Mapped[Decimal | None] = mapped_column(Money, nullable=True)  # once it runs
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def keep(url: str, line: KeepExposureInput) -> None:
    """Write the journey's line; a line kept again (a retried activity) changes nothing, a
    principal given updates the one kept."""
    values = {"workflow_id": line.workflow_id, "credit_code": line.credit_code,
              "amount": line.amount, "principal": line.principal,
              "updated_at": datetime.now(UTC)}
    with session(url) as s:
        stmt = insert_for(s.get_bind(), CreditExposureRow.__table__).values(**values)
        if line.principal is None:
            s.execute(stmt.on_conflict_do_nothing(index_elements=["workflow_id"]))
        else:
            s.execute(stmt.on_conflict_do_update(
                index_elements=["workflow_id"],
                set_={"principal": line.principal, "updated_at": values["updated_at"]},
            ))


def others(url: str, credit_code: str, workflow_id: str) -> list[ExposureLine]:
    """The borrower's other journeys that have not ended, by journey id: a running loan with
    the principal it owes, an application with its amount."""
    ended = select(StageEventRow.workflow_id).where(
        StageEventRow.type == EventType.ENTERED.value,
        StageEventRow.stage.in_([s.value for s in TERMINAL]),
    )
    with session(url) as s:
        rows = s.scalars(
            select(CreditExposureRow)
            .where(CreditExposureRow.credit_code == credit_code,
                   CreditExposureRow.workflow_id != workflow_id,
                   CreditExposureRow.workflow_id.not_in(ended))
            .order_by(CreditExposureRow.workflow_id)
        )
        lines = [
            ExposureLine(workflow_id=r.workflow_id, amount=r.amount, running=False)
            if r.principal is None
            else ExposureLine(workflow_id=r.workflow_id, amount=r.principal, running=True)
            for r in rows
        ]
    return [line for line in lines if line.amount > 0]
