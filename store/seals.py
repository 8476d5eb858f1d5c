"""Seals that chain: the bank's records made tamper-evident with one key.

A seal ("2:<position>:<mac>") is an HMAC-SHA256, with the archive key, of a row's facts, its
position in its chain's order of sealing (1, 2, ...) and the seal before it ("" for the
first). A row changed by someone without the key no longer matches its seal; a sealed row
deleted leaves the one sealed after it without the seal it covers. Only the newest sealed
rows' deletion goes unseen by the chain: the archivist's anchor of each chain's head, kept in
its history (store/chain_anchors.py), tells it for the rows sealed before its last pass, a
backup for the others. Each chain is extended by one
sealer at a time (`sealing`). The archive's histories (store/archive.py) are one chain; the
LPR fixings with their corrections, the refused attempts, the pending instructions
(store/pending.py), the money returned to its payers (store/payer_returns.py), the refunds
and returns entered for their checker (store/payer_outflows.py), the ledger's
bookings (store/ledger.py), the borrowers' credit exposures (store/exposure.py), the
outbox's notices (store/outbox.py), the credit codes' renames (store/code_names.py), the
payment references claimed (store/payment_references.py), the stage events (store/timing.py),
the document readings (store/reading_seals.py), the scan erasures (store/scan_erasures.py) and
the policies the workers recorded (store/policies.py) are one each (store/seal_check.py checks
them).

A row sealed again as the engine changes it keeps its former seal in its change's row
(`replaced_seal`), checked first: one that no longer matches it was changed in the database,
and its change keeps that seal marked found changed, so that `records verify` still names it.

When such a chain's first row is sealed, the rows its tables held unsealed then (kept before
the key) are listed in its baseline (`SealBaselineRow`), sealed with the key, and the first
row's seal covers the baseline's: an unsealed row the baseline does not list was written
after sealing began, whatever its id. A chain sealed before baselines were kept has none.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import String, Text, func, select, text
from sqlalchemy.orm import InstrumentedAttribute, Mapped, Session, mapped_column

from store.db import file_lock, ready, sqlite_file
from store.models import Base

KEY_SETTING = "LOAN_JOURNEY_ARCHIVE_KEY"
CHAINED = "2:"
_POSITION_DIGITS = 12  # fixed width: the newest seal is the greatest string
# after the seal a change keeps of the row it seals again (`replaced_seal`): the row no longer
# matched that seal then, changed in the database since it was sealed (`replaced_seal`)
FOUND_CHANGED = "!"
Column = InstrumentedAttribute[str | None]
_log = logging.getLogger(__name__)


class KeyRequired(Exception):
    """A chain holds sealed rows, and no key is set to seal one more."""


class WrongKey(KeyRequired):
    """The key set is not the one a chain was sealed with: a row sealed with it would never
    pass its check, and none of the chain's rows can be checked with it."""


def another_key(records: str, then: str, fix: str = "set it as the workers have it"
                ) -> WrongKey:
    """WrongKey for `records` sealed with another key than the one set: `then` says what came
    of it (nothing written, nothing delivered), `fix` what to do."""
    return WrongKey(f"{KEY_SETTING} is not the key the {records} were sealed with: {then}; "
                    f"{fix}")


class SealBaselineRow(Base):
    """The rows a chain's tables held unsealed when its first row was sealed, by table."""

    __tablename__ = "seal_baselines"

    chain: Mapped[str] = mapped_column(String(64), primary_key=True)  # its first table's name
    ids: Mapped[str] = mapped_column(Text)  # JSON: {"table": [id, ...]}
    seal: Mapped[str] = mapped_column(String(64))  # at position 0, covering `ids`


def chained(key: bytes, facts: list[object], position: int, previous: str) -> str:
    """The seal of the row of `facts` sealed at `position` after the one sealed `previous`
    ("" for the first)."""
    mac = hmac.new(key, json.dumps([*facts, position, previous]).encode("utf-8"),
                   hashlib.sha256).digest()
    return (f"{CHAINED}{position:0{_POSITION_DIGITS}d}:"
            f"{base64.urlsafe_b64encode(mac).decode().rstrip('=')}")


