"""Partial prepayment (提前部分还款), the pure rule: what is due is paid first, the rest
repays principal; the instalments after keep their dates and shrink in proportion, their
interest follows the lower balance, interest paid ahead comes back, and a settlement later
in the period still owes what the prepaid principal accrued."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from journey.loan_account import Payment
from journey.loan_payments import (
    apply_payments,
    prepayment_quote,
    prepayment_refusal,
    settlement_quote,
)
from journey.post_loan_policy import PrepaymentFee
from journey.repayment import Frequency, RepaymentMethod, annuity_payment, build_schedule

START = date(2026, 1, 15)
RATE = Decimal("0.06")
R = RATE / 12  # the plan's rate per period: 0.5% a month
ON = date(2026, 3, 1)  # 14 days into the second period (2026-02-15 to 2026-03-15, 28 days)


def plan(method: RepaymentMethod = RepaymentMethod.EQUAL_PRINCIPAL):
    return build_schedule(Decimal("120000.00"), RATE, 12, method, Frequency.MONTHLY, START)


def payments(plan_, *extra: Payment) -> list[Payment]:
    first = Payment(reference="M-01", amount=plan_[0].payment, paid_on=plan_[0].due_on)
    return [first, *[p.model_copy(update={"order": n}) for n, p in enumerate(extra, 1)]]


def prepay(amount: str, on: date = ON) -> Payment:
    return Payment(reference="PRE-1", amount=Decimal(amount), paid_on=on, prepays=True)


def test_equal_principal_keeps_the_term_and_shrinks_every_later_instalment() -> None:
    p = plan()
    account = apply_payments(p, payments(p, prepay("30000")), START, period_rate=R)
    later = account.instalments[1:]
    assert [i.due_on for i in later] == [i.due_on for i in p[1:]]  # the dates stay
    assert account.principal_owed == Decimal("80000.00")  # 110,000 left, 30,000 repaid
    assert {i.principal_planned for i in later[:-1]} == {Decimal("7272.73")}  # 80,000 / 11
    assert sum(i.principal_planned for i in later) == Decimal("80000.00")  # to the cent
    assert sum(i.principal_prepaid for i in later) == Decimal("30000.00")  # paid, not lost
    # the current period: 14 of 28 days on 110,000, the other 14 on 80,000
    assert later[0].interest_due == Decimal("550.00") - Decimal("75.00")
    # the next one: the rate on the new balance
    assert later[1].interest_due == Decimal("363.64")  # 0.5% of 80,000 - 7,272.73
    assert account.paid == p[0].payment + 30000 and account.credit == 0


def test_equal_instalment_stays_level_at_the_annuity_of_the_new_balance() -> None:
    p = plan(RepaymentMethod.EQUAL_INSTALMENT)
    account = apply_payments(p, payments(p, prepay("30000")), START, period_rate=R)
    after = account.instalments[2:]  # the periods wholly after the prepayment
    balance = sum(i.principal_planned for i in after)
    level = annuity_payment(balance, R, len(after))
    gaps = [abs(i.principal_planned + i.interest_due - level) for i in after]
    assert max(gaps[:-1]) <= Decimal("0.01")  # level to the cent
    assert gaps[-1] <= Decimal("0.05")  # the last takes the rounding, as plans do
    assert level < p[2].payment


def test_a_relevelling_prepayment_re_amortises_to_one_payment_but_the_last() -> None:
    """Shares in proportion, each rounded, leave the instalments a cent apart here and
    there; re-amortised, every one after the current period's asks the annuity of the new
    balance to the cent, the last the rest, and the quote is the booking."""
    p = plan(RepaymentMethod.EQUAL_INSTALMENT)
    relevel = prepay("30000").model_copy(update={"relevels": True})
    account = apply_payments(p, payments(p, relevel), START, period_rate=R)
    after = account.instalments[2:]
    level = annuity_payment(sum(i.principal_planned for i in after), R, len(after))
    assert {i.principal_planned + i.interest_due for i in after[:-1]} == {level}
    assert account.principal_owed == Decimal("120000.00") - p[0].principal - 30000
    quoted = prepayment_quote(apply_payments(p, payments(p), START), Decimal("30000"), ON,
                              START, R, relevels=True)
    assert quoted == account


def test_what_is_due_is_paid_first_with_its_penalty() -> None:
    p = plan()
    penalty = Decimal("0.09")  # the loan's rate and half again
    account = apply_payments(p, [prepay("30000")], START, penalty, period_rate=R)
    first = account.instalments[0]  # due 2026-02-15, past due 14 days on the 1st of March
    assert first.settled_on == ON
    assert first.penalty_paid == Decimal("37.10")  # 10,600 at 9% for 14 days over 360
    # what is left of 30,000 after 10,637.10 repays principal ahead of the plan
    assert account.principal_owed == Decimal("110000.00") - Decimal("19362.90")
    assert account.days_past_due(ON + timedelta(days=1)) == 0


def test_the_minimum_is_tested_on_the_principal_left_after_the_penalty() -> None:
    """An account drawn up before the penalty accrued (status's, quoting a later day): the
    refusal counts the penalty to the day, as the prepayment books it, so what it accepts
    repays at least the minimum ahead of the plan."""
    p, penalty, least = plan(), Decimal("0.09"), Decimal("20000.00")
    account = apply_payments(p, [], START, penalty, as_of=p[0].due_on)
    assert account.penalty_owed == 0
    short = p[0].payment + least  # 10,600 due, and 37.10 of penalty on it by ON
    assert prepayment_refusal(account, short, ON, START, minimum=least,
                              penalty_rate=penalty) == (
        "30,600.00 repays 19,962.90 of principal ahead of the plan, after what is due by "
        "2026-03-01 (10,637.10, penalty interest included), and a prepayment repays at least "
        "20,000.00: prepay more, or record it as a repayment")
    enough = short + Decimal("37.10")
    assert prepayment_refusal(account, enough, ON, START, minimum=least,
                              penalty_rate=penalty) is None
    quoted = prepayment_quote(account, enough, ON, START, R, penalty)
    assert account.principal_due_after(ON) - quoted.principal_due_after(ON) == least


def test_interest_paid_ahead_beyond_the_lower_interest_is_paid_again_that_day() -> None:
    p = plan()
    ahead = Payment(reference="AHEAD", amount=p[1].payment, paid_on=date(2026, 2, 20))
    account = apply_payments(p, payments(p, ahead, prepay("30000")), START, period_rate=R)
    second = account.instalments[1]
    # 550.00 of interest was paid ahead, 475.00 is due now: the 75.00 over is money paid on
    # the 1st of March, which goes to the next instalment, interest first
    assert second.interest_due == second.interest_paid == Decimal("475.00")
    assert account.principal_owed == Decimal("110000.00") - p[1].principal - 30000
    assert account.instalments[2].interest_paid == Decimal("75.00")
    assert account.paid - account.credit == sum(
        i.interest_paid + i.principal_paid + i.penalty_paid for i in account.instalments
    )


def test_a_settlement_later_in_the_period_owes_the_interest_the_prepaid_principal_accrued(
) -> None:
    p = plan()
    account = apply_payments(p, payments(p, prepay("30000")), START, period_rate=R)
    quote = settlement_quote(account, date(2026, 3, 7), START)
    # 14 days on 110,000 and 6 days on 80,000, of a 28-day period
    assert quote.owed == Decimal("80000.00") + Decimal("275.00") + Decimal("85.71")


def test_the_quote_is_the_booking() -> None:
    p = plan()
    before = apply_payments(p, payments(p), START)
    quoted = prepayment_quote(before, Decimal("30000"), ON, START, R)
    booked = apply_payments(p, payments(p, prepay("30000")), START, period_rate=R)
    assert quoted == booked


def test_what_is_not_a_prepayment_is_refused_with_what_to_do() -> None:
    p = plan()
    account = apply_payments(p, [], START)
    assert prepayment_refusal(account, Decimal("30000"), ON, START) is None
    due = p[0].payment
    assert prepayment_refusal(account, due, ON, START) == (
        f"{due:,} pays only what is due by {ON} ({due:,}, penalty interest included): nothing "
        "is left to prepay; record it as a repayment"
    )
    assert "settle the loan instead" in prepayment_refusal(account, Decimal("120600.00"), ON, START)
    assert "nothing is left to prepay" in prepayment_refusal(
        account, Decimal(1), p[-1].due_on, START)
    # the policy's least principal a prepayment repays ahead: what is due does not count
    least = Decimal("20000")
    short = due + least - Decimal("0.01")
    assert prepayment_refusal(account, short, ON, START, minimum=least) == (
        f"{short:,} repays 19,999.99 of principal ahead of the plan, after what is due by "
        f"{ON} ({due:,}, penalty interest included), and a prepayment repays at least "
        "20,000.00: prepay more, or record it as a repayment"
    )
    assert prepayment_refusal(account, due + least, ON, START, minimum=least) is None


def test_a_prepayment_without_the_plans_rate_is_a_programming_error() -> None:
    p = plan()
    with pytest.raises(ValueError, match="rate per period"):
        apply_payments(p, payments(p, prepay("30000")), START)


FEE = PrepaymentFee(rate=Decimal("0.01"), months=12)  # 1% within the first year


def test_a_settlement_pays_the_fee_on_the_principal_it_brings_forward() -> None:
    p = plan()
    account = apply_payments(p, payments(p), START, fee=FEE)
    on = date(2026, 3, 1)
    quote = settlement_quote(account, on, START, fee=FEE)
    fee = Decimal("1100.00")  # 1% of the 110,000 left
    assert quote.owed == Decimal("110000.00") + Decimal("275.00") + fee
    assert quote.owed_parts() == (
        "principal 110,000.00, interest 275.00, prepayment fee 1,100.00")
    settling = Payment(reference="S", amount=quote.owed, paid_on=on, order=1, settles=True)
    settled = apply_payments(p, [*payments(p), settling], START, fee=FEE)
    assert settled.repaid and settled.credit == 0 and settled.fee_paid == fee
    # after the fee's first year, none
    late = date(2027, 1, 20)
    assert settlement_quote(account, late, START, fee=FEE).fee_due == 0


def test_a_prepayment_shares_its_rest_between_principal_and_fee() -> None:
    p = plan()
    account = apply_payments(p, payments(p, prepay("30300")), START, period_rate=R, fee=FEE)
    assert account.principal_owed == Decimal("80000.00")  # 30,000 of principal, 300 of fee
    assert account.fee_due == account.fee_paid == Decimal("300.00")
    assert prepayment_refusal(account, Decimal("80800.00"), ON, START, FEE) is not None
    assert prepayment_refusal(account, Decimal("80700.00"), ON, START, FEE) is None


def test_a_fee_a_short_settlement_left_is_paid_first() -> None:
    p = plan()
    short = Payment(reference="S", amount=Decimal("500"), paid_on=ON, order=1, settles=True)
    account = apply_payments(p, [*payments(p), short], START, fee=FEE)
    assert (account.fee_due, account.fee_paid) == (Decimal("1100.00"), Decimal("500"))
    assert not account.repaid and account.owed_parts().endswith("prepayment fee 600.00")
    more = Payment(reference="M", amount=Decimal("1000"), paid_on=ON, order=2)
    account = apply_payments(p, [*payments(p), short, more], START, fee=FEE)
    assert account.fee_paid == account.fee_due
    assert account.instalments[1].interest_paid == Decimal("275.00")  # the 400 left, interest first
    assert account.instalments[1].principal_paid == Decimal("125.00")


def test_a_prepayment_that_shortens_the_plan_repays_the_last_instalments_first() -> None:
    p = plan()
    shorten = prepay("30000").model_copy(update={"shortens": True})
    account = apply_payments(p, payments(p, shorten), START, period_rate=R)
    kept, gone = account.instalments[1:9], account.instalments[9:]
    assert {i.principal_planned for i in kept} == {Decimal("10000.00")}  # #2 to #9 stay
    assert {(i.principal_planned, i.interest_due, i.settled_on) for i in gone} == {(0, 0, ON)}
    assert account.ends_on() == p[8].due_on and account.principal_owed == Decimal("80000.00")
    assert account.instalments[1].interest_due == Decimal("475.00")  # as when shrinking
    assert account.instalments[2].interest_due == Decimal("350.00")  # 0.5% of 70,000


def test_a_prepayment_on_the_payout_day_recomputes_interest_on_the_new_principal() -> None:
    # 20m at 4%: a month's interest is 66,666.67; 1m prepaid the day it starts leaves
    # 19m, whose month is 63,333.33, not 66,666.67 less 1m's 3,333.33
    p = build_schedule(Decimal("20000000.00"), Decimal("0.04"), 12,
                       RepaymentMethod.EQUAL_PRINCIPAL, Frequency.MONTHLY, START)
    assert p[0].interest == Decimal("66666.67")
    account = apply_payments(p, [prepay("1000000", START)], START,
                             period_rate=Decimal("0.04") / 12)
    assert account.instalments[0].interest_due == Decimal("63333.33")
    assert account.instalments[0].interest_fixed == 0


def test_a_prepayment_reaching_what_settles_the_loan_or_leaving_less_than_the_least_is_refused(
) -> None:
    """Finance's figures: 3,000,000 at 3.6% over 12 equal instalments, 500,000 prepaid and the
    first instalment paid early on the payout day; settling that day takes 2,287,581.85, the
    principal less the 7,500.00 of interest paid ahead. Prepaying that booked 770.85 of
    principal in instalments of 78.75 that the interest paid ahead had paid: it settles the
    loan, and a prepayment that leaves less to settle than a prepayment's least is refused."""
    rate = Decimal("0.036")
    p = build_schedule(Decimal("3000000.00"), rate, 12, RepaymentMethod.EQUAL_INSTALMENT,
                       Frequency.MONTHLY, START)
    ahead = Payment(reference="PRE-1", amount=Decimal("500000.00"), paid_on=START,
                    prepays=True, relevels=True)
    account = apply_payments(p, [ahead], START, period_rate=rate / 12)
    first = Payment(reference="M-01", amount=account.instalments[0].outstanding, paid_on=START,
                    order=1)
    account = apply_payments(p, [ahead, first], START, period_rate=rate / 12)
    quote = settlement_quote(account, START, START)
    assert (account.principal_owed, quote.owed, quote.interest_back) == (
        Decimal("2295081.85"), Decimal("2287581.85"), Decimal("7500.00"))
    least = Decimal("100000.00")
    settle = "use `repay --settle` (settlement quote 2,287,581.85)"
    for amount in (quote.owed, quote.owed + 1, account.principal_owed):
        assert prepayment_refusal(account, amount, START, START, minimum=least) == (
            f"{amount:,} settles the loan on {START}: {settle}")
    assert prepayment_refusal(account, quote.owed, START, START) is not None  # any minimum
    assert prepayment_refusal(account, Decimal("2187581.86"), START, START, minimum=least) == (
        f"2,187,581.86 would leave 99,999.99 to settle the loan on {START}, less than the "
        "100,000.00 a prepayment repays at least, so that only settling could repay it: "
        f"prepay at most 2,187,581.85, or settle the loan instead: {settle}")
    most = Decimal("2187581.85")
    assert prepayment_refusal(account, most, START, START, minimum=least) is None
    after = prepayment_quote(account, most, START, START, rate / 12, relevels=True)
    assert settlement_quote(after, START, START).owed == least  # what it leaves to settle
    # a loan with less than two prepayments' least left (150,000.00) can only be settled
    small = apply_payments(p, [ahead.model_copy(update={"amount": Decimal("2850000.00")})],
                           START, period_rate=rate / 12)
    settle = "use `repay --settle` (settlement quote 150,000.00)"
    assert prepayment_refusal(small, least, START, START, minimum=least) == (
        f"100,000.00 would leave 50,000.00 to settle the loan on {START}, less than the "
        f"100,000.00 a prepayment repays at least, so that only settling could repay it: "
        f"settle the loan instead: {settle}")
    assert prepayment_refusal(small, Decimal("60000"), START, START, minimum=least) == (
        f"60,000.00 repays 60,000.00 of principal ahead of the plan, after what is due by "
        f"{START} (0.00, penalty interest included), and a prepayment repays at least "
        f"100,000.00: too little is left for one; record it as a repayment, or {settle}")
    # one settling the loan says so whatever the least
    assert prepayment_refusal(small, Decimal("150000"), START, START, minimum=least * 2) == (
        f"150,000.00 settles the loan on {START}: {settle}")
