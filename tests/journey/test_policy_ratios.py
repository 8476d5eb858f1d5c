"""Ratios from statements: latest period, growth across two periods, missing inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journey.documents import DocumentKind, FinancialStatement
from journey.policy import Ratios, compute_ratios

D = Decimal
Y24, Y25 = date(2024, 12, 31), date(2025, 12, 31)


def bs(period: date | None = Y25, **kw: str | None) -> FinancialStatement:
    values = {"total_assets": "1000", "total_liabilities": "650", "current_assets": "400",
              "current_liabilities": "320", **kw}  # fmt: skip
    fields = {k: (D(v) if v is not None else None) for k, v in values.items()}
    return FinancialStatement.model_validate(
        {"kind": DocumentKind.BALANCE_SHEET, "period_end": period, **fields}
    )


def inc(
    period: date | None = Y25, revenue: str | None = "1200", net: str | None = "60"
) -> FinancialStatement:  # noqa: E501
    return FinancialStatement(
        kind=DocumentKind.INCOME_STATEMENT,
        period_end=period,
        revenue=D(revenue) if revenue is not None else None,
        net_profit=D(net) if net is not None else None,
    )


ROWS = [
    ("one of each", [bs(), inc()], Ratios(debt_to_asset=D("0.65"), current_ratio=D("1.25"),
                                          net_margin=D("0.05"), period_end=Y25)),
    ("growth over two years", [bs(), inc(), inc(Y24, "1000", "40")],
     Ratios(debt_to_asset=D("0.65"), current_ratio=D("1.25"), net_margin=D("0.05"),
            revenue_growth=D("0.2"), period_end=Y25)),
    ("order does not matter", [inc(Y24, "1000", "40"), inc(), bs(Y24, total_liabilities="900"),
                               bs()],
     Ratios(debt_to_asset=D("0.65"), current_ratio=D("1.25"), net_margin=D("0.05"),
            revenue_growth=D("0.2"), period_end=Y25)),
    ("same period twice: the later (a restatement) stands, no growth",
     [inc(), inc(Y25, "1000")], Ratios(net_margin=D("0.06"), period_end=Y25)),
    ("shrinking revenue and a loss", [inc(revenue="800", net="-40"), inc(Y24, "1000")],
     Ratios(net_margin=D("-0.05"), revenue_growth=D("-0.2"), period_end=Y25)),
    ("rounded to four places", [bs(total_liabilities="2", total_assets="3")],
     Ratios(debt_to_asset=D("0.6667"), current_ratio=D("1.25"), period_end=Y25)),
    ("zero assets and revenue", [bs(total_assets="0", current_liabilities="0"),
                                 inc(revenue="0")], Ratios(period_end=Y25)),
    ("missing figures", [bs(total_liabilities=None, current_assets=None), inc(net=None)],
     Ratios(period_end=Y25)),
    ("nothing at all", [], Ratios()),
]  # fmt: skip


@pytest.mark.parametrize(("statements", "expected"), [r[1:] for r in ROWS],
                         ids=[r[0] for r in ROWS])  # fmt: skip
def test_compute_ratios(statements: list[FinancialStatement], expected: Ratios) -> None:
    assert compute_ratios(statements) == expected


def test_ratio_by_name() -> None:
    r = Ratios(debt_to_asset=D("0.5"))
    assert r.get("debt_to_asset") == D("0.5")
    with pytest.raises(KeyError, match="unknown ratio"):
        r.get("beta")
