"""Repayment plans in Decimal, rounded to the cent, summing exactly to the principal.

Equal instalments (annuity): A = P * r / (1 - (1 + r)^-n), r the periodic rate
(annual_rate * months per period / 12); with r = 0 the payment is P / n. Equal principal:
P / n of principal each period plus interest on the balance. Interest each period is the
balance times r, rounded half-up to the cent. The last instalment takes whatever balance
is left, so the principals sum to P exactly. During `grace_months` only interest is paid.
Due dates step whole months from the anchor and clamp to month end (Jan 31 -> Feb 28/29
-> Mar 31), so a schedule never drifts to an earlier day. A due date on a weekend or a
holiday moves to the next working day (顺延, `on_working_days`); the next one still steps
from the anchor, and a period's interest stays as planned, accrued over the plan's period
(`period_end`), not to the moved due date.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from enum import StrEnum

from pydantic import BaseModel

CENT = Decimal("0.01")


class RepaymentMethod(StrEnum):
    EQUAL_INSTALMENT = "equal_instalment"  # 等额本息
    EQUAL_PRINCIPAL = "equal_principal"  # 等额本金


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"

    @property
    def months(self) -> int:
        return 1 if self is Frequency.MONTHLY else 3


class Instalment(BaseModel):
    number: int
    due_on: date
    principal: Decimal
    interest: Decimal
    payment: Decimal
    balance_after: Decimal
    # the part of `interest` accrued before the plan began (a project's drawdowns, from each
    # booking until drawdowns closed): owed in full whatever day the period is settled
    accrued_before: Decimal = Decimal("0.00")
    # penalty interest on it accrues from this day, not its due date (a project's quarter
    # carried into the plan at the close, asking its penalty so far: never charged twice)
    penalty_from: date | None = None
    # the day its period ends by the plan, where a non-working day moved its due date later
    # (顺延): its interest accrues over the plan's period, not to the day it falls due, and the
    # next period begins then (`on_working_days`); None: its due date
    period_end: date | None = None

    @property
    def ends_on(self) -> date:
        """The day its period ends by the plan: its interest has all accrued by then."""
        return self.period_end or self.due_on


def cents(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def money(x: Decimal | int) -> str:
    """An amount of yuan for people: to the fen, thousands grouped ("200,000.00")."""
    return f"{cents(Decimal(x)):,}"


def add_months(anchor: date, months: int) -> date:
    """`anchor` moved by whole months, the day clamped to the month's last day."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(anchor.day, last))


def is_month_end(day: date) -> bool:
    """Accounting periods (months, quarters, half-years, years) end on a month's last day."""
    return day.day == calendar.monthrange(day.year, day.month)[1]


def annuity_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """The level payment per period, to the cent; P / n when the rate is zero."""
    if periods < 1:
        raise ValueError(f"periods must be at least 1, got {periods}")
    if rate == 0:
        return cents(principal / periods)
    with localcontext() as ctx:
        ctx.prec = 34
        return cents(principal * rate / (1 - (1 + rate) ** -periods))


def _check(
    principal: Decimal, annual_rate: Decimal, term_months: int, grace_months: int, period: int
) -> None:
    if principal <= 0 or cents(principal) != principal:
        raise ValueError(f"principal {principal} must be positive and in whole cents")
    if annual_rate < 0:
        raise ValueError(f"annual_rate {annual_rate} must not be negative (0.0435 = 4.35%)")
    if term_months < 1 or term_months % period:
        raise ValueError(f"term_months {term_months} must be a positive multiple of {period}")
    if grace_months < 0 or grace_months % period or grace_months >= term_months:
        raise ValueError(
            f"grace_months {grace_months} must be a multiple of {period} below the term"
        )


def build_schedule(
    principal: Decimal,
    annual_rate: Decimal,
    term_months: int,
    method: RepaymentMethod,
    frequency: Frequency,
    start: date,
    grace_months: int = 0,
    first_due: date | None = None,
) -> list[Instalment]:
    """The plan from drawdown on `start`; the first payment falls due one period later, or
    on `first_due` when given (later ones step from it)."""
    method, frequency = RepaymentMethod(method), Frequency(frequency)
    principal, annual_rate = Decimal(principal), Decimal(annual_rate)
    period = frequency.months
    _check(principal, annual_rate, term_months, grace_months, period)
    rate = annual_rate * period / 12
    periods, grace = term_months // period, grace_months // period
    amortising = periods - grace
    level = (
        annuity_payment(principal, rate, amortising)
        if method is RepaymentMethod.EQUAL_INSTALMENT
        else cents(principal / amortising)
    )
    balance = principal
    plan: list[Instalment] = []
    for number in range(1, periods + 1):
        due = (
            add_months(first_due, (number - 1) * period)
            if first_due
            else add_months(start, number * period)
        )
        interest = cents(balance * rate)
        if number <= grace:
            part = Decimal("0.00")
        elif number == periods:
            part = balance
        elif method is RepaymentMethod.EQUAL_INSTALMENT:
            part = min(balance, level - interest)
        else:
            part = min(balance, level)
        balance -= part
        plan.append(
            Instalment(
                number=number,
                due_on=due,
                principal=part,
                interest=interest,
                payment=part + interest,
                balance_after=balance,
            )
        )
    return plan


def with_interest_before(plan: list[Instalment], accrued: Decimal) -> list[Instalment]:
    """`plan` whose first instalment also asks for `accrued`, interest earned before the
    plan began (a project's drawdowns until they closed)."""
    first = plan[0]
    return [first.model_copy(update={"interest": first.interest + accrued,
                                     "payment": first.payment + accrued,
                                     "accrued_before": first.accrued_before + accrued}),
            *plan[1:]]


def on_working_days(
    plan: list[Instalment], next_working_day: Callable[[date], date], periods_kept: bool = False
) -> list[Instalment]:
    """`plan` with each due date moved to `next_working_day` of it (the day itself when it
    is one), so that nothing falls due when the customer cannot pay; `periods_kept`, each
    moved instalment keeps the day its period ends by the plan (`period_end`), over which its
    interest accrues: a move lengthens no period, and shortens none after it (plans value
    dated before marker plan-periods-kept accrued to the moved due date, and from it)."""
    moved = []
    for i in plan:
        due = next_working_day(i.due_on)
        kept = i.ends_on if periods_kept and due != i.due_on else i.period_end
        moved.append(i.model_copy(update={"due_on": due, "period_end": kept}))
    return moved


def total_interest(plan: list[Instalment]) -> Decimal:
    return sum((i.interest for i in plan), Decimal("0.00"))
