"""Totals that must add up: they confirm figures, fill a missing one, put a misread one right
and flag one that does not fit.

A figure is *confirmed* when an equation it takes part in holds with every member read, and
*sure* when confirmed or read cleanly (digit groups well formed, the engine at least SURE). A
missing figure is derived, and a weak reading replaced, only from sure figures; a reading the
arithmetic contradicts and nothing puts right keeps its value with low confidence and a problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from journey.documents import PART_BOUNDS, DocumentKind, FinancialStatement
from ocr._segments import Box

Rule = tuple[str, list[tuple[int, str]]]  # (total, [(sign, part), ...]): total = sum(sign * part)
Reread = Callable[["Figure"], list[Decimal]]

RULES: dict[DocumentKind, list[Rule]] = {
    DocumentKind.BALANCE_SHEET: [
        ("total_assets", [(1, "current_assets"), (1, "noncurrent_assets")]),
        ("total_assets", [(1, "total_liabilities"), (1, "total_equity")]),
        ("total_liab_equity", [(1, "total_liabilities"), (1, "total_equity")]),
        ("total_assets", [(1, "total_liab_equity")]),
        ("total_liabilities", [(1, "current_liabilities"), (1, "noncurrent_liabilities")]),
    ],
    DocumentKind.INCOME_STATEMENT: [
        ("total_profit", [(1, "operating_profit"), (1, "nonop_income"), (-1, "nonop_expense")]),
        ("net_profit", [(1, "total_profit"), (-1, "income_tax")]),
    ],
}
SECTION_TOTALS = ("current_assets", "noncurrent_assets", "current_liabilities",
                  "noncurrent_liabilities", "total_equity")
ITEMS = ("cash",)  # fields that are rows of a section, not totals
SURE = 0.8  # engine confidence of a cleanly read figure
DERIVED, CORRECTED, CONTRADICTED = 0.5, 0.8, 0.3  # confidence of a figure the totals decided


@dataclass
class Figure:
    value: Decimal
    conf: float  # 0..1
    well_formed: bool
    box: Box | None = None  # where it was read, to read it again
    column_doubt: str | None = None  # why its column may not be the current period's


@dataclass
class Line:
    """One label's row on one side of the statement, in reading order."""

    side: int
    field: str | None  # what its label stands for
    heading: str | None = None  # the subtotal whose section its label opens
    figure: Figure | None = None  # the current-period figure
    sign: int = 1  # -1 for a row to subtract (减：), 0 for a part of the row above (其中：)


@dataclass
class _State:
    values: dict[str, Decimal]
    figures: dict[str, Figure]
    rules: list[Rule]
    decided: set[str] = field(default_factory=set)  # derived or corrected from sure figures
    readings: dict[str, list[Decimal]] = field(default_factory=dict)  # read again, by name


def _members(rule: Rule) -> list[str]:
    return [rule[0]] + [p for _, p in rule[1]]


def _holds(rule: Rule, values: dict[str, Decimal]) -> bool | None:
    """Whether the rule holds; None while a member is missing."""
    if any(m not in values for m in _members(rule)):
        return None
    return values[rule[0]] == sum((s * values[p] for s, p in rule[1]), Decimal(0))


def _others(name: str, rule: Rule) -> set[str]:
    return set(_members(rule)) - {name}


def _independent(name: str, rules: list[Rule]) -> bool:
    """Two rules vouch for a correction only if they share no other member."""
    return any(not (_others(name, a) & _others(name, b))
               for i, a in enumerate(rules) for b in rules[i + 1 :])


def _implied(name: str, rule: Rule, values: dict[str, Decimal]) -> Decimal | None:
    """What `name` must be for `rule` to hold, given the other members."""
    total, parts = rule
    if name not in _members(rule) or any(n not in values for n in _others(name, rule)):
        return None
    if name == total:
        return sum((s * values[p] for s, p in parts), Decimal(0))
    sign = next(s for s, p in parts if p == name)
    rest = sum((s * values[p] for s, p in parts if p != name), Decimal(0))
    return (values[total] - rest) * sign


def section_rules(lines: list[Line]) -> tuple[list[Rule], dict[str, Figure]]:
    """Each balance-sheet subtotal is the sum of the rows above it, back to the heading that
    opens its section (or the total before it). Returns one rule per subtotal, and the figures
    of the rows that are no field (named by line)."""
    rules: list[Rule] = []
    rows: dict[str, Figure] = {}
    for end, line in enumerate(lines):
        if line.field not in SECTION_TOTALS or line.figure is None:
            continue
        items = _section_items(lines, end)
        if not items:
            continue
        rules.append((str(line.field), [(sign, lines[i].field or f"line{i}") for sign, i in items]))
        for _, i in items:
            figure = lines[i].figure
            if lines[i].field is None and figure is not None:
                rows[f"line{i}"] = figure
    return rules, rows


