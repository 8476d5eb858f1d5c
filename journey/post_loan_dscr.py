"""Debt service coverage ratio (DSCR) of a loan under review.

    DSCR = annualised operating profit / debt service of the next twelve months

- The statement: the latest income statement (利润表) with a period end and an operating
  profit whose period covers at least `MIN_MONTHS` months.
- Its period: the fiscal year is the calendar year (会计法 art. 11) and the current-period
  column is year to date, so a statement ending on `d` covers January 1 to `d`; in months,
  m = (month of d - 1) + (day of d / days in that month): 3 for March 31, 6 for June 30,
  12 for December 31, 4 + 15/31 for May 15.
- Annualised operating profit = operating profit * 12 / m.
- Debt service: the loan's scheduled principal + interest (the repayment plan's payments)
  falling due in the twelve months after the window start; the window starts at the period
  end, or at disbursement when the statement ends before the loan began (so a pre-loan
  statement is tested against the loan's first year of payments).
- DSCR = annualised operating profit / debt service, rounded half-up to 4 places.

Operating profit (营业利润) is after depreciation and finance costs, so it understates the
cash available for debt service (EBITDA), and the debt service counts this loan only (other
lenders' debt is not in the statements): the ratio is a conservative, loan-level measure.
When an input is missing the value is None and `reason` says which and what to ask for.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel

from journey.documents import DocumentKind, FinancialStatement
from journey.policy.ratios import PLACES
from journey.repayment import CENT, Instalment, add_months

MIN_MONTHS = Decimal(3)  # a shorter year-to-date period is too short to annualise


class Dscr(BaseModel):
    value: Decimal | None
    reason: str  # how it was computed, or why it could not be


def months_to_date(period_end: date) -> Decimal:
    """Months from January 1 to `period_end`, fractional within the last month."""
    days = calendar.monthrange(period_end.year, period_end.month)[1]
    return Decimal(period_end.month - 1) + Decimal(period_end.day) / Decimal(days)


def debt_service(plan: list[Instalment], start: date) -> Decimal:
    """Payments of `plan` falling due in the twelve months after `start`."""
    end = add_months(start, 12)
    return sum((i.payment for i in plan if start < i.due_on <= end), Decimal("0.00"))


def dscr(
    statements: list[FinancialStatement], plan: list[Instalment], disbursed_on: date | None
) -> Dscr:
    """The DSCR from the latest usable income statement (see the module's formula)."""
    incomes = [
        (s.period_end, s.operating_profit)
        for s in statements
        if s.kind is DocumentKind.INCOME_STATEMENT
        and s.period_end is not None
        and s.operating_profit is not None
    ]
    if not incomes:
        return Dscr(value=None, reason="no income statement with an operating profit and a "
                    "period end has been read: ask the borrower for the latest one")
    usable = [(end, profit) for end, profit in incomes if months_to_date(end) >= MIN_MONTHS]
    if not usable:
        latest = max(end for end, _ in incomes)
        return Dscr(value=None, reason=f"the latest income statement ends {latest}, under "
                    f"{MIN_MONTHS} months into the fiscal year, too short to annualise: ask "
                    "for the last full-year statement")
    end, profit = max(usable, key=lambda item: item[0])
    if not plan:
        return Dscr(value=None, reason="the repayment plan is not known to this review")
    start = max(end, disbursed_on) if disbursed_on is not None else end
    service = debt_service(plan, start)
    if service <= 0:
        return Dscr(value=None, reason=f"no payments fall due in the twelve months after "
                    f"{start}: nothing to cover")
    months = months_to_date(end)
    annualised = profit * 12 / months
    value = (annualised / service).quantize(PLACES, rounding=ROUND_HALF_UP)
    return Dscr(
        value=value,
        reason=f"annualised operating profit {annualised.quantize(CENT)} ({profit} over "
        f"{months.quantize(CENT)} months to {end}) / debt service {service} due after {start} "
        f"to {add_months(start, 12)}",
    )
