"""Debt service coverage ratio (DSCR) of a loan under review.

    DSCR = annualised operating profit / debt service of the next twelve months

- The statement (`annual_profit`): the latest income statement (利润表) with a period end and
  an operating profit whose period covers at least `MIN_MONTHS` months; of two ending on the
  same day, the one given later.
- Its period: the fiscal year is the calendar year (会计法 art. 11) and the current-period
  column is year to date, so a statement ending on `d` covers January 1 to `d`; in months,
  m = (month of d - 1) + (day of d / days in that month): 3 for March 31, 6 for June 30,
  12 for December 31, 4 + 15/31 for May 15.
- Annualised operating profit = operating profit * 12 / m. A drawdown's projected DSCR
  (journey/drawdown_conditions.py) annualises by the same rule.
- Debt service (`debt_service`): what the twelve months after the window start cost, so that
  they are covered whole: the loan's scheduled payments (principal + interest, and a drawing
  project's commitment fee) falling due in them, plus the interest accrued from the last of
  those due dates to the window's end, which the next payment asks: its interest (less what
  accrued before the plan began) for those days, in proportion to its period's days, to the
  fen. So a drawing project's quarters of interest and commitment fee count a whole year's,
  not only the days up to the last quarter paid in the window (289 of 365 at worst). The
  window starts at the period end, or at disbursement when the statement ends before the
  loan began (so a pre-loan statement is tested against the loan's first year of payments).
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
from journey.repayment import Instalment, add_months, cents

MIN_MONTHS = Decimal(3)  # a shorter year-to-date period is too short to annualise
ZERO = Decimal("0.00")


class Dscr(BaseModel):
    value: Decimal | None
    reason: str  # how it was computed, or why it could not be


class AnnualProfit(BaseModel):
    """The operating profit of the income statement a DSCR is computed on, and a year of it."""

    index: int  # the statement's place in the list it was chosen from
    period_end: date
    profit: Decimal
    months: Decimal  # of the fiscal year to `period_end`

    @property
    def annualised(self) -> Decimal:
        return self.profit * 12 / self.months

    def text(self) -> str:
        """"operating profit 3,283,300.00 for the 6 months to 2026-06-30, 6,566,600.00 a
        year"."""
        months = f"{self.months:.0f}" if self.months == self.months.to_integral_value() \
            else f"{self.months:.2f}"
        return (f"operating profit {self.profit:,.2f} for the {months} months to "
                f"{self.period_end}, {cents(self.annualised):,} a year")


class DebtService(BaseModel):
    """What the twelve months from `start` to `end` cost (`debt_service`)."""

    start: date
    end: date
    due: Decimal  # the payments due in them
    accrued: Decimal = ZERO  # the interest accrued after the last of them, to `end`
    accrued_from: date | None = None

    @property
    def total(self) -> Decimal:
        return self.due + self.accrued

    def text(self) -> str:
        accrued = (f", and interest {self.accrued:,} accrued from {self.accrued_from} to "
                   f"{self.end}" if self.accrued_from is not None else "")
        return (f"debt service {self.total:,} for the twelve months after {self.start} to "
                f"{self.end} (payments due in them {self.due:,}{accrued})")


def months_to_date(period_end: date) -> Decimal:
    """Months from January 1 to `period_end`, fractional within the last month."""
    days = calendar.monthrange(period_end.year, period_end.month)[1]
    return Decimal(period_end.month - 1) + Decimal(period_end.day) / Decimal(days)


def annual_profit(statements: list[FinancialStatement]) -> AnnualProfit | str:
    """The latest usable income statement's operating profit and a year of it (see the
    module's rule), or why there is none, in words that say what to ask for."""
    incomes = [
        AnnualProfit(index=n, period_end=s.period_end, profit=s.operating_profit,
                     months=months_to_date(s.period_end))
        for n, s in enumerate(statements)
        if s.kind is DocumentKind.INCOME_STATEMENT
        and s.period_end is not None
        and s.operating_profit is not None
    ]
    if not incomes:
        return ("no income statement with an operating profit and a period end has been "
                "read: ask the borrower for the latest one")
    usable = [p for p in incomes if p.months >= MIN_MONTHS]
    if not usable:
        latest = max(p.period_end for p in incomes)
        return (f"the latest income statement ends {latest}, under {MIN_MONTHS} months into "
                "the fiscal year, too short to annualise: ask for the last full-year statement")
    return max(usable, key=lambda p: (p.period_end, p.index))


def debt_service(plan: list[Instalment], start: date, to_the_end: bool = True) -> DebtService:
    """What the twelve months after `start` cost: the payments of `plan` falling due in them
    and, `to_the_end`, the interest accrued from the last of those to the window's end, the
    next payment's for those days (reviews whose journeys took it before the marker in
    workflows/post_loan_warnings.py counted the payments due only)."""
    end = add_months(start, 12)
    due = [i for i in plan if start < i.due_on <= end]
    service = DebtService(start=start, end=end, due=sum((i.payment for i in due), ZERO))
    after = [n for n, i in enumerate(plan) if i.due_on > end]
    if not to_the_end or not after:
        return service
    n = after[0]
    since = max([start, *(i.due_on for i in due)])
    began = plan[n - 1].due_on if n > 0 else since
    interest = plan[n].interest - plan[n].accrued_before
    share = Decimal((end - since).days) / Decimal((plan[n].due_on - began).days)
    return service.model_copy(update={"accrued": cents(interest * share),
                                      "accrued_from": since})


def dscr(
    statements: list[FinancialStatement], plan: list[Instalment], disbursed_on: date | None,
    to_the_end: bool = True,
) -> Dscr:
    """The DSCR from the latest usable income statement (see the module's formula);
    `to_the_end` as `debt_service`'s."""
    profit = annual_profit(statements)
    if isinstance(profit, str):
        return Dscr(value=None, reason=profit)
    if not plan:
        return Dscr(value=None, reason="the repayment plan is not known to this review")
    end = profit.period_end
    start = max(end, disbursed_on) if disbursed_on is not None else end
    service = debt_service(plan, start, to_the_end)
    if service.total <= 0:
        return Dscr(value=None, reason=f"no payments fall due in the twelve months after "
                    f"{start}: nothing to cover")
    value = (profit.annualised / service.total).quantize(PLACES, rounding=ROUND_HALF_UP)
    return Dscr(value=value, reason=f"{profit.text()} / {service.text()}")