def _section_items(lines: list[Line], end: int) -> list[tuple[int, int]] | None:
    """(sign, line index) of the rows a subtotal adds up (read or not); None when the section
    is not opened by its own heading or closed by the total before it."""
    total, side = lines[end].field, lines[end].side
    items: list[tuple[int, int]] = []
    for i in range(end - 1, -1, -1):
        line = lines[i]
        if line.side != side or line.sign == 0:
            continue
        if line.heading == total or line.field and line.field not in ITEMS and line.figure:
            return items
        if line.heading:
            return None
        items.append((line.sign, i))
    return None


def _confirmed(st: _State) -> set[str]:
    return {m for r in st.rules if _holds(r, st.values) for m in _members(r)}


def _sure(name: str, st: _State, confirmed: set[str]) -> bool:
    f = st.figures.get(name)
    return name in confirmed or name in st.decided or (
        f is not None and f.well_formed and f.conf >= SURE)


def _set(model: FinancialStatement, st: _State, name: str, value: Decimal, conf: float,
         problem: str) -> None:
    st.values[name] = value
    st.decided.add(name)
    if name in model.confidence:
        setattr(model, name, value)
        model.confidence[name] = conf
        model.problems[name] = problem


def _correct_twice_implied(model: FinancialStatement, st: _State) -> None:
    """A reading that two independent rules both contradict, agreeing on its value, is put
    right whatever else was read."""
    confirmed = _confirmed(st)
    for name in [n for n in st.values if n not in confirmed]:
        used = [r for r in st.rules if _implied(name, r, st.values) is not None]
        implied = {_implied(name, r, st.values) for r in used}
        value = implied.pop() if len(implied) == 1 else None
        if value is not None and value != st.values[name] and len(used) >= 2 \
                and _independent(name, used):
            _set(model, st, name, value, CORRECTED,
                 f"read {st.values[name]}, corrected to {value} from the totals that must add up")


def _derive(model: FinancialStatement, st: _State, rule: Rule, confirmed: set[str]) -> bool:
    """Fill the one missing member of a rule whose other members are all sure."""
    missing = [m for m in _members(rule) if m not in st.values]
    if len(missing) != 1 or not all(_sure(m, st, confirmed) for m in _others(missing[0], rule)):
        return False
    value = _implied(missing[0], rule, st.values)
    assert value is not None
    _set(model, st, missing[0], value, DERIVED,
         "not read; derived from the totals that must add up")
    return True


def _doubtful(members: list[str], st: _State, confirmed: set[str]) -> list[str]:
    """The members a failure puts in doubt: those not confirmed elsewhere, and of them only the
    ones not read cleanly when there are such."""
    suspects = [m for m in members if m not in confirmed and m not in st.decided]
    weak = [m for m in suspects if not _sure(m, st, confirmed)]
    return weak or suspects


def _read_again(st: _State, name: str, reread: Reread | None) -> list[Decimal]:
    """The figure's readings again (once per figure: reading costs)."""
    figure = st.figures.get(name)
    if reread is not None and figure is not None and name not in st.readings:
        st.readings[name] = reread(figure)
    return st.readings.get(name, [])


def _repair(model: FinancialStatement, st: _State, rule: Rule, confirmed: set[str],
            reread: Reread | None) -> bool:
    """A rule that fails: read its doubtful members again (the one suspect, or the model's
    fields among several) and keep a reading that makes the rule hold; else, when one weak
    reading is all that stands against figures read cleanly, replace it by what they imply."""
    doubtful = _doubtful(_members(rule), st, confirmed)
    again = doubtful if len(doubtful) == 1 else [m for m in doubtful if m in model.confidence]
    for name in again:
        value = _implied(name, rule, st.values)
        if value is not None and value in _read_again(st, name, reread):
            _set(model, st, name, value, CORRECTED,
                 f"read {st.values[name]}, read again as {value}: the totals add up")
            return True
    if len(doubtful) == 1 and not _sure(doubtful[0], st, confirmed):
        name = doubtful[0]
        value = _implied(name, rule, st.values)
        assert value is not None
        _set(model, st, name, value, DERIVED,
             f"read {st.values[name]} unclearly; derived {value} from the totals that add up")
        return True
    return False