def position_of(seal: str | None) -> int | None:
    """A chained seal's position; None for a version 1 seal, none, or one not of either form
    (which then fails its check as a version 1 seal would)."""
    parts = (seal or "").split(":")
    if len(parts) != 3 or f"{parts[0]}:" != CHAINED or not parts[1].isdigit():
        return None
    return int(parts[1])


def chain_of(seals: Iterable[str | None], baseline: str = "") -> dict[int, str]:
    """The chained seals by position, with the chain's baseline's seal ("" when it has none)
    at 0: what the first seal covers."""
    chain = {0: baseline}
    for seal in seals:
        position = position_of(seal)
        if position is not None and seal is not None:
            chain[position] = seal
    return chain


def matches(key: bytes, facts: list[object], seal: str, chain: dict[int, str]) -> bool:
    """Whether `seal` is the chained seal of `facts` after the seal before it in `chain`
    (False too when that one is missing)."""
    position = position_of(seal)
    if position is None or position - 1 not in chain:
        return False
    return hmac.compare_digest(seal, chained(key, facts, position, chain[position - 1]))


@contextmanager
def sealing(url: str, name: str) -> Iterator[Session]:
    """A transaction that alone may extend the chain `name`: one sealer at a time (a lock
    file beside a SQLite file, an advisory lock on PostgreSQL)."""
    engine = ready(url)
    with file_lock(sqlite_file(url), f"{name}.seal"), Session(engine) as s, s.begin():
        if engine.dialect.name == "postgresql":
            s.execute(text(f"SELECT pg_advisory_xact_lock(hashtext('{name} seal'))"))
        yield s


def chain_end(s: Session, columns: Iterable[Column]) -> tuple[int, str]:
    """The newest chained seal in `columns` (one chain's), its position and the seal itself
    ((0, "") before the first)."""
    newest = max((s.scalar(select(func.max(c)).where(c.like(f"{CHAINED}%"))) or ""
                  for c in columns), default="")
    return (position_of(newest) or 0, newest) if newest else (0, "")


def seal_at(s: Session, columns: Iterable[Column], position: int) -> str | None:
    """The chained seal at `position` in `columns`, if one holds it (a seal a change keeps
    marked found changed, as the seal it is)."""
    # a range between two positions' prefixes, not LIKE 'prefix%': the seal's index serves it
    # (PostgreSQL's default collation and SQLite's case-blind LIKE serve no LIKE by an index,
    # and the seal read as a row is sealed again would scan the table); both bounds have the
    # seals' own form, so any collation orders them by position
    at, after = (f"{CHAINED}{p:0{_POSITION_DIGITS}d}:" for p in (position, position + 1))
    return next((kept_seal(seal) for c in columns
                 if (seal := s.scalars(select(c).where(c >= at, c < after).limit(1)).first())),
                None)


def kept_seal(replaced: str) -> str:
    """The seal a change keeps of the row it sealed again (`replaced_seal`), unmarked."""
    return replaced.removesuffix(FOUND_CHANGED)


def found_changed(replaced: str | None) -> bool:
    """Whether a change's `replaced_seal` says its row no longer matched that seal when the
    change sealed it again (`replaced_seal`)."""
    return replaced is not None and replaced.endswith(FOUND_CHANGED)


def replaced_seal(s: Session, key: bytes | None, row: Any,
                  facts: Callable[[Any], list[object]], columns: Iterable[Column],
                  name: str) -> str | None:
    """The seal `row` holds, for the change that seals it again (or deletes it) to keep,
    checked first with `key` over the row as the database holds it and the seal before it in
    the chain of `columns` (held by a row, or kept by a change): every table sealed again on
    change keeps its change's seal through here. A row that no longer matches its seal was
    changed in the database since it was sealed, and sealing it again over it would hide
    that: its seal is kept marked `FOUND_CHANGED`, under the change's own seal, so `records
    verify` reports the row (`name` #id) CHANGED, found changed when the engine next wrote
    it, and a warning is logged; the write goes on (the journey is not failed by it). Without
    `key`, or with the seal before it missing (its deletion is what `records verify` says), it
    is kept as it is, unchecked."""
    seal = row.seal
    position = position_of(seal)
    if key is None or seal is None or position is None:
        return seal
    columns = list(columns)
    holders = [*columns, *(r for c in columns
                           if (r := getattr(c.class_, "replaced_seal", None)) is not None)]
    if position > 1:
        before = seal_at(s, holders, position - 1)
    else:  # the first covers the chain's baseline, when it has one
        before = baseline.seal if (baseline := baseline_of(s, columns)) is not None else ""
    if before is None or matches(key, facts(row), seal, {position - 1: before}):
        return seal
    _log.warning("%s #%s no longer matches its seal: it was changed in the database since "
                 "it was sealed; sealed again with the engine's change, and kept found "
                 "changed for `loan-journey records verify`", name, row.id)
    return f"{seal}{FOUND_CHANGED}"


