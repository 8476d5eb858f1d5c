"""LPR fixings as the bank records them (journey/lpr.py): one row per fixing date.

A published fixing never changes, so a date is recorded once: the same fixing again is
taken as recorded, a different one for the same date is refused (journey/lpr_record.py).
Each row keeps the first loan that read it (`read_in_force`, priced or repriced on it); until
one has, a supervisor may correct a typo, and the values it replaced are kept with who
corrected them and why (`lpr_fixing_corrections`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from journey.lpr import LprFixing, fixing_in_force
from journey.lpr_record import LprCorrection, RecordedFixing
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
    # the first journey that read the fixing (an offer priced, a loan repriced on it)
    used_by: Mapped[str | None] = mapped_column(String(128), nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    corrections: Mapped[list[LprCorrectionRow]] = relationship(
        order_by="LprCorrectionRow.id", lazy="selectin")


class LprCorrectionRow(Base):
    """A correction of a recorded fixing: the values it replaced, who and why."""

    __tablename__ = "lpr_fixing_corrections"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fixing_id: Mapped[int] = mapped_column(ForeignKey("lpr_fixings.id"), index=True)
    one_year: Mapped[Decimal] = mapped_column(YearlyRate)
    five_year: Mapped[Decimal] = mapped_column(YearlyRate)
    corrected_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    corrected_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _fixing(row: LprFixingRow) -> LprFixing:
    return LprFixing(fixed_on=row.fixed_on, one_year=row.one_year, five_year=row.five_year,
                     recorded_by=row.recorded_by)


def _recorded(row: LprFixingRow) -> RecordedFixing:
    return RecordedFixing(
        fixing=_fixing(row), recorded_at=row.recorded_at, used_by=row.used_by,
        used_at=row.used_at,
        corrections=[LprCorrection.model_validate(c, from_attributes=True)
                     for c in row.corrections])


def fixing_in_month(url: str, day: date) -> LprFixing | None:
    """The fixing recorded in `day`'s month, if any."""
    first = day.replace(day=1)
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    with session(url) as s:
        row = s.scalars(select(LprFixingRow).where(LprFixingRow.fixed_on >= first,
                                                   LprFixingRow.fixed_on < after)).first()
        return None if row is None else _fixing(row)


def recorded_fixing(url: str, day: date) -> RecordedFixing | None:
    """The fixing recorded for `day` itself, as the record keeps it, if any."""
    with session(url) as s:
        row = s.scalars(select(LprFixingRow).where(LprFixingRow.fixed_on == day)).first()
        return None if row is None else _recorded(row)


def add_fixing(url: str, fixing: LprFixing) -> bool:
    """Record `fixing`; False when its date was recorded meanwhile (nothing written)."""
    try:
        with session(url) as s:
            s.add(LprFixingRow(**fixing.model_dump(), recorded_at=datetime.now(UTC)))
        return True
    except IntegrityError:
        return False


def correct_fixing(url: str, was: LprFixing, corrected: LprFixing, by: str, reason: str
                   ) -> bool:
    """Correct the fixing `was` to `corrected`'s rates, keeping `was`'s with `by` and
    `reason`; False when it was read by a loan or changed meanwhile (nothing written)."""
    with session(url) as s:
        done = s.execute(update(LprFixingRow).where(
            LprFixingRow.fixed_on == was.fixed_on, LprFixingRow.used_by.is_(None),
            LprFixingRow.one_year == was.one_year, LprFixingRow.five_year == was.five_year,
        ).values(one_year=corrected.one_year, five_year=corrected.five_year)
            .returning(LprFixingRow.id)).scalars().first()
        if done is None:
            return False
        s.add(LprCorrectionRow(fixing_id=done, one_year=was.one_year, five_year=was.five_year,
                               corrected_by=by, reason=reason, corrected_at=datetime.now(UTC)))
        return True


def read_in_force(url: str, day: date, reader: str) -> LprFixing | None:
    """The fixing in force on `day` (journey/lpr.py; None: none is), marked as read by
    `reader` when no loan read it before: from then on it is not corrected."""
    with session(url) as s:
        dated = s.scalars(select(LprFixingRow).where(LprFixingRow.fixed_on <= day)).all()
        in_force = fixing_in_force([_fixing(r) for r in dated], day)
        if in_force is None:
            return None
        if next(r for r in dated if r.fixed_on == in_force.fixed_on).used_by is not None:
            return in_force  # read before: no correction may change it, nothing to write
        this = LprFixingRow.fixed_on == in_force.fixed_on
        # marked before its rates are read again: a correction came before, or waits
        s.execute(update(LprFixingRow).where(this, LprFixingRow.used_by.is_(None))
                  .values(used_by=reader[:128], used_at=datetime.now(UTC)))
        s.expire_all()
        return _fixing(s.scalars(select(LprFixingRow).where(this)).one())


def fixings(url: str) -> list[RecordedFixing]:
    """The fixings recorded, oldest first, with who read and who corrected them."""
    with session(url) as s:
        return [_recorded(r) for r in
                s.scalars(select(LprFixingRow).order_by(LprFixingRow.fixed_on))]