def _equation(rule: Rule) -> str:
    """total = part + part, with a section's rows that are no field counted, not named."""
    named = [("- " if s < 0 else "+ ") + p for s, p in rule[1] if not p.startswith("line")]
    rows = len(rule[1]) - len(named)
    terms = " ".join(named + ([f"+ {rows} more rows"] if rows else [])).removeprefix("+ ")
    return f"{rule[0]} = {terms}"


def _flag(model: FinancialStatement, name: str, why: str) -> None:
    if name in model.confidence and name not in model.problems:
        model.confidence[name] = min(model.confidence[name], CONTRADICTED)
        model.problems[name] = why


def _flag_contradictions(model: FinancialStatement, st: _State) -> None:
    """Lower every figure a failing rule or a part larger than its whole puts in doubt."""
    confirmed = _confirmed(st)
    for rule in st.rules:
        if _holds(rule, st.values) is False:
            for m in _doubtful(_members(rule), st, confirmed):
                _flag(model, m, f"{_equation(rule)} does not add up: check it")
    for part, whole in PART_BOUNDS:
        if part in st.values and whole in st.values and st.values[part] > st.values[whole]:
            for m in _doubtful([part, whole], st, confirmed):
                _flag(model, m, f"{part} {st.values[part]} exceeds {whole} {st.values[whole]}: "
                      "one of them is misread")


def _summed(st: _State) -> set[str]:
    """The figures a sum of two or more parts confirms: a rule that holds over figures each
    read on its own (none derived or corrected from a rule, which would hold by its making).
    A misread digit that keeps such a sum true needs a second misread to make up for it; a
    total and its one-part twin (资产总计 and 负债和所有者权益总计) can share one misread."""
    return {m for r in st.rules if len(r[1]) >= 2 and _holds(r, st.values)
            and not set(_members(r)) & st.decided for m in _members(r)}


def _vouch_for_confirmed(model: FinancialStatement, st: _State) -> None:
    """A field read with misread digit groups whose value a holding total confirms is right:
    say so instead of asking for a check. A field read well formed but unsure (tesseract's
    word confidence, which a seal's red or a faint print lowers) that a sum confirms
    (`_summed`) is taken as read: a clerk checking it would find what the sum already says."""
    summed = _summed(st)
    for name in _confirmed(st) - st.decided:
        figure = st.figures.get(name)
        if name not in model.confidence or figure is None:
            continue
        if not figure.well_formed:
            model.confidence[name] = max(model.confidence[name], CORRECTED)
            model.problems[name] = (f"digit groups look misread, but {st.values[name]} adds up "
                                    "with the totals it belongs to")
        elif name in summed and name not in model.problems:
            model.confidence[name] = max(model.confidence[name], CORRECTED)


def _check_balance(model: FinancialStatement) -> None:
    ta, tl, te = model.total_assets, model.total_liabilities, model.total_equity
    if ta is None or tl is None or te is None:
        model.balances = None
        return
    model.balances = ta == tl + te
    if not model.balances:
        model.problems["balances"] = (
            f"assets {ta} != liabilities {tl} + equity {te}: check the three totals"
        )
        for f in ("total_assets", "total_liabilities", "total_equity"):
            model.confidence[f] = min(model.confidence.get(f, 0.0), 0.5)


def check_totals(model: FinancialStatement, figures: dict[str, Figure],
                 sections: list[Rule] | None = None, reread: Reread | None = None) -> None:
    """Confirm, derive, repair and flag the model's figures by the totals they must satisfy.
    `figures` holds every row read (fields, sub-totals, section rows), `sections` the rules
    section_rules found, `reread` reads a figure again (a few ways) for a doubtful one."""
    st = _State({k: f.value for k, f in figures.items()}, figures,
                RULES.get(model.kind, []) + (sections or []))
    _correct_twice_implied(model, st)
    for _ in range(len(st.rules)):
        confirmed = _confirmed(st)
        changed = False
        for rule in st.rules:
            holds = _holds(rule, st.values)
            if holds is None:
                changed |= _derive(model, st, rule, confirmed)
            elif not holds:
                changed |= _repair(model, st, rule, confirmed, reread)
            if changed:
                break
        if not changed:
            break
    _flag_contradictions(model, st)
    _vouch_for_confirmed(model, st)
    if model.kind == DocumentKind.BALANCE_SHEET:
        _check_balance(model)
