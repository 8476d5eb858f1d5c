"""LPR fixings as the bank records them (journey/lpr.py): one row per fixing date.

A published fixing never changes, so a date is recorded once: the same fixing again is
taken as recorded, a different one for the same date is refused (`fixing_refusal`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Date, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from journey.lpr import LprFixing
from store.db import session
from store.models import Base, BigId
from store.types import UTCDateTime, YearlyRate


class LprFixingRow(Base):
    __tablename__ = "lpr_fixings"
    __table_args__ = (UniqueConstraint("fixed_on", name="uq_lpr_fixings_fixed_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fixed_on: Mapped[date] = mapped_column(Date)
    one_year: Mapped[Decimal] = mapped_column(YearlyRate)
    five_year: Mapped[Decimal] = mapped_column(YearlyRate)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _fixing(row: LprFixingRow) -> LprFixing:
    return LprFixing(fixed_on=row.fixed_on, one_year=row.one_year, five_year=row.five_year,
                     recorded_by=row.recorded_by)


def fixing_of(url: str, day: date) -> LprFixing | None:
    """The fixing recorded for `day` itself, if any."""
    with session(url) as s:
        row = s.scalars(select(LprFixingRow).where(LprFixingRow.fixed_on == day)).first()
        return None if row is None else _fixing(row)


def add_fixing(url: str, fixing: LprFixing) -> bool:
    """Record `fixing`; False when its date was recorded meanwhile (nothing written)."""
    try:
        with session(url) as s:
            s.add(LprFixingRow(**fixing.model_dump(), recorded_at=datetime.now(UTC)))
        return True
    except IntegrityError:
        return False


def fixings(url: str, up_to: date | None = None) -> list[LprFixing]:
    """The fixings recorded (dated on or before `up_to` when given), oldest first."""
    query = select(LprFixingRow).order_by(LprFixingRow.fixed_on)
    if up_to is not None:
        query = query.where(LprFixingRow.fixed_on <= up_to)
    with session(url) as s:
        return [_fixing(r) for r in s.scalars(query)]
