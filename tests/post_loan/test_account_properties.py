"""The loan account under any plan (a project's with interest from before it began, too) and
any run of payments (hypothesis): every payment is
accounted for to the cent, nothing goes negative or is paid twice, an instalment is settled
exactly when nothing is left on it, and a prepayment never costs the customer more interest
than the same money paid ahead of the plan; with or without a prepayment fee; and the same,
with a settlement at its quote, for a plan repriced to the LPR at any rate on any day; and
status, the loan book and a settlement quote show the same principal left.
PROPERTY_EXAMPLES=10000 searches harder."""

from __future__ import annotations

import os
from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from journey.classification import RiskClass
from journey.loan_account import Account, Payment
from journey.loan_book import book_line
from journey.loan_payments import (
    apply_payments,
    due_by,
    payoff_quote,
    prepayment_refusal,
    settlement_quote,
)
from journey.lpr import RateChange, RateHistory
from journey.owed_figures import owed_figures
from journey.post_loan_policy import NO_FEE, PrepaymentFee
from journey.repayment import Frequency, RepaymentMethod, build_schedule, with_interest_before
from journey.stages import Party, Stage
from journey.status import JourneyStatus

START = date(2026, 1, 31)  # a month end: due dates clamp to shorter months
ZERO = Decimal(0)
FEES = st.sampled_from([NO_FEE, PrepaymentFee(rate=Decimal("0.01")),
                        PrepaymentFee(rate=Decimal("0.02"), months=6)])