def any_sealed(s: Session, column: Column) -> bool:
    return s.scalars(select(column).where(column.is_not(None)).limit(1)).first() is not None


def sealed_in(url: str, column: Column) -> bool:
    """Whether a row is kept sealed in the chain of `column`: from then on, one kept without
    the key is reported (`records verify`: inserted)."""
    with Session(ready(url)) as s:
        return any_sealed(s, column)


def add_sealed(s: Session, key: bytes | None, row: Any,
               facts: Callable[[Any], list[object]], columns: Iterable[Column]) -> None:
    """Add `row` (inside `sealing`), sealed next in the chain of `columns` when there is a
    `key`, unsealed without one."""
    s.add(row)
    if key is not None:
        seal_next(s, key, row, facts, columns)


def seal_next(s: Session, key: bytes, row: Any, facts: Callable[[Any], list[object]],
              columns: Iterable[Column]) -> None:
    """Seal `row` next in the chain of `columns` (inside `sealing`): over its facts as the
    database now holds them, read back, as a check reads them."""
    s.flush()
    s.refresh(row)
    seal_rows(s, key, [row], facts, columns)


def seal_rows(s: Session, key: bytes, rows: list[Any], facts: Callable[[Any], list[object]],
              columns: Iterable[Column]) -> None:
    """Seal `rows`, as read from the database, next in the chain of `columns` in their order
    (inside `sealing`): the chain's end read once for them all, as a batch of stage events
    is written."""
    if not rows:
        return
    columns = list(columns)
    position, previous = chain_end(s, columns)
    if position == 0:
        previous = _baseline_kept(s, key, rows, columns).seal
    for row in rows:
        position += 1
        row.seal = previous = chained(key, facts(row), position, previous)
    s.flush()


def baseline_facts(row: SealBaselineRow) -> list[object]:
    return ["baseline", row.chain, row.ids]


def baseline_of(s: Session, columns: Iterable[Column]) -> SealBaselineRow | None:
    """The baseline of the chain of `columns`; None when it was sealed before baselines."""
    return s.get(SealBaselineRow, _chain_name(list(columns)))


def baseline_ids(baseline: SealBaselineRow, table: str) -> set[int] | None:
    """The rows of `table` `baseline` lists; None when `table` was not in the chain then."""
    ids = json.loads(baseline.ids)
    return set(ids[table]) if table in ids else None


def _baseline_kept(s: Session, key: bytes, first: list[Any], columns: Iterable[Column]
                   ) -> SealBaselineRow:
    """The chain's baseline, kept as its first rows `first` are sealed: every row unsealed in
    its tables but those."""
    columns, sealed = list(columns), {(row.__tablename__, row.id) for row in first}
    ids = {c.class_.__tablename__: [
        i for i in s.scalars(select(c.class_.id).where(c.is_(None)).order_by(c.class_.id))
        if (c.class_.__tablename__, i) not in sealed] for c in columns}
    baseline = SealBaselineRow(chain=_chain_name(columns), ids=json.dumps(ids))
    baseline.seal = chained(key, baseline_facts(baseline), 0, "")
    s.merge(baseline)  # one left by a chain whose sealed rows were all deleted: replaced
    return baseline


def _chain_name(columns: list[Column]) -> str:
    return str(columns[0].class_.__tablename__)
