"""What a clerk's correction (journey/reading_corrections.py) is refused for unless confirmed
(`correct ... --confirm`, the clerk checked it on the paper): a unit that leaves the statement's
figures implausible for the loan, and a figure that makes the statement contradict itself.

Pure: the journey's validator tries the correction and asks these before the history.
"""

from __future__ import annotations

from decimal import Decimal

from journey.documents import PART_BOUNDS, DocumentReading, FinancialStatement
from journey.policy.completeness import FIGURE_NAMES
from journey.reading_corrections import ReadingCorrection, figures_moved
from journey.repayment import money

# a unit correction that leaves the statement's largest figure above this many times the
# loan amount, or below the loan amount over this many times less (a company of 3,000.00 yuan
# for a 3,000,000.00 loan), is refused unless confirmed: a slip of a unit is 1,000 or 10,000
# times, and no borrower is that much larger, or smaller, than its loan
PLAUSIBLE_TIMES = Decimal(10_000)
PLAUSIBLE_UNDER = Decimal(1_000)
# the balance sheet's parts and totals a reading keeps: a part above its total contradicts it
PARTS = tuple(bound for bound in PART_BOUNDS
              if all(name in FinancialStatement.model_fields for name in bound))
CONFIRM = "correct it again confirmed (`correct ... --confirm`)"


def unit_refusal(before: DocumentReading, after: DocumentReading, fix: ReadingCorrection,
                 amount: Decimal) -> str | None:
    """Why a unit correction `fix` is refused, or None: unconfirmed, it leaves the statement's
    largest figure implausible for a loan of `amount` (PLAUSIBLE_TIMES, PLAUSIBLE_UNDER)."""
    now = after.statement
    if fix.field != "unit" or fix.confirmed or now is None or amount <= 0:
        return None
    figures = [(abs(v), f) for f in FIGURE_NAMES.get(after.kind, ())
               if (v := getattr(now, f)) is not None]
    if not figures:
        return None
    most, name = max(figures)
    if amount / PLAUSIBLE_UNDER <= most <= amount * PLAUSIBLE_TIMES:
        return None
    bound = (f"more than {PLAUSIBLE_TIMES:,} times" if most > amount
             else f"less than a {PLAUSIBLE_UNDER:,}th of")
    return (f"{fix.value.strip()} would make {after.ref.filename}'s {name.replace('_', ' ')} "
            f"{money(most)}, {bound} the loan amount {money(amount)} "
            f"({figures_moved(before, after)}): check the unit the paper prints; if it is "
            f"right, {CONFIRM}")


def contradiction(before: DocumentReading, after: DocumentReading, fix: ReadingCorrection,
                  tolerance: Decimal) -> str | None:
    """Why `fix` is refused, or None: unconfirmed, it makes the statement contradict itself
    where it did not (a part above its total, a balance sheet that no longer balances within
    `tolerance`, the completeness check's)."""
    if fix.confirmed or before.statement is None or after.statement is None:
        return None
    was = _contradictions(before.statement, tolerance)
    new = [why for key, why in _contradictions(after.statement, tolerance).items()
           if key not in was]
    if not new:
        return None
    return (f"{fix.value.strip()} as {after.ref.filename}'s {fix.field.replace('_', ' ')} "
            f"would make the statement contradict itself: {'; '.join(new)}: check these "
            f"figures on the paper; if it prints them so, {CONFIRM}")


def _contradictions(st: FinancialStatement, tolerance: Decimal) -> dict[str, str]:
    """Where the statement contradicts itself, in words, by what contradicts."""
    out = {}
    for part, whole in PARTS:
        if (p := getattr(st, part)) is not None and (w := getattr(st, whole)) is not None \
                and p > w:
            out[part] = (f"{part.replace('_', ' ')} {money(p)} above {whole.replace('_', ' ')} "
                         f"{money(w)}, of which it is a part")
    a, liab, eq = st.total_assets, st.total_liabilities, st.total_equity
    if a is None or liab is None or eq is None:
        return out
    if not st.balances if st.balances is not None else abs(a - (liab + eq)) > tolerance:
        out["balances"] = (f"total assets {money(a)} ≠ total liabilities {money(liab)} + total "
                           f"equity {money(eq)}, beyond the {money(tolerance)} the checks allow")
    return out
