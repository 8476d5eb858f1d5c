"""Reclassification: downgrades at once, upgrades after an observation period (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from journey.actors import Actor, Role
from journey.class_judgement import ClassifyLoan, ClassProposal, check_classification, confirms
from journey.classification import RiskClass, instalments_to_upgrade, reclassify
from journey.loan_account import Payment
from journey.loan_payments import apply_payments
from journey.policy.errors import DecisionRefused
from journey.repayment import Frequency, RepaymentMethod, build_schedule

NORMAL, WATCH, SUB = RiskClass.NORMAL, RiskClass.SPECIAL_MENTION, RiskClass.SUBSTANDARD
PLAN = build_schedule(  # 12 x 10,000 principal, monthly, due on the 15th from 2026-02-15
    Decimal("120000.00"), Decimal("0.06"), 12, RepaymentMethod.EQUAL_PRINCIPAL,
    Frequency.MONTHLY, date(2026, 1, 15),
)


def test_downgrades_are_immediate_whatever_the_observation() -> None:
    down = reclassify(NORMAL, 1, NORMAL, on_time=0, needed=3)
    assert down.risk_class is WATCH and "1 days past due" in down.reason
    assert reclassify(WATCH, 91, NORMAL, on_time=5, needed=3).risk_class is SUB
    assert reclassify(NORMAL, 0, WATCH, on_time=5, needed=3).risk_class is WATCH  # a review
    # before any review, breaches on file carried from the payout judge it, and say so
    carried = reclassify(NORMAL, 0, WATCH, on_time=0, needed=3, reviewed=False,
                         on_file="max-leverage breached on file since the payout")
    assert (carried.risk_class, carried.reason) == (WATCH, (
        "special_mention (关注): 0 days past due (floor 正常), max-leverage breached on file "
        "since the payout, no review yet"))


def test_an_upgrade_waits_for_enough_instalments_paid_on_time() -> None:
    held = reclassify(WATCH, 0, NORMAL, on_time=2, needed=3)
    assert held.risk_class is WATCH
    assert held.reason == (
        "special_mention (关注) held in observation: 0 days past due (floor 正常), last review "
        "assessed 正常 would allow normal (正常), once 3 consecutive instalments are paid on "
        "time since the downgrade (2 so far)"
    )
    up = reclassify(WATCH, 0, NORMAL, on_time=3, needed=3)
    assert up.risk_class is NORMAL
    assert "upgraded from special_mention (关注)" in up.reason
    assert "(observation period 3)" in up.reason
    # without an observation period (older pinned policies) the upgrade is immediate
    assert reclassify(SUB, 0, NORMAL, on_time=0, needed=0).risk_class is NORMAL
    # part of the way: 次级 with the arrears cleared but a review still at 关注
    assert reclassify(SUB, 0, WATCH, on_time=3, needed=3).risk_class is WATCH


def payments(*items: tuple[int, date]) -> list[Payment]:
    return [
        Payment(reference=f"P{n}", amount=PLAN[n - 1].payment, paid_on=on, order=k)
        for k, (n, on) in enumerate(items)
    ]


def test_the_on_time_run_counts_back_from_the_latest_instalment_due() -> None:
    late_first = payments(
        (1, date(2026, 2, 20)),  # 5 days late
        (2, date(2026, 3, 15)), (3, date(2026, 4, 10)), (4, date(2026, 5, 1)),  # early/on time
    )
    account = apply_payments(PLAN, late_first)
    assert account.on_time_run(None, date(2026, 5, 20)) == 3  # 4, 3, 2; then 1 was late
    assert account.on_time_run(None, date(2026, 4, 20)) == 2  # 4 is not due yet
    assert account.on_time_run(date(2026, 2, 21), date(2026, 5, 20)) == 3  # since the downgrade
    assert account.on_time_run(date(2026, 3, 15), date(2026, 5, 20)) == 2  # 2 fell due before
    # due today and unpaid: it can still be paid on time, so it does not break the run
    assert account.on_time_run(None, date(2026, 6, 15)) == 3
    assert account.on_time_run(None, date(2026, 6, 16)) == 0  # now it is late


def test_out_of_non_performing_an_upgrade_waits_two_periods_and_six_months() -> None:
    """The 2023 rules: two repayment periods or six months of paying on time, the longer."""
    assert instalments_to_upgrade(RiskClass.SUBSTANDARD, 3, period_months=1) == 6
    assert instalments_to_upgrade(RiskClass.DOUBTFUL, 3, period_months=3) == 3
    assert instalments_to_upgrade(RiskClass.LOSS, 0, period_months=3) == 2
    assert instalments_to_upgrade(RiskClass.SUBSTANDARD, 8, period_months=1) == 8
    assert instalments_to_upgrade(RiskClass.SPECIAL_MENTION, 3, period_months=1) == 3
    held = reclassify(RiskClass.SUBSTANDARD, 0, RiskClass.NORMAL, on_time=3,
                      needed=instalments_to_upgrade(RiskClass.SUBSTANDARD, 3, 1))
    assert held.risk_class is RiskClass.SUBSTANDARD


def test_a_class_on_judgement_is_never_better_than_the_floor_and_confirmed_as_proposed() -> None:
    officer, sup = Actor(id="ro", role=Role.RISK_OFFICER), Actor(id="sup", role=Role.SUPERVISOR)
    ask = ClassifyLoan(actor=officer, risk_class=RiskClass.SPECIAL_MENTION, reason="upgrade")
    with pytest.raises(DecisionRefused, match="classify it at least substandard"):
        check_classification(RiskClass.DOUBTFUL, RiskClass.SUBSTANDARD, None, ask, "95 dpd",
                             "sme_risk")
    proposal = ClassProposal(risk_class=RiskClass.LOSS, reason="fraud", by="ro",
                             at=datetime(2026, 12, 7, tzinfo=UTC))
    other = ask.model_copy(update={"actor": sup, "risk_class": RiskClass.DOUBTFUL})
    assert confirms(proposal, other) and not confirms(proposal, ask)
    with pytest.raises(DecisionRefused, match="confirm it by classifying loss"):
        check_classification(RiskClass.SUBSTANDARD, RiskClass.SUBSTANDARD, proposal, other, "",
                             "sme_risk")
    check_classification(RiskClass.SUBSTANDARD, RiskClass.SUBSTANDARD, proposal,
                         other.model_copy(update={"risk_class": RiskClass.LOSS}), "",
                         "sme_risk")
