"""Which facts of a journey's sealed rows changed, where their seals say only that they did:
each row of the journey that fails its seal (its exposure line, stage exits, ledger bookings)
held to what its run's history says of the same facts, and to the rows sealed beside it
(store/sealed_fields.py says what is claimed, and when): what `records verify` adds to the
row's CHANGED finding, which it reads every history for already.

- the exposure line: its amount and credit code against the application in the history's
  started event, its amount against the run's last amendment too; its principal, time (and
  amount, an amendment's) against its newest change, sealed beside it, which the line was
  sealed again over;
- a stage exit: its actor against each actor the run's accepted updates name; its stage and
  whether it entered or left tried over the few a journey has;
- a ledger booking: its amount and payee against the payout the history booked under its
  booking id.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from journey.stages import Stage
from journey.timeline import EventType
from starter.history_told import HistoryTold
from store.journey_sealed import Held, JourneySealed, Vouched
from store.seal_findings import Found, RecordsCheck
from store.sealed_fields import Candidate, changed_facts


def facts_changed(key: bytes, said: HistoryTold, sealed: JourneySealed,
                  unnamed: Callable[[Any], bool]) -> dict[str, str]:
    """What changed in each of `sealed`'s rows that fail their seals, by the row's name (as
    `records verify` names it); a row nothing can be said of is left out. `unnamed`: whether
    a stage exit names a decider the run's accepted updates do not (the cross-check's)."""
    found: dict[str, str] = {}
    for held, candidates in _candidates(said, sealed, unnamed):
        if held.vouched is Vouched.FAILS and (
                what := changed_facts(key, held.table, held.row, held.seals, candidates)):
            found[held.name] = what
    return found


def _candidates(said: HistoryTold, sealed: JourneySealed, unnamed: Callable[[Any], bool]
                ) -> list[tuple[Held, list[Candidate]]]:
    run = f"run {said.run_id}"
    out: list[tuple[Held, list[Candidate]]] = []
    if sealed.line is not None:
        out.append((sealed.line, _line(said, sealed, run)))
    named = sorted({a.actor for a in said.acted})
    out += [(held, _exit(named, run, unnamed(held.row))) for held in sealed.exits]
    booked = {b.booking_id: b for b in said.booked}
    for held in sealed.bookings:
        if (b := booked.get(held.row.booking_id)) is not None:
            where = f"the payout booked at event {b.event_id} of {run}"
            out.append((held, [Candidate("amount", b.amount, where),
                               Candidate("payee", b.payee, where)]))
    return out


def _line(said: HistoryTold, sealed: JourneySealed, run: str) -> list[Candidate]:
    candidates = []
    if said.applied is not None:
        where = f"the application in the history's started event (event 1) of {run}"
        candidates += [Candidate("amount", said.applied.amount, where),
                       Candidate("credit_code", said.applied.credit_code, where)]
    if said.amended:
        last = said.amended[-1]
        candidates.append(Candidate("amount", last.amount, f"the amendment accepted at event "
                                                           f"{last.event_id} of {run}"))
    if (change := sealed.line_change) is not None:
        where = f"credit exposure change #{change.id}, which the line was sealed again over"
        candidates += [Candidate("principal", change.principal, where),
                       Candidate("updated_at", change.changed_at, where)]
        if change.amount is not None:
            candidates.append(Candidate("amount", change.amount, where))
    return candidates


def _exit(named: list[str], run: str, unnamed: bool) -> list[Candidate]:
    """A stage exit's candidates: the actors the run's accepted updates name (the place its
    actor differs from only where it names a decider that none of them names, `unnamed`),
    and the stages and types a stage event may have."""
    where = f"the accepted updates of {run}" if unnamed else None
    return ([Candidate("actor", actor, where) for actor in named]
            + [Candidate("stage", s.value, None) for s in Stage]
            + [Candidate("type", t.value, None) for t in EventType])


def with_facts(checks: list[RecordsCheck], changed: list[dict[str, str]]) -> None:
    """Each CHANGED finding of `checks` whose row `changed` (one per history read) says what
    changed in, told so first in its detail."""
    said: dict[str, list[str]] = {}
    for of_run in changed:
        for name, what in of_run.items():
            if what not in said.setdefault(name, []):
                said[name].append(what)
    for check in checks:
        for f in check.findings:
            if f.found is Found.CHANGED and f.record in said:
                f.detail = f"{'; '.join(said[f.record])}; {f.detail}"
