"""Financial ratios from OCR'd statements, in Decimal to four places.

Balance-sheet ratios come from the latest balance sheet, margin from the latest income
statement, growth from the latest and the next-earlier income statement of another period.
A ratio whose inputs are missing or whose denominator is not positive is None.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel

from journey.documents import DocumentKind, FinancialStatement

PLACES = Decimal("0.0001")
RATIO_NAMES = ("debt_to_asset", "current_ratio", "net_margin", "revenue_growth")


class Ratios(BaseModel):
    debt_to_asset: Decimal | None = None
    current_ratio: Decimal | None = None
    net_margin: Decimal | None = None
    revenue_growth: Decimal | None = None
    period_end: date | None = None  # the period of the latest statement used

    def get(self, name: str) -> Decimal | None:
        if name not in RATIO_NAMES:
            raise KeyError(f"unknown ratio {name!r}; known: {', '.join(RATIO_NAMES)}")
        value: Decimal | None = getattr(self, name)
        return value


def _div(num: Decimal | None, den: Decimal | None) -> Decimal | None:
    if num is None or den is None or den <= 0:
        return None
    return (num / den).quantize(PLACES, rounding=ROUND_HALF_UP)


def _latest_first(
    statements: list[FinancialStatement], kind: DocumentKind
) -> list[FinancialStatement]:
    of_kind = [s for s in statements if s.kind == kind]
    # statements without a period sort last; of two for one period the later received (a
    # restatement) comes first
    ordered = sorted(enumerate(of_kind), key=lambda p: (p[1].period_end or date.min, p[0]),
                     reverse=True)
    return [s for _, s in ordered]


def compute_ratios(statements: list[FinancialStatement]) -> Ratios:
    sheets = _latest_first(statements, DocumentKind.BALANCE_SHEET)
    incomes = _latest_first(statements, DocumentKind.INCOME_STATEMENT)
    ratios = Ratios()
    periods: list[date] = []
    if sheets:
        bs = sheets[0]
        ratios.debt_to_asset = _div(bs.total_liabilities, bs.total_assets)
        ratios.current_ratio = _div(bs.current_assets, bs.current_liabilities)
        if bs.period_end:
            periods.append(bs.period_end)
    if incomes:
        latest = incomes[0]
        ratios.net_margin = _div(latest.net_profit, latest.revenue)
        if latest.period_end:
            periods.append(latest.period_end)
            earlier = [s for s in incomes[1:] if s.period_end and s.period_end < latest.period_end]
            if earlier and latest.revenue is not None and earlier[0].revenue is not None:
                prev = earlier[0].revenue
                ratios.revenue_growth = _div(latest.revenue - prev, prev)
    ratios.period_end = max(periods) if periods else None
    return ratios
