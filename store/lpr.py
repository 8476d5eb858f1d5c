"""LPR fixings as the bank records them (journey/lpr.py): one row per fixing date.

A published fixing never changes, so a date is recorded once: the same fixing again is
taken as recorded, a different one for the same date is refused (journey/lpr_record.py).
Each row keeps the first loan that read it (store/lpr_in_force.py: priced or repriced on it); until
one has, a supervisor may correct a typo, and the values it replaced are kept with who
corrected them and why (`lpr_fixing_corrections`).

With the archive key, the fixings and their corrections are one chain of seals
(store/seals.py): a fixing is sealed as recorded, a correction as made, and the fixing it
corrects sealed again, next, over its new rates (one kept unsealed, before the key, stays so
until a supervisor seals it); the correction keeps the seal it replaced, which the chain
still covers. A fixing's first read by a loan, which freezes it, is kept as its own record in
the chain too (`LprReadRow`, store/lpr_in_force.py), sealed by a worker with the key: the
fixing's `used_by` set to NULL in the database no longer lets it be corrected unseen. Once one
is sealed, nothing is recorded or corrected without the key (`KeyRequired`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    exists,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from journey.lpr import LprFixing
from journey.lpr_record import LprCorrection, RecordedFixing
from store.db import session
from store.models import Base, BigId
from store.seals import (
    KEY_SETTING,
    KeyRequired,
    add_sealed,
    any_sealed,
    replaced_seal,
    seal_next,
    sealing,
)
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
    seal: Mapped[str | None] = mapped_column(String(64))  # None: recorded unsealed
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
    seal: Mapped[str | None] = mapped_column(String(64))  # None: made unsealed
    replaced_seal: Mapped[str | None] = mapped_column(String(64))  # the fixing's, before


class LprReadRow(Base):
    """The first read of a fixing by a loan (an offer priced, a loan repriced on it), as its
    fixing's `used_by` and `used_at` first said: from then on it is not corrected."""

    __tablename__ = "lpr_fixing_reads"
    __table_args__ = (UniqueConstraint("fixing_id", name="uq_lpr_fixing_reads_fixing_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fixing_id: Mapped[int] = mapped_column(ForeignKey("lpr_fixings.id"))
    read_by: Mapped[str] = mapped_column(String(128))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seal: Mapped[str | None] = mapped_column(String(64))  # None: read unsealed


# replaced seals are older than these
CHAIN = [LprFixingRow.seal, LprCorrectionRow.seal, LprReadRow.seal]


def fixing_facts(row: LprFixingRow) -> list[object]:
    """What a fixing's seal covers: the fixing as recorded (or corrected), not who read it."""
    return [row.id, row.fixed_on.isoformat(), str(row.one_year), str(row.five_year),
            row.recorded_by, row.recorded_at.astimezone(UTC).isoformat()]


def correction_facts(row: LprCorrectionRow) -> list[object]:
    """What a correction's seal covers: the whole row but its seal."""
    return [row.id, row.fixing_id, str(row.one_year), str(row.five_year), row.corrected_by,
            row.reason, row.corrected_at.astimezone(UTC).isoformat(), row.replaced_seal]


def read_facts(row: LprReadRow) -> list[object]:
    """What a first read's seal covers: the whole row but its seal."""
    return [row.id, row.fixing_id, row.read_by, row.read_at.astimezone(UTC).isoformat()]


def _key_checked(s: Session, key: bytes | None) -> None:
    if key is None and any(any_sealed(s, column) for column in CHAIN):
        raise KeyRequired(f"the LPR fixings are sealed: set {KEY_SETTING} to record or correct "
                          "one (one unsealed among them would be one nobody vouches for)")


def as_fixing(row: LprFixingRow) -> LprFixing:
    return LprFixing(fixed_on=row.fixed_on, one_year=row.one_year, five_year=row.five_year,
                     recorded_by=row.recorded_by)


def _recorded(row: LprFixingRow) -> RecordedFixing:
    return RecordedFixing(
        fixing=as_fixing(row), recorded_at=row.recorded_at, used_by=row.used_by,
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
        return None if row is None else as_fixing(row)


def recorded_fixing(url: str, day: date) -> RecordedFixing | None:
    """The fixing recorded for `day` itself, as the record keeps it, if any."""
    with session(url) as s:
        row = s.scalars(select(LprFixingRow).where(LprFixingRow.fixed_on == day)).first()
        return None if row is None else _recorded(row)


def add_fixing(url: str, fixing: LprFixing, key: bytes | None = None) -> bool:
    """Record `fixing`, sealed with `key` when given; False when its date was recorded
    meanwhile (nothing written). KeyRequired, nothing written, when `key` is None and the
    fixings are sealed."""
    try:
        with sealing(url, LprFixingRow.__tablename__) as s:
            _key_checked(s, key)
            row = LprFixingRow(**fixing.model_dump(), recorded_at=datetime.now(UTC))
            s.add(row)
            s.flush()  # a date recorded meanwhile: refused here
            if key is not None:
                seal_next(s, key, row, fixing_facts, CHAIN)
        return True
    except IntegrityError:
        return False


def correct_fixing(url: str, was: LprFixing, corrected: LprFixing, by: str, reason: str,
                   key: bytes | None = None) -> bool:
    """Correct the fixing `was` to `corrected`'s rates, keeping `was`'s with `by` and
    `reason` (and the fixing's seal); with `key`, the correction sealed, then the fixing
    again if it was sealed. False when it was read by a loan (its fixing marked so, or its
    first read kept) or changed meanwhile (nothing
    written); KeyRequired, nothing written, when `key` is None and the fixings are sealed."""
    with sealing(url, LprFixingRow.__tablename__) as s:
        _key_checked(s, key)
        unread = (LprFixingRow.fixed_on == was.fixed_on, LprFixingRow.used_by.is_(None),
                  ~exists().where(LprReadRow.fixing_id == LprFixingRow.id),
                  LprFixingRow.one_year == was.one_year,
                  LprFixingRow.five_year == was.five_year)
        row = s.scalars(select(LprFixingRow).where(*unread)).first()
        if row is None:
            return False
        # its seal checked before the correction changes it (a first read waits on the lock)
        kept = replaced_seal(s, key, row, fixing_facts, CHAIN, "LPR fixing")
        done = s.execute(update(LprFixingRow).where(*unread)
                         .values(one_year=corrected.one_year, five_year=corrected.five_year)
                         .returning(LprFixingRow.id, LprFixingRow.seal)).first()
        if done is None:
            return False
        correction = LprCorrectionRow(
            fixing_id=done.id, one_year=was.one_year, five_year=was.five_year, corrected_by=by,
            reason=reason, corrected_at=datetime.now(UTC), replaced_seal=kept)
        add_sealed(s, key, correction, correction_facts, CHAIN)
        if key is not None and done.seal is not None:  # one kept unsealed is sealed by a
            # supervisor (store/unsealed_rows.py), not in passing
            seal_next(s, key, s.get_one(LprFixingRow, done.id), fixing_facts, CHAIN)
        return True


def fixings(url: str) -> list[RecordedFixing]:
    """The fixings recorded, oldest first, with who read and who corrected them."""
    with session(url) as s:
        return [_recorded(r) for r in
                s.scalars(select(LprFixingRow).order_by(LprFixingRow.fixed_on))]
