"""Business scope (经营范围) checked against the standard expressions licences print (SAMR
经营范围规范表述目录, since 2022: items joined by ；, the scope ending in 。). An item misread by a
character, two items whose separator was lost or merged into the next glyph, and a misread final
。 are put right and said; free text and bracketed notes stay as read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise

TOKENS = re.compile(r"(（[^（）]*）|[；;，,、。：:])")
SEPARATORS = frozenset("；;，,、。：:")
NOT_AN_END = frozenset("；;，,、：:")
END = "。"
ITEM = "；"  # the standard's separator of items
COMMAS = frozenset("，,")  # an older licence's, used throughout its scope
# A repaired scope whose every item is now a standard expression is as sure as the vocabulary
# check: above the 0.6 review threshold, below a clean reading (a misread that lands on another
# expression cannot be seen). Items left as read keep the engine's doubt.
REPAIRED = 0.7
# An item one misread from two expressions is a failed check, as elsewhere on the licence.
DOUBTFUL = 0.3


@dataclass(frozen=True)
class Vocabulary:
    terms: dict[int, tuple[str, ...]]  # by length: the parts of expressions split at 、
    known: frozenset[str]
    joined: frozenset[tuple[str, str]]  # consecutive parts of one expression, printed with 、


@cache
def vocabulary() -> Vocabulary:
    text = files("ocr").joinpath("data/scope_terms.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    expressions = [line.split("、") for line in lines if line and not line.startswith("#")]
    known = frozenset(part for parts in expressions for part in parts)
    by_length: dict[int, list[str]] = {}
    for term in sorted(known):
        by_length.setdefault(len(term), []).append(term)
    return Vocabulary({n: tuple(ts) for n, ts in by_length.items()}, known,
                      frozenset(pair for parts in expressions for pair in pairwise(parts)))


def _budget(term: str) -> int:
    """Characters that may be misread: one in four."""
    return len(term) // 4


def _misreads(read: str, term: str, budget: int) -> int | None:
    wrong = 0
    for a, b in zip(read, term, strict=True):
        wrong += a != b
        if wrong > budget:
            return None
    return wrong


@dataclass(frozen=True)
class Tiling:
    cost: int  # characters misread, stray glyphs included
    ways: tuple[tuple[str, ...], ...]  # the distinct term sequences at that cost (two at most)


def _offer(best: list[Tiling | None], at: int, cost: int, ways: list[tuple[str, ...]]) -> None:
    now = best[at]
    if now is None or cost < now.cost:
        best[at] = Tiling(cost, tuple(dict.fromkeys(ways))[:2])
    elif cost == now.cost:
        best[at] = Tiling(cost, tuple(dict.fromkeys(now.ways + tuple(ways)))[:2])


def _tile(chunk: str, vocab: Vocabulary) -> list[Tiling | None]:
    """Cheapest covers of each prefix of `chunk` by standard terms, each misread within its
    budget; between two terms one stray glyph (a misread separator) may stand."""
    n = len(chunk)
    best: list[Tiling | None] = [None] * (n + 1)
    best[0] = Tiling(0, ((),))
    for i in range(n):
        here = best[i]
        if here is None:
            continue
        for stray in (0, 1) if i else (0,):
            start = i + stray
            for length, terms in vocab.terms.items():
                if start + length > n:
                    continue
                read = chunk[start:start + length]
                for term in terms:
                    wrong = _misreads(read, term, _budget(term))
                    if wrong is not None:
                        _offer(best, start + length, here.cost + stray + wrong,
                               [way + (term,) for way in here.ways])
    return best


@dataclass(frozen=True)
class Item:
    read: str
    text: str
    known: bool  # every part is a standard expression
    doubt: str | None = None


def _join(terms: tuple[str, ...], vocab: Vocabulary, item: str) -> str:
    out = terms[0]
    for a, b in pairwise(terms):
        out += ("、" if (a, b) in vocab.joined else item) + b
    return out


def check_item(chunk: str, last: bool, vocab: Vocabulary, item: str) -> Item:
    """One item between separators; `last` when nothing follows it, so that a final glyph
    after a term may be a misread 。; two items found in it are joined by `item`."""
    if chunk in vocab.known:
        return Item(chunk, chunk, True)
    best = _tile(chunk, vocab)
    whole = best[len(chunk)]
    ends: list[tuple[int, tuple[str, ...], str]] = []
    if whole is not None:
        ends += [(whole.cost, way, "") for way in whole.ways]
    before = best[len(chunk) - 1]
    if last and len(chunk) > 1 and before is not None:
        ends += [(before.cost + 1, way, END) for way in before.ways]
    if not ends:
        return Item(chunk, chunk, False)
    cost = min(e[0] for e in ends)
    readings = [_join(way, vocab, item) + end for c, way, end in ends if c == cost]
    if len(readings) > 1:
        a, b = readings[:2]
        return Item(chunk, chunk, False, f"{chunk!r} is as near to {a!r} as to {b!r}: check it")
    return Item(chunk, readings[0], True)


@dataclass(frozen=True)
class Scope:
    text: str
    problem: str | None
    checked: bool  # every item is a standard expression (bracketed notes are not checked)
    doubtful: bool

    def confidence(self, read: float) -> float:
        """The field's confidence given the engine's for the reading."""
        if self.doubtful:
            return round(min(read, DOUBTFUL), 2)
        if self.problem is None:
            return round(read, 2)
        return REPAIRED if self.checked else round(min(read, REPAIRED), 2)


def _item_separator(tokens: list[str]) -> str:
    """What separates the scope's items on its paper: ， where every separator of items read is
    a comma (an older licence), else the standard's ；."""
    read = [t for t in tokens if t in COMMAS or t in "；;"]
    return "，" if read and all(t in COMMAS for t in read) else ITEM


def repair_scope(text: str) -> Scope:
    """The scope with misread standard items put right; `problem` says what was changed (or
    which item is in doubt), None when the reading stands as it is. Two items whose separator
    was lost are joined by the separator the scope's other items show."""
    vocab = vocabulary()
    tokens = [t for t in TOKENS.split(text) if t]
    item_separator = _item_separator(tokens)
    out: list[str] = []
    changes: list[str] = []
    doubts: list[str] = []
    checked = bool(tokens)
    last_known = False
    for n, token in enumerate(tokens):
        if token in SEPARATORS:
            if n == len(tokens) - 1 and token in NOT_AN_END and last_known:
                changes.append(f"the final {token!r} as {END!r}")
                token = END
            out.append(token)
            continue
        if token.startswith("（"):
            checked, last_known = False, False
            out.append(token)
            continue
        item = check_item(token, n == len(tokens) - 1, vocab, item_separator)
        if item.text != item.read:
            changes.append(f"{item.read!r} as {item.text!r}")
        if item.doubt:
            doubts.append(item.doubt)
        checked = checked and item.known
        last_known = item.known
        out.append(item.text)
    if out and last_known and not out[-1].endswith(END):
        changes.append(f"the missing final {END!r} added")
        out.append(END)
    said = []
    if changes:
        said.append(f"read {text!r}; corrected against the standard scope expressions: "
                    + ", ".join(changes))
    said += doubts
    return Scope("".join(out), "; ".join(said) or None, checked, bool(doubts))
