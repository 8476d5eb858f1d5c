"""Consistent balance-sheet and income-statement figures, and the rows that print them."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

UNITS = {"元": 1, "千元": 1000, "万元": 10000}
CENT = Decimal("0.01")


def _amt(rng: random.Random, lo: float, hi: float, scale: float) -> Decimal:
    return Decimal(str(round(rng.uniform(lo, hi) * scale, 2))).quantize(CENT)


@dataclass
class Figures:
    """Printed figures (in the statement's unit) by row key, for the current and prior period."""

    current: dict[str, Decimal] = field(default_factory=dict)
    prior: dict[str, Decimal] = field(default_factory=dict)


def balance_sheet(rng: random.Random, scale: float) -> dict[str, Decimal]:
    v: dict[str, Decimal] = {}
    for k in ("cash", "receivables", "prepayments", "inventory", "other_current"):
        v[k] = _amt(rng, 0.02, 0.3, scale)
    v["current_assets"] = sum((v[k] for k in ("cash", "receivables", "prepayments",
                                               "inventory", "other_current")), Decimal(0))
    for k in ("lt_investment", "fixed_assets", "intangibles"):
        v[k] = _amt(rng, 0.05, 0.5, scale)
    v["noncurrent_assets"] = v["lt_investment"] + v["fixed_assets"] + v["intangibles"]
    v["total_assets"] = v["current_assets"] + v["noncurrent_assets"]
    ta = v["total_assets"]
    share = Decimal(str(round(rng.uniform(0.3, 0.8), 3)))
    liab = (ta * share).quantize(CENT)
    parts = [Decimal(str(round(rng.uniform(0.1, 1), 3))) for _ in range(5)]
    tot = sum(parts, Decimal(0))
    names = ("st_borrowings", "payables", "payroll", "taxes", "lt_borrowings")
    for k, p in zip(names[:-1], parts[:-1], strict=True):
        v[k] = (liab * p / tot).quantize(CENT)
    v["lt_borrowings"] = liab - sum((v[k] for k in names[:-1]), Decimal(0))
    v["current_liabilities"] = v["st_borrowings"] + v["payables"] + v["payroll"] + v["taxes"]
    v["noncurrent_liabilities"] = v["lt_borrowings"]
    v["total_liabilities"] = liab
    eq = ta - liab
    v["paid_in"] = (eq * Decimal("0.5")).quantize(CENT)
    v["surplus"] = (eq * Decimal("0.1")).quantize(CENT)
    v["retained"] = eq - v["paid_in"] - v["surplus"]
    v["total_equity"] = eq
    v["total_liab_equity"] = ta
    return v


def income_statement(rng: random.Random, scale: float) -> dict[str, Decimal]:
    v = {"revenue": _amt(rng, 0.5, 2.0, scale)}
    rev = v["revenue"]
    for k, lo, hi in (("cost", 0.55, 0.8), ("tax_surcharge", 0.005, 0.02), ("selling", 0.02, 0.08),
                      ("admin", 0.03, 0.08), ("rnd", 0.0, 0.05), ("finance", 0.0, 0.02)):
        v[k] = (rev * Decimal(str(round(rng.uniform(lo, hi), 4)))).quantize(CENT)
    v["operating_profit"] = rev - sum((v[k] for k in ("cost", "tax_surcharge", "selling", "admin",
                                                      "rnd", "finance")), Decimal(0))
    v["nonop_income"] = (rev * Decimal(str(round(rng.uniform(0, 0.01), 4)))).quantize(CENT)
    v["nonop_expense"] = (rev * Decimal(str(round(rng.uniform(0, 0.01), 4)))).quantize(CENT)
    v["total_profit"] = v["operating_profit"] + v["nonop_income"] - v["nonop_expense"]
    v["income_tax"] = (max(v["total_profit"], Decimal(0)) * Decimal("0.25")).quantize(CENT)
    v["net_profit"] = v["total_profit"] - v["income_tax"]
    return v


BS_ROWS_ZH = [
    ("流动资产：", None), ("货币资金", "cash"), ("应收账款", "receivables"),
    ("预付款项", "prepayments"), ("存货", "inventory"), ("其他流动资产", "other_current"),
    ("流动资产合计", "current_assets"), ("非流动资产：", None),
    ("长期股权投资", "lt_investment"), ("固定资产", "fixed_assets"), ("无形资产", "intangibles"),
    ("非流动资产合计", "noncurrent_assets"), ("资产总计", "total_assets"),
    ("流动负债：", None), ("短期借款", "st_borrowings"), ("应付账款", "payables"),
    ("应付职工薪酬", "payroll"), ("应交税费", "taxes"), ("流动负债合计", "current_liabilities"),
    ("非流动负债：", None), ("长期借款", "lt_borrowings"),
    ("非流动负债合计", "noncurrent_liabilities"), ("负债合计", "total_liabilities"),
    ("所有者权益（或股东权益）：", None), ("实收资本（或股本）", "paid_in"),
    ("盈余公积", "surplus"), ("未分配利润", "retained"),
    ("所有者权益（或股东权益）合计", "total_equity"),
    ("负债和所有者权益（或股东权益）总计", "total_liab_equity"),
]
BS_ROWS_EN = [
    ("Current assets:", None), ("Cash and cash equivalents", "cash"),
    ("Accounts receivable", "receivables"), ("Prepayments", "prepayments"),
    ("Inventories", "inventory"), ("Other current assets", "other_current"),
    ("Total current assets", "current_assets"), ("Non-current assets:", None),
    ("Long-term equity investments", "lt_investment"), ("Fixed assets", "fixed_assets"),
    ("Intangible assets", "intangibles"), ("Total non-current assets", "noncurrent_assets"),
    ("Total assets", "total_assets"), ("Current liabilities:", None),
    ("Short-term borrowings", "st_borrowings"), ("Accounts payable", "payables"),
    ("Employee benefits payable", "payroll"), ("Taxes payable", "taxes"),
    ("Total current liabilities", "current_liabilities"), ("Long-term borrowings", "lt_borrowings"),
    ("Total non-current liabilities", "noncurrent_liabilities"),
    ("Total liabilities", "total_liabilities"), ("Equity:", None),
    ("Paid-in capital", "paid_in"), ("Surplus reserve", "surplus"),
    ("Retained earnings", "retained"), ("Total equity", "total_equity"),
    ("Total liabilities and equity", "total_liab_equity"),
]
IS_ROWS_ZH = [
    ("一、营业收入", "revenue"), ("减：营业成本", "cost"), ("税金及附加", "tax_surcharge"),
    ("销售费用", "selling"), ("管理费用", "admin"), ("研发费用", "rnd"), ("财务费用", "finance"),
    ("二、营业利润（亏损以“-”号填列）", "operating_profit"), ("加：营业外收入", "nonop_income"),
    ("减：营业外支出", "nonop_expense"), ("三、利润总额", "total_profit"),
    ("减：所得税费用", "income_tax"), ("四、净利润", "net_profit"),
]
IS_ROWS_EN = [
    ("Revenue", "revenue"), ("Less: Cost of sales", "cost"), ("Taxes and surcharges",
     "tax_surcharge"), ("Selling expenses", "selling"), ("Administrative expenses", "admin"),
    ("R&D expenses", "rnd"), ("Finance costs", "finance"), ("Operating profit", "operating_profit"),
    ("Add: Non-operating income", "nonop_income"), ("Less: Non-operating expenses",
     "nonop_expense"), ("Total profit", "total_profit"), ("Less: Income tax expenses",
     "income_tax"), ("Net profit", "net_profit"),
]
BS_FIELDS = ("cash", "current_assets", "total_assets", "current_liabilities",
             "total_liabilities", "total_equity")
IS_FIELDS = ("revenue", "operating_profit", "net_profit")


def period_end(rng: random.Random) -> date:
    year = rng.randint(2019, 2024)
    return rng.choice([date(year, 12, 31), date(year, 12, 31), date(year, 6, 30)])
