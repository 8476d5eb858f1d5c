"""Totals that must add up: use them to fill a missing figure, correct a misread one, and
report a balance sheet that does not balance."""

from __future__ import annotations

from decimal import Decimal

from journey.documents import DocumentKind, FinancialStatement

# (total, [(sign, part), ...]): total = sum(sign * part)
RULES: dict[DocumentKind, list[tuple[str, list[tuple[int, str]]]]] = {
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


def _others(field: str, rule: tuple[str, list[tuple[int, str]]]) -> set[str]:
    return {rule[0], *(p for _, p in rule[1])} - {field}


def _independent(field: str, rules: list[tuple[str, list[tuple[int, str]]]]) -> bool:
    """Two rules vouch for a correction only if they share no other member."""
    return any(not (_others(field, a) & _others(field, b))
               for i, a in enumerate(rules) for b in rules[i + 1 :])


def _implied(field: str, rule: tuple[str, list[tuple[int, str]]],
             values: dict[str, Decimal]) -> Decimal | None:
    """What `field` must be for `rule` to hold, given the other members."""
    total, parts = rule
    names = [total] + [p for _, p in parts]
    if field not in names or any(n not in values for n in names if n != field):
        return None
    if field == total:
        return sum((s * values[p] for s, p in parts), Decimal(0))
    sign = next(s for s, p in parts if p == field)
    rest = sum((s * values[p] for s, p in parts if p != field), Decimal(0))
    return (values[total] - rest) * sign


def check_totals(model: FinancialStatement, values: dict[str, Decimal]) -> None:
    rules = RULES.get(model.kind, [])
    targets = [f for f in FinancialStatement.model_fields if f in values or
               any(f == r[0] or f in [p for _, p in r[1]] for r in rules)]
    for _ in range(2):
        for field in targets:
            used = [r for r in rules if _implied(field, r, values) is not None]
            implied = [v for r in used if (v := _implied(field, r, values)) is not None]
            if not implied:
                continue
            current = values.get(field)
            agreeing = [v for v in implied if v == implied[0]]
            if current is None and len(agreeing) == len(implied):
                values[field] = implied[0]
                if hasattr(model, field) and field in model.confidence:
                    setattr(model, field, implied[0])
                    model.confidence[field] = 0.5
                    model.problems[field] = "not read; derived from the totals that must add up"
            elif current is not None and current not in implied and len(agreeing) >= 2 \
                    and len(agreeing) == len(implied) and _independent(field, used):
                values[field] = implied[0]
                if hasattr(model, field) and field in model.confidence:
                    setattr(model, field, implied[0])
                    model.confidence[field] = 0.8
                    model.problems[field] = (
                        f"read {current}, corrected to {implied[0]} from the totals that must "
                        "add up"
                    )
    if model.kind == DocumentKind.BALANCE_SHEET:
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