@st.composite
def loans(draw: st.DrawFn):
    frequency = draw(st.sampled_from(Frequency))
    method = draw(st.sampled_from(RepaymentMethod))
    periods = draw(st.integers(1, 12))
    term = periods * frequency.months
    grace = draw(st.integers(0, periods - 1)) * frequency.months if periods > 1 else 0
    principal = Decimal(draw(st.integers(100_000, 5_000_000_000))) / 100
    rate = draw(st.sampled_from(["0", "0.0345", "0.0435", "0.06", "0.12"]))
    plan = build_schedule(principal, Decimal(rate), term, method, frequency, START, grace)
    # a project's plan: the drawdowns' interest until they closed, due with the first
    before = draw(st.sampled_from([0, 0, 1, int(principal * Decimal(rate) * 100) // 12 + 1]))
    plan = with_interest_before(plan, Decimal(before) / 100)
    return plan, Decimal(rate) * frequency.months / 12, method, frequency


@st.composite
def runs(draw: st.DrawFn, plan) -> list[Payment]:
    """Up to six payments over the plan's life and a little past it, of any size, each a
    repayment, a prepayment or (at most one, last) a settlement."""
    last = (plan[-1].due_on - START).days + 40
    total = sum(i.payment for i in plan)
    days = sorted(draw(st.lists(st.integers(0, last), max_size=6)))
    payments = []
    for n, day in enumerate(days):
        cents_ = draw(st.integers(1, int(total * 100 * Decimal("0.6")) + 1))
        kind = draw(st.sampled_from(["repays", "prepays", "shortens", "settles"]))
        if kind == "settles" and n != len(days) - 1:
            kind = "repays"
        payments.append(Payment(
            reference=f"P{n}", amount=Decimal(cents_) / 100, paid_on=START + timedelta(days=day),
            order=n, prepays=kind in ("prepays", "shortens"), shortens=kind == "shortens",
            settles=kind == "settles",
        ))
    return payments


def check(account: Account, principal: Decimal) -> None:
    allocated = sum((i.interest_paid + i.principal_paid + i.penalty_paid
                     for i in account.instalments), ZERO)
    assert account.paid == allocated + account.fee_paid + account.credit  # every cent
    assert account.credit >= 0 and 0 <= account.fee_paid <= account.fee_due
    assert sum(i.principal_due for i in account.instalments) == principal
    for i in account.instalments:
        assert 0 <= i.interest_paid <= i.interest_due
        assert 0 <= i.principal_prepaid <= i.principal_paid <= i.principal_due
        assert 0 <= i.penalty_paid <= i.penalty_due
        assert 0 <= i.interest_fixed <= i.interest_due
        assert (i.settled_on is not None) == (i.outstanding == 0), i


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "300")), deadline=None)
@given(st.data())
def test_every_payment_is_accounted_for_and_nothing_goes_negative(data) -> None:
    plan, period_rate, *_ = data.draw(loans())
    payments = data.draw(runs(plan))
    penalty = data.draw(st.sampled_from([ZERO, Decimal("0.09")]))
    fee = data.draw(FEES)
    principal = sum(i.principal for i in plan)
    as_of = max([p.paid_on for p in payments], default=START) + timedelta(days=30)
    account = apply_payments(plan, payments, START, penalty, as_of, period_rate, fee)
    check(account, principal)
    if account.repaid:
        assert account.owed == 0


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "300")), deadline=None)
@given(st.data())
def test_a_prepayment_costs_no_more_interest_than_paying_ahead(data) -> None:
    plan, period_rate, *_ = data.draw(loans())
    earlier = [p.model_copy(update={"prepays": False, "shortens": False, "settles": False})
               for p in data.draw(runs(plan))]
    on = max([p.paid_on for p in earlier], default=START) + timedelta(
        days=data.draw(st.integers(0, 60)))
    fee = data.draw(FEES)
    before = apply_payments(plan, earlier, START, ZERO, on, period_rate, fee)
    amount = Decimal(data.draw(st.integers(1, int(before.owed * 100) + 1))) / 100
    if prepayment_refusal(before, amount, on, START, fee) is not None:
        return
    money = Payment(reference="X", amount=amount, paid_on=on, order=len(earlier))
    prepayment = money.model_copy(update={"prepays": True, "shortens": data.draw(st.booleans())})
    ahead = apply_payments(plan, [*earlier, money], START, ZERO, on, period_rate, fee)
    prepaid = apply_payments(plan, [*earlier, prepayment], START, ZERO, on, period_rate, fee)
    principal = sum(i.principal for i in plan)
    check(prepaid, principal)
    assert prepaid.principal_due_after(on) < before.principal_due_after(on)
    assert sum(i.interest_due for i in prepaid.instalments) <= sum(
        i.interest_due for i in ahead.instalments)
    # and settling the next day takes exactly the quote: the loan closes, with the credit
    # the quote shows (interest paid ahead beyond what accrues by then)
    day = on + timedelta(days=1)
    if day >= plan[-1].due_on:
        return
    quote = settlement_quote(prepaid, day, START, fee=fee)
    settling = Payment(reference="S", amount=quote.owed, paid_on=day, order=len(earlier) + 1,
                       settles=True)
    settled = apply_payments(plan, [*earlier, prepayment, settling], START, ZERO, day,
                             period_rate, fee)
    assert settled.repaid and settled.owed == 0 and settled.credit == quote.credit


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "300")), deadline=None)
@given(st.data())
def test_a_repriced_plan_accounts_for_every_payment_and_settles_at_its_quote(data) -> None:
    plan, period_rate, method, frequency = data.draw(loans())
    last = (plan[-1].due_on - START).days
    changes = [RateChange(on=START + timedelta(days=day), old_rate=ZERO, base="1y LPR",
                          spread=ZERO, new_rate=Decimal(data.draw(st.sampled_from(
                              ["0", "0.0290", "0.0435", "0.09"]))))
               for day in sorted(set(data.draw(st.lists(st.integers(1, last), max_size=2))))]
    rates = RateHistory(method=method, frequency=frequency, changes=changes)
    payments = data.draw(runs(plan))
    fee = data.draw(FEES)
    principal = sum(i.principal for i in plan)
    as_of = max([p.paid_on for p in payments], default=START) + timedelta(days=30)
    account = apply_payments(plan, payments, START, Decimal("0.09"), as_of, period_rate, fee,
                             rates)
    check(account, principal)
    day = as_of - timedelta(days=29)
    if any(p.settles for p in payments) or day >= account.instalments[-1].due_on:
        return
    on_day = apply_payments(plan, payments, START, ZERO, day, period_rate, fee, rates)
    quote = settlement_quote(on_day, day, START, fee=fee)
    settling = Payment(reference="S", amount=quote.owed, paid_on=day, order=len(payments),
                       settles=True)
    settled = apply_payments(plan, [*payments, settling], START, ZERO, day, period_rate, fee,
                             rates)
    assert settled.repaid and settled.owed == 0 and settled.credit == quote.credit


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "300")), deadline=None)
@given(st.data())
def test_status_the_book_and_the_settlement_quote_show_one_principal(data) -> None:
    plan, period_rate, *_ = data.draw(loans())
    payments = [p for p in data.draw(runs(plan)) if not p.settles]
    penalty = data.draw(st.sampled_from([ZERO, Decimal("0.09")]))
    fee = data.draw(FEES)
    day = max([p.paid_on for p in payments], default=START) + timedelta(
        days=data.draw(st.integers(0, 40)))
    account = apply_payments(plan, payments, START, penalty, day, period_rate, fee)
    status = JourneyStatus(workflow_id="loan-P", application_id="P", stage=Stage.POST_LOAN,
                           attempt=1, waits_on=Party.CUSTOMER, account=account,
                           risk_class=RiskClass.NORMAL)
    matured = day >= plan[-1].due_on
    quote = (payoff_quote(account, day, penalty) if matured
             else settlement_quote(account, day, START, penalty, fee))
    owed = owed_figures(account, quote, day)
    line = book_line(status, "working_capital", owed)
    assert line is not None and line.principal == account.principal_owed == owed.principal
    assert line.arrears == owed.past_due and owed.due == due_by(account, day)
    if quote.credit == account.credit:  # unless interest paid ahead is more than all owed
        assert owed.to_settle == (owed.principal + owed.due_interest + owed.penalty + owed.fee
                                  + owed.settle_fee + owed.accrued - owed.paid_ahead)
    if matured:
        return
    assert quote.principal_owed == account.principal_owed
    assert quote.owed_parts().startswith(f"principal {account.principal_owed:,}, ")
    # and the quote still settles the loan, to the cent
    settling = Payment(reference="S", amount=quote.owed, paid_on=day, order=len(payments),
                       settles=True)
    settled = apply_payments(plan, [*payments, settling], START, penalty, day, period_rate, fee)
    assert settled.repaid and settled.owed == 0 and settled.credit == quote.credit
