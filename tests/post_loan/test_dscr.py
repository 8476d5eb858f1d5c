"""DSCR against figures computed by hand (journey/post_loan_dscr.py states the formula).

The plan: 1,200,000 over 12 months at 6 %, equal principal, monthly from 2026-01-15, so
100,000 principal a month and interest of 0.5 % on the balance: 6,000 on the first
instalment (due 2026-02-15) down to 500 on the last (due 2027-01-15); 1,239,000 in all.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from journey.documents import DocumentKind, FinancialStatement
from journey.post_loan_dscr import debt_service, dscr, months_to_date
from journey.repayment import Frequency, Instalment, RepaymentMethod, build_schedule

DISBURSED = date(2026, 1, 15)
PLAN = build_schedule(
    Decimal("1200000.00"), Decimal("0.06"), 12, RepaymentMethod.EQUAL_PRINCIPAL,
    Frequency.MONTHLY, DISBURSED,
)


def income(period_end: date, operating_profit: int) -> FinancialStatement:
    return FinancialStatement(
        kind=DocumentKind.INCOME_STATEMENT, period_end=period_end,
        operating_profit=Decimal(operating_profit),
    )


def test_year_to_date_months() -> None:
    assert months_to_date(date(2026, 3, 31)) == 3
    assert months_to_date(date(2026, 6, 30)) == 6
    assert months_to_date(date(2025, 12, 31)) == 12
    assert months_to_date(date(2026, 5, 15)) == Decimal(4) + Decimal(15) / Decimal(31)


def test_half_year_statement_against_the_following_twelve_months() -> None:
    # 900,000 over six months -> 1,800,000 a year; due after 2026-06-30: instalments 6-12,
    # 7 x 100,000 principal + (3,500 + 3,000 + ... + 500 = 14,000) interest = 714,000
    # the loan ends within the window: nothing accrues after its last instalment
    assert debt_service(PLAN, date(2026, 6, 30)).total == Decimal("714000.00")
    result = dscr([income(date(2026, 6, 30), 900_000)], PLAN, DISBURSED)
    assert result.value == Decimal("2.5210")  # 1,800,000 / 714,000 = 2.52100...
    assert result.reason == (
        "operating profit 900,000.00 for the 6 months to 2026-06-30, 1,800,000.00 a year / "
        "debt service 714,000.00 for the twelve months after 2026-06-30 to 2027-06-30 "
        "(payments due in them 714,000.00)")


def test_a_statement_from_before_the_loan_is_tested_against_its_first_year() -> None:
    # FY2025: 1,000,000; the window starts at disbursement: all 12 instalments, 1,239,000
    result = dscr([income(date(2025, 12, 31), 1_000_000)], PLAN, DISBURSED)
    assert result.value == Decimal("0.8071")  # 1,000,000 / 1,239,000 = 0.80710...


def test_a_mid_month_period_end_counts_part_of_the_month() -> None:
    # 450,000 over 4 + 15/31 months -> 1,204,316.55 a year; due after 2026-05-15:
    # instalments 5-12, 800,000 + (4,000 + ... + 500 = 18,000) = 818,000
    result = dscr([income(date(2026, 5, 15), 450_000)], PLAN, DISBURSED)
    assert result.value == Decimal("1.4723")  # 167,400,000 / (139 x 818,000) = 1.47227...


def test_a_period_under_three_months_is_not_annualised() -> None:
    short = income(date(2026, 2, 28), 450_000)
    alone = dscr([short], PLAN, DISBURSED)
    assert alone.value is None and "too short to annualise" in alone.reason
    # the last full year is used instead when it is there
    both = dscr([short, income(date(2025, 12, 31), 1_000_000)], PLAN, DISBURSED)
    assert both.value == Decimal("0.8071")


def test_missing_inputs_give_none_with_a_reason() -> None:
    sheet = FinancialStatement(kind=DocumentKind.BALANCE_SHEET, period_end=date(2026, 6, 30))
    assert "no income statement" in dscr([sheet], PLAN, DISBURSED).reason
    no_profit = FinancialStatement(kind=DocumentKind.INCOME_STATEMENT, period_end=date(2026, 6, 30))
    assert dscr([no_profit], PLAN, DISBURSED).value is None
    assert "plan is not known" in dscr([income(date(2026, 6, 30), 1)], [], DISBURSED).reason
    after = dscr([income(date(2027, 3, 31), 450_000)], PLAN, DISBURSED)
    assert after.value is None and "no payments fall due" in after.reason


def quarter(due_on: date, amount: str) -> Instalment:
    """A drawing project's quarter: its interest and commitment fee, no principal."""
    return Instalment(number=1, due_on=due_on, principal=Decimal(0), interest=Decimal(amount),
                      payment=Decimal(amount), balance_after=Decimal(0))


def test_a_drawing_projects_quarters_count_a_whole_year() -> None:
    # interest and fee of 3,129.166... a day (1,126,500 a year over 360 days), drawn
    # 2026-12-06, quarters to each 21st: 15, 90, 92, 92 and 91 days
    quarters = [quarter(date(2026, 12, 21), "46937.50"), quarter(date(2027, 3, 21), "281625.00"),
                quarter(date(2027, 6, 21), "287883.33"), quarter(date(2027, 9, 21), "287883.33"),
                quarter(date(2027, 12, 21), "284754.17")]
    service = debt_service(quarters, date(2026, 12, 6))
    # the four quarters due in the window pay 289 days (2026-12-06 to 2027-09-21); the 76
    # days from 2027-09-21 to 2027-12-06 are 76/91 of the next quarter: 237,816.67
    assert service.due == Decimal("904329.16")
    assert (service.accrued_from, service.accrued) == (date(2027, 9, 21), Decimal("237816.67"))
    assert service.total == Decimal("1142145.83")  # 365 days of 3,129.1666...
    # before the marker, the payments due only: a DSCR a fifth too high
    assert debt_service(quarters, date(2026, 12, 6), to_the_end=False).total == service.due
    result = dscr([income(date(2026, 6, 30), 1_000_000)], quarters, date(2026, 12, 6))
    assert result.value == Decimal("1.7511")  # 2,000,000 / 1,142,145.83 = 1.75109...
    assert ("debt service 1,142,145.83 for the twelve months after 2026-12-06 to 2027-12-06 "
            "(payments due in them 904,329.16, and interest 237,816.67 accrued from "
            "2027-09-21 to 2027-12-06)") in result.reason
