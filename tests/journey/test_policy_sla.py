"""SLA points of the default policy: warning, breach, escalations and expiry."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from journey.application import Product
from journey.policy import EscalationAction, Policy, build_calendar, expiry_at, sla_points
from journey.stages import Stage

CST = timezone(timedelta(hours=8))
NATIONAL_DAY = [date(2026, 10, d) for d in (1, 2, 5, 6, 7)]
CAL = build_calendar(NATIONAL_DAY, [date(2026, 9, 20), date(2026, 10, 10)])
A = EscalationAction


def cst(m: int, d: int, hh: int, mm: int = 0, y: int = 2026) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


def _points(policy: Policy, stage: Stage, product: Product, entered: datetime) -> list[tuple]:
    got = sla_points(policy, stage, product, entered.astimezone(UTC), CAL)
    assert got == sorted(got, key=lambda p: p.at)
    assert all(p.at.tzinfo == UTC for p in got)
    return [(p.kind, p.level, p.at, p.action) for p in got]


def test_risk_review_across_national_day(policy: Policy) -> None:
    """24 working hours from Wed 30 Sep 10:00: the holiday week and Sunday do not count."""
    assert _points(policy, Stage.RISK_REVIEW, Product.WORKING_CAPITAL, cst(9, 30, 10)) == [
        ("warning", 0, cst(10, 9, 12, 12), None),  # 80% = 19h12m
        ("breach", 0, cst(10, 9, 17), None),
        ("escalation", 1, cst(10, 10, 12, 30), A.REMIND_OWNER),  # +4h, make-up Saturday
        ("escalation", 2, cst(10, 10, 17), A.REASSIGN_SUPERVISOR),  # +1 working day
        ("escalation", 3, cst(10, 12, 17), A.NOTIFY_CUSTOMER),  # +2 working days, not Sunday
    ]


def test_risk_review_across_a_weekend(policy: Policy) -> None:
    points = _points(policy, Stage.RISK_REVIEW, Product.FIXED_ASSET, cst(11, 27, 9))
    assert points[1] == ("breach", 0, cst(12, 1, 16), None)  # Fri 8.5 + Mon 8.5 + Tue 7


# (product, working days to breach) from Mon 23 Nov 2026 10:00
APPROVAL = [
    (Product.WORKING_CAPITAL, cst(12, 9, 10), cst(12, 14, 10)),  # short-term: 15 days
    (Product.FIXED_ASSET, cst(12, 15, 10), cst(12, 21, 10)),  # 20 days
]


@pytest.mark.parametrize(("product", "warning", "breach"), APPROVAL)
def test_approval_per_product(
    policy: Policy, product: Product, warning: datetime, breach: datetime
) -> None:
    points = _points(policy, Stage.APPROVAL, product, cst(11, 23, 10))
    assert points[:2] == [("warning", 0, warning, None), ("breach", 0, breach, None)]


def test_short_term_decision_within_a_month(policy: Policy) -> None:
    """Complete application to approval breach stays within a calendar month."""
    entered = cst(11, 2, 9).astimezone(UTC)
    review = sla_points(policy, Stage.RISK_REVIEW, Product.WORKING_CAPITAL, entered, CAL)[1].at
    approval = sla_points(policy, Stage.APPROVAL, Product.WORKING_CAPITAL, review, CAL)[1].at
    assert approval - entered <= timedelta(days=31)


def test_completeness_counts_calendar_days(policy: Policy) -> None:
    assert _points(policy, Stage.COMPLETENESS, Product.FIXED_ASSET, cst(9, 30, 10)) == [
        ("warning", 0, cst(10, 4, 10), None),
        ("breach", 0, cst(10, 5, 10), None),
        ("escalation", 1, cst(10, 5, 10), A.NOTIFY_CUSTOMER),
        ("escalation", 2, cst(10, 7, 10), A.REMIND_OWNER),
    ]


@pytest.mark.parametrize(
    "stage",
    [Stage.INTAKE, Stage.DOCUMENTS, Stage.ROUTING, Stage.DISBURSEMENT, Stage.POST_LOAN,
     Stage.CLOSED],
)  # fmt: skip
def test_stages_without_sla(policy: Policy, stage: Stage) -> None:
    assert sla_points(policy, stage, Product.WORKING_CAPITAL, cst(11, 23, 10), CAL) == []
    assert expiry_at(policy, stage, Product.WORKING_CAPITAL, cst(11, 23, 10), CAL) is None


def test_offer_breaches_then_expires(policy: Policy) -> None:
    entered = cst(11, 23, 15)
    points = _points(policy, Stage.OFFER, Product.PROJECT_FINANCE, entered)
    assert points[1] == ("breach", 0, cst(12, 7, 15), None)
    assert expiry_at(policy, Stage.OFFER, Product.PROJECT_FINANCE, entered, CAL) == cst(12, 23, 15)
    assert expiry_at(policy, Stage.APPROVAL, Product.PROJECT_FINANCE, entered, CAL) is None


def test_naive_entry_is_refused(policy: Policy) -> None:
    with pytest.raises(ValueError, match="time zone"):
        sla_points(policy, Stage.OFFER, Product.FIXED_ASSET, datetime(2026, 1, 1), CAL)


def test_supplements_expire_after_a_month(policy: Policy) -> None:
    entered = cst(9, 30, 10)
    got = expiry_at(policy, Stage.COMPLETENESS, Product.WORKING_CAPITAL, entered, CAL)
    assert got == cst(10, 30, 10)
