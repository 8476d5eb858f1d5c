"""The LPR fixing in force on a day, read for a loan (an offer priced, a loan repriced on it)
from the bank's record (store/lpr.py), and kept as read by the first loan that reads it: on
the fixing, and as its first read (`LprReadRow`), sealed next in the fixings' chain with the
key (kept unsealed without it, which `records verify` then names once the chain is sealed).

With the archive key, the fixing is checked against its seal first, as `records verify`
checks it (store/seal_vouching.py): one changed since it was sealed, or inserted after
sealing began, prices no loan (`FixingSealBroken`, nothing marked). Nor does any fixing when
the key set is not the one the fixings were sealed with (`FixingKeyWrong`): that is said, not
taken for a fixing changed. One kept unsealed before sealing began is read as it is, as
without the key.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from journey.lpr import LprFixing, fixing_in_force
from store.db import session
from store.lpr import CHAIN, LprFixingRow, LprReadRow, as_fixing, read_facts
from store.seal_findings import Finding, Found
from store.seal_key import sealing_key
from store.seal_vouching import fixing_failing
from store.sealed_records import LPR
from store.seals import WrongKey, add_sealed, sealing

WAITING = ("No loan is priced or repriced on it until then: the journeys reading it wait and "
           "retry")


class FixingSealBroken(Exception):
    """The fixing in force fails its seal: no loan is priced or repriced on it."""


class FixingKeyWrong(FixingSealBroken):
    """The fixing in force cannot be checked against its seal: the key set is not the one the
    fixings were sealed with (not a fixing changed). No loan is priced on it either."""


def read_in_force(url: str, day: date, reader: str, key: bytes | None = None
                  ) -> LprFixing | None:
    """The fixing in force on `day` (journey/lpr.py; None: none is), marked as read by
    `reader` when no loan read it before: from then on it is not corrected. With `key`,
    FixingSealBroken, nothing marked, when it fails its seal."""
    with session(url) as s:
        dated = s.scalars(select(LprFixingRow).where(LprFixingRow.fixed_on <= day)).all()
        in_force = fixing_in_force([as_fixing(r) for r in dated], day)
        if in_force is None:
            return None
        row = next(r for r in dated if r.fixed_on == in_force.fixed_on)
        if key is not None:
            _vouched(s, key, row)
        if row.used_by is not None:
            return in_force  # read before: no correction may change it, nothing to write
        fixing_id = row.id
    return _first_read(url, fixing_id, reader[:128], key)


def _first_read(url: str, fixing_id: int, reader: str, key: bytes | None) -> LprFixing:
    """The fixing `fixing_id` as it is once marked read by `reader` and its first read kept
    (none kept again when one is: `records verify` names a fixing that no longer says so),
    sealed with `key` when it is the one the fixings were sealed with, else unsealed."""
    key = sealing_key(url, key, LPR)
    with sealing(url, LprFixingRow.__tablename__) as s:
        now = datetime.now(UTC)
        # marked before its rates are read again: a correction came before, or waits
        marked = s.execute(update(LprFixingRow).where(
            LprFixingRow.id == fixing_id, LprFixingRow.used_by.is_(None),
        ).values(used_by=reader, used_at=now).returning(LprFixingRow.id)).first()
        if marked is not None and s.scalar(select(LprReadRow.id).where(
                LprReadRow.fixing_id == fixing_id)) is None:
            add_sealed(s, key, LprReadRow(fixing_id=fixing_id, read_by=reader, read_at=now),
                       read_facts, CHAIN)
        s.flush()
        s.expire_all()
        return as_fixing(s.get_one(LprFixingRow, fixing_id))


def _vouched(s: Session, key: bytes, row: LprFixingRow) -> None:
    try:
        failing = fixing_failing(s, key, row)
    except WrongKey as err:
        raise FixingKeyWrong(f"the LPR fixing of {row.fixed_on} is not vouched for: {err}. "
                             f"{WAITING}") from None
    if failing is not None:
        raise FixingSealBroken(unvouched(failing, WAITING))


def unvouched(failing: Finding, until: str) -> str:
    """What a fixing that fails its seal (`failing`) means, what to do, and `until` then."""
    fix = (" or, while no loan has read it, correct it with `loan-journey lpr correct`"
           if failing.found is Found.CHANGED else "")
    return (f"{failing.record} fails its seal ({failing.found.value}): {failing.detail}{fix}; "
            f"then run `loan-journey records verify`. {until}")
