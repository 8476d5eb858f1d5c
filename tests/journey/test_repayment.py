"""Repayment plans: exact sums, the annuity formula, r = 0, month ends, grace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journey.repayment import (
    Frequency,
    RepaymentMethod,
    add_months,
    annuity_payment,
    build_schedule,
    total_interest,
)

D = Decimal
EI, EP = RepaymentMethod.EQUAL_INSTALMENT, RepaymentMethod.EQUAL_PRINCIPAL
M, Q = Frequency.MONTHLY, Frequency.QUARTERLY

CASES = [
    (D(p), D(r), n, method, freq, grace)
    for p in ("1000000.00", "123456.78", "0.05")
    for r in ("0.0435", "0", "0.1")
    for n in (12, 36)
    for method in (EI, EP)
    for freq in (M, Q)
    for grace in (0, 6)
]


@pytest.mark.parametrize(("principal", "rate", "term", "method", "freq", "grace"), CASES)
def test_plan_sums_exactly(
    principal: D, rate: D, term: int, method: RepaymentMethod, freq: Frequency, grace: int
) -> None:
    plan = build_schedule(principal, rate, term, method, freq, date(2026, 1, 31), grace)
    assert len(plan) == term // freq.months
    assert sum(i.principal for i in plan) == principal
    assert plan[-1].balance_after == 0
    assert all(i.payment == i.principal + i.interest for i in plan)
    assert all(i.principal >= 0 and i.interest >= 0 for i in plan)
    assert all(x.as_tuple().exponent == -2 for i in plan for x in (i.principal, i.interest))
    balance = principal
    for i in plan:
        balance -= i.principal
        assert i.balance_after == balance
    if rate == 0:
        assert total_interest(plan) == 0


def test_annuity_formula() -> None:
    # 1,000,000 at 4.35% a year over 12 months: the textbook 85,309.90 a month
    assert annuity_payment(D("1000000"), D("0.0435") / 12, 12) == D("85309.90")
    plan = build_schedule(D("1000000.00"), D("0.0435"), 12, EI, M, date(2026, 1, 15))
    assert {i.payment for i in plan[:-1]} == {D("85309.90")}
    assert abs(plan[-1].payment - D("85309.90")) <= D("0.05")
    assert plan[0].interest == D("3625.00")


def test_zero_rate_splits_the_principal() -> None:
    assert annuity_payment(D("100.00"), D("0"), 3) == D("33.33")
    plan = build_schedule(D("100.00"), D("0"), 3, EI, M, date(2026, 1, 31))
    assert [i.payment for i in plan] == [D("33.33"), D("33.33"), D("33.34")]


def test_equal_principal_payments_fall() -> None:
    plan = build_schedule(D("1200000.00"), D("0.06"), 12, EP, M, date(2026, 3, 1))
    assert {i.principal for i in plan} == {D("100000.00")}
    assert [i.payment for i in plan] == sorted((i.payment for i in plan), reverse=True)
    assert plan[0].interest == D("6000.00")


def test_grace_pays_interest_only() -> None:
    plan = build_schedule(D("1000000.00"), D("0.048"), 24, EI, Q, date(2026, 1, 10), 6)
    assert [i.principal for i in plan[:2]] == [D("0.00"), D("0.00")]
    assert [i.interest for i in plan[:2]] == [D("12000.00"), D("12000.00")]
    assert plan[2].principal > 0


@pytest.mark.parametrize(
    ("anchor", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 1, 31), 2, date(2026, 3, 31)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months(anchor: date, months: int, expected: date) -> None:
    assert add_months(anchor, months) == expected


def test_due_dates_do_not_drift() -> None:
    plan = build_schedule(D("3000.00"), D("0.05"), 3, EI, M, date(2026, 1, 31))
    assert [i.due_on for i in plan] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    first = build_schedule(
        D("3000.00"), D("0.05"), 6, EP, Q, date(2026, 1, 5), first_due=date(2026, 3, 21)
    )  # noqa: E501
    assert [i.due_on for i in first] == [date(2026, 3, 21), date(2026, 6, 21)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"principal": D("0")}, "positive"),
        ({"principal": D("10.001")}, "whole cents"),
        ({"annual_rate": D("-0.01")}, "negative"),
        ({"term_months": 10, "frequency": Q}, "multiple of 3"),
        ({"grace_months": 12}, "below the term"),
    ],
)
def test_bad_input(kwargs: dict, message: str) -> None:
    args = {"principal": D("1000.00"), "annual_rate": D("0.05"), "term_months": 12,
            "method": EI, "frequency": M, "start": date(2026, 1, 1), **kwargs}  # fmt: skip
    with pytest.raises(ValueError, match=message):
        build_schedule(**args)
