"""Which facts of a row that fails its seal changed, and what they were when it was sealed.

A seal is one HMAC over all the facts of its row (store/seals.py): it says that the row
changed, never which fact, and the value sealed cannot be read back from it. What can be said
honestly is what other records give: the journey's own history (the application in its
started event, who its accepted updates name) and the rows sealed beside it (a line's newest
change of its principal). Each such value is a candidate; the seal decides. A candidate put in
place of the row's value, alone or with others, that makes the seal match again is the value
sealed, confirmed by the seal: the fact is named with both values. A candidate the seal
confirms in no combination is no evidence of what was sealed (other facts the seal covers
changed too, or the history itself did): the fact is named as differing from where the
candidate was read, without claiming the sealed value. A fact's small domain (a stage event's
stage or type) may be tried the same way, never named unless the seal confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product
from typing import Any

from store.sealed_records import SealedTable
from store.seals import matches

TRIES = 5000  # HMACs per row at most: the combinations of a few facts' candidates


@dataclass(frozen=True)
class Candidate:
    """A value a fact of the row may have had when it was sealed, and where it was read."""

    fact: str  # the row's attribute: "amount", "actor"
    value: object
    where: str | None  # "the application in the history's started event (event 1) of run R";
    # None: only one of the fact's few possible values, tried, never named unless confirmed


class _Restored:
    """The row with some facts put back to candidates: what its facts function reads."""

    def __init__(self, row: Any, values: dict[str, object]) -> None:
        self._row, self._values = row, values

    def __getattr__(self, name: str) -> object:
        return self._values[name] if name in self._values else getattr(self._row, name)


def changed_facts(key: bytes, table: SealedTable, row: Any, seals: dict[int, str],
                  candidates: list[Candidate]) -> str | None:
    """What changed in `row` of `table`, which fails its seal over `seals` (the seal before it
    held): the facts the seal confirms with their sealed values, else those that differ from
    the records their candidates were read in; None when nothing can be said."""
    differing: dict[str, list[Candidate]] = {}
    for c in candidates:
        if c.value != getattr(row, c.fact):
            differing.setdefault(c.fact, []).append(c)
    confirmed = _confirmed(key, table, row, seals, differing)
    if confirmed is not None:
        return "; ".join(
            f"{c.fact} changed: {_shown(getattr(row, c.fact))} in the database, "
            f"{_shown(c.value)} when sealed"
            + (f" (given by {c.where})" if c.where else "") + ", which its seal confirms"
            for c in confirmed)
    named = {fact: [c for c in cs if c.where] for fact, cs in differing.items()}
    said = [f"{fact} differs from {', '.join(sorted({c.where or '' for c in cs}))}"
            for fact, cs in named.items() if cs and len(cs) == len(_all(candidates, fact))]
    if not said:
        return None
    return ("; ".join(said) + " (its seal confirms none of those values: other facts it covers "
            "changed too, or the history did)")


def _all(candidates: list[Candidate], fact: str) -> list[Candidate]:
    """The candidates given with a place for `fact`: the row differs from each of them."""
    return [c for c in candidates if c.fact == fact and c.where]


def _confirmed(key: bytes, table: SealedTable, row: Any, seals: dict[int, str],
               differing: dict[str, list[Candidate]]) -> list[Candidate] | None:
    """The fewest candidates, one per fact, that make `row`'s seal match in its place; None
    when none do within TRIES."""
    tries = 0
    for size in range(1, len(differing) + 1):
        for facts in combinations(sorted(differing), size):
            for chosen in product(*(differing[f] for f in facts)):
                tries += 1
                if tries > TRIES:
                    return None
                restored = _Restored(row, {c.fact: c.value for c in chosen})
                if matches(key, table.facts(restored), row.seal, seals):
                    return list(chosen)
    return None


def _shown(value: object) -> str:
    return "none" if value is None else str(value)
