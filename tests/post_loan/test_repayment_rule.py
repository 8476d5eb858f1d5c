"""A plain repayment, the pure rule: it pays what is due by its day and may pay the current
instalment early, as the plan asks it; more is a prepayment or a settlement, refused with
what is due and where to go instead."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from journey.loan_account import Payment
from journey.loan_payments import apply_payments, repayment_refusal
from journey.repayment import Frequency, RepaymentMethod, build_schedule

START = date(2026, 1, 15)
PLAN = build_schedule(Decimal("120000.00"), Decimal("0.06"), 12, RepaymentMethod.EQUAL_PRINCIPAL,
                      Frequency.MONTHLY, START)
FIRST, SECOND = PLAN[0], PLAN[1]


def test_on_the_payout_day_only_the_current_instalment_may_be_paid() -> None:
    account = apply_payments(PLAN, [], START, as_of=START)
    assert repayment_refusal(account, FIRST.payment, START) is None
    too_much = repayment_refusal(account, Decimal("120000.00"), START)
    assert too_much is not None
    assert too_much.startswith(
        f"120,000.00 is more than a repayment on 2026-01-15 pays, {FIRST.payment:,}: what is due "
        f"by then (0.00) and the current instalment #1 (due {FIRST.due_on}, {FIRST.payment:,})")
    assert "--prepay" in too_much and "--settle" in too_much


def test_what_is_past_due_with_its_penalty_and_the_current_instalment() -> None:
    late = date(2026, 3, 1)  # #1 unpaid since 2026-02-15, #2 running
    account = apply_payments(PLAN, [], START, penalty_rate=Decimal("0.09"), as_of=late)
    due = account.instalments[0].outstanding
    assert due > FIRST.payment  # penalty interest accrued
    assert repayment_refusal(account, due + SECOND.payment, late) is None
    refused = repayment_refusal(account, due + SECOND.payment + Decimal("0.01"), late)
    assert refused is not None and f"what is due by then ({due:,})" in refused


def test_once_the_current_instalment_is_paid_early_nothing_more_is_a_repayment() -> None:
    early = [Payment(reference="E-1", amount=FIRST.payment, paid_on=START)]
    account = apply_payments(PLAN, early, START, as_of=START)
    refused = repayment_refusal(account, SECOND.payment, START)
    assert refused is not None and "pays, 0.00: what is due by then (0.00). " in refused
