"""Repricing a floating-rate loan to the LPR (journey/lpr.py), the pure rules: which loans
float, their repricing dates, the fixing in force, and the plan after a repricing for both
methods, with payments ahead, prepayments and settlement after it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from activities.policy import china_calendar, policy_text
from journey.loan_account import Payment
from journey.loan_payments import apply_payments, prepayment_quote, settlement_quote
from journey.lpr import (
    LprFixing,
    RateHistory,
    fixing_in_force,
    floats,
    rate_change,
    repricing_dates,
)
from journey.lpr_record import (
    date_refusal,
    last_publication,
    publication_day,
    rates_refusal,
    record_conflict,
)
from journey.policy import parse_policy
from journey.policy.pricing import PricingPolicy
from journey.repayment import Frequency, RepaymentMethod, build_schedule, cents

START = date(2026, 1, 15)
RATE = Decimal("0.0400")
ANNIVERSARY = date(2027, 1, 15)
EP, EI = RepaymentMethod.EQUAL_PRINCIPAL, RepaymentMethod.EQUAL_INSTALMENT
PACKAGED = parse_policy(policy_text(None)).pricing  # 1y LPR to 60 months, 5y LPR beyond
BASIS = PACKAGED.basis(24, 3, "working_capital")  # 1y LPR 3.10% + 0.75%
CUT = LprFixing(fixed_on=date(2026, 12, 20), one_year=Decimal("0.0300"),
                five_year=Decimal("0.0350"))


def plan(method: RepaymentMethod = EP):
    return build_schedule(Decimal("2400000.00"), RATE, 24, method, Frequency.MONTHLY, START)


def history(method: RepaymentMethod = EP, new: str = "0.0350", on: date = ANNIVERSARY
            ) -> RateHistory:
    change = rate_change(BASIS, RATE, on, CUT).model_copy(update={"new_rate": Decimal(new)})
    return RateHistory(method=method, frequency=Frequency.MONTHLY, changes=[change])


def on_time(p, numbers) -> list[Payment]:  # type: ignore[no-untyped-def]
    return [Payment(reference=f"M-{i.number}", amount=i.payment, paid_on=i.due_on, order=n)
            for n, i in enumerate(p) if i.number in numbers]


def test_loans_priced_by_the_policy_float_and_agreed_rates_stay_fixed() -> None:
    prices = PACKAGED
    assert floats(prices.basis(36, 2, "working_capital"))
    assert floats(prices.basis(84, 2, "working_capital"))  # over the 5-year LPR
    assert not floats(prices.agreed_basis(Decimal("0.0400"), 36))  # agreed: a fixed rate
    assert not floats(None)  # offered before the basis was kept
    assert floats(PricingPolicy().basis(36, 2, "working_capital"))  # a policy without pricing


def test_a_loan_is_repriced_on_each_anniversary_of_its_value_date_within_its_term() -> None:
    assert repricing_dates(date(2026, 1, 31), 36) == [date(2027, 1, 31), date(2028, 1, 31)]
    assert repricing_dates(date(2028, 2, 29), 24) == [date(2029, 2, 28)]
    assert repricing_dates(START, 12) == []  # repaid by its first anniversary


def test_the_fixing_in_force_is_the_latest_dated_on_or_before_the_day() -> None:
    older = CUT.model_copy(update={"fixed_on": date(2026, 11, 20), "one_year": Decimal("0.031")})
    later = CUT.model_copy(update={"fixed_on": date(2027, 1, 20)})
    fixings = [later, CUT, older]
    assert fixing_in_force(fixings, ANNIVERSARY) == CUT
    assert fixing_in_force(fixings, date(2026, 12, 19)) == older
    assert fixing_in_force(fixings, date(2026, 12, 20)) == CUT  # its own day
    assert fixing_in_force(fixings, date(2026, 11, 19)) is None


def test_the_new_rate_is_the_fixing_plus_the_original_spread() -> None:
    change = rate_change(BASIS, RATE, ANNIVERSARY, CUT)
    assert BASIS.spread == Decimal("0.0075")
    assert (change.old_rate, change.new_rate) == (RATE, Decimal("0.0375"))
    assert change.describe() == ("3.75% since 2027-01-15 (1y LPR 3.00% of 2026-12-20 "
                                 "+ 0.75%), was 4.00%")
    five = rate_change(PACKAGED.basis(84, 3, "working_capital"), RATE, ANNIVERSARY, CUT)
    assert five.new_rate == Decimal("0.0425")  # 5y LPR 3.50% + 0.75%


def test_no_fixing_recorded_leaves_the_rate_and_a_stale_one_is_said() -> None:
    none = rate_change(BASIS, RATE, ANNIVERSARY, None)
    assert not none.changed and "no LPR fixing recorded on or before 2027-01-15" in none.note
    november = CUT.model_copy(update={"fixed_on": date(2026, 11, 20)})
    stale = rate_change(BASIS, RATE, date(2026, 12, 21), november)  # December's not recorded
    assert stale.new_rate == Decimal("0.0375")
    assert ("the latest fixing recorded by then, of 2026-11-20, is more than a month older "
            "than the repricing date: a later one may not be recorded yet") in stale.describe()
    assert rate_change(BASIS, RATE, date(2026, 12, 20), november).note == ""  # in force then


def test_equal_principal_keeps_its_principal_parts_with_new_interest() -> None:
    p = plan(EP)
    account = apply_payments(p, on_time(p, range(1, 13)), START, as_of=date(2027, 1, 20),
                             period_rate=RATE / 12, rates=history(EP))
    now = account.plan_now()
    assert now[:12] == p[:12]  # before the repricing date: as signed
    rest = build_schedule(Decimal("1200000.00"), Decimal("0.0350"), 12, EP, Frequency.MONTHLY,
                          ANNIVERSARY)
    assert [(i.principal, i.interest) for i in now[12:]] == [
        (i.principal, i.interest) for i in rest]
    assert [i.principal for i in now[12:]] == [i.principal for i in p[12:]]
    assert now[12].interest == Decimal("3500.00") < p[12].interest  # 1,200,000 at 3.50% / 12
    assert account.owed == sum(i.payment for i in rest)


def test_equal_instalment_is_re_amortised_over_the_periods_left() -> None:
    p = plan(EI)
    account = apply_payments(p, on_time(p, range(1, 13)), START, as_of=date(2027, 1, 20),
                             period_rate=RATE / 12, rates=history(EI))
    now = account.plan_now()
    left = p[11].balance_after
    rest = build_schedule(left, Decimal("0.0350"), 12, EI, Frequency.MONTHLY, ANNIVERSARY)
    assert [(i.principal, i.interest) for i in now[12:]] == [
        (i.principal, i.interest) for i in rest]
    assert len({i.payment for i in now[12:-1]}) == 1 and now[12].payment < p[12].payment
    assert sum(i.principal for i in now) == Decimal("2400000.00")


def test_before_its_day_the_plan_is_as_signed() -> None:
    p = plan(EP)
    account = apply_payments(p, [], START, as_of=ANNIVERSARY - timedelta(days=1),
                             period_rate=RATE / 12, rates=history(EP))
    assert account.plan_now() == p


def test_the_new_payment_on_its_due_date_is_on_time() -> None:
    p = plan(EI)
    rates = history(EI)
    repriced = apply_payments(p, [], START, as_of=ANNIVERSARY, rates=rates).plan_now()
    pays = [*on_time(p, range(1, 13)),
            Payment(reference="M-13", amount=repriced[12].payment, paid_on=repriced[12].due_on,
                    order=12)]
    account = apply_payments(p, pays, START, as_of=repriced[12].due_on, rates=rates)
    assert account.instalments[12].settled_on == repriced[12].due_on
    assert account.days_past_due(repriced[12].due_on + timedelta(days=1)) == 0
    assert account.credit == 0


@pytest.mark.parametrize("new", ["0.0300", "0.0500"])
def test_instalments_paid_ahead_follow_the_new_rate(new: str) -> None:
    p = plan(EP)
    everything = Payment(reference="ALL", amount=sum(i.payment for i in p), paid_on=START)
    account = apply_payments(p, [everything], START, as_of=date(2027, 2, 1),
                             rates=history(EP, new))
    difference = sum(i.interest for i in p[12:]) - sum(
        i.interest_due for i in account.instalments[12:])
    if difference > 0:  # a cut: what was paid ahead beyond the new plan is the customer's
        assert account.repaid and account.credit == difference
    else:  # a rise: the later instalments ask for more again
        assert not account.repaid and account.owed == -difference
        assert account.instalments[12].settled_on is None


def test_a_prepayment_after_the_repricing_uses_the_new_rate() -> None:
    p = plan(EP)
    rates = history(EP)
    day = date(2027, 2, 15)  # instalment 13's due date
    before = apply_payments(p, on_time(p, range(1, 14)), START, as_of=day,
                            period_rate=RATE / 12, rates=rates)
    after = prepayment_quote(before, Decimal("600000.00"), day, START, RATE / 12)
    later = after.instalments[13:]
    balance = sum(i.principal_planned for i in later)
    assert balance == Decimal("500000.00")  # 1,100,000 left, 600,000 repaid
    # the period after: the new 3.50% a year on the balance, not the signed 4%
    assert later[1].interest_due == cents(
        (balance - later[0].principal_planned) * Decimal("0.0350") / 12)


def test_a_settlement_after_the_repricing_owes_interest_at_the_new_rate() -> None:
    p = plan(EP)
    rates = history(EP)
    day = date(2027, 1, 30)  # 15 of instalment 13's 31 days
    account = apply_payments(p, on_time(p, range(1, 13)), START, as_of=day,
                             period_rate=RATE / 12, rates=rates)
    quote = settlement_quote(account, day, START)
    assert quote.principal_owed == Decimal("1200000.00")
    assert quote.owed - quote.principal_owed == (Decimal("3500.00") * 15 / 31).quantize(
        Decimal("0.01"))


def test_a_fixing_that_makes_no_sense_is_refused() -> None:
    """The bank's checks (journey/lpr_record.py), on the packaged working calendar."""
    calendar = china_calendar(date(2026, 12, 1), 1)
    published = date(2026, 12, 21)  # the 20th is a Sunday
    fixing = CUT.model_copy(update={"fixed_on": published})
    assert rates_refusal(fixing) is None
    assert date_refusal(published, date(2026, 12, 25), calendar) is None

    def rates(one: str, five: str = "0.0350", **flags: bool) -> str:
        refusal = rates_refusal(fixing.model_copy(
            update={"one_year": Decimal(one), "five_year": Decimal(five)}), **flags)
        assert refusal is not None
        return refusal

    assert "--one-year 0.031% is below 1%" in rates("0.00031")  # a fraction for a percent
    assert "give percent, e.g. 3.10" in rates("0.00031")
    assert "--one-year 0.00% is not positive" in rates("0")
    assert "-0.10% is not positive" in rates("-0.001")
    assert "--five-year 35.00% is above 10%" in rates("0.0300", "0.35")
    assert "3.0000000001% has more than 4 decimal places" in rates("0.030000000001")
    assert rates_refusal(fixing.model_copy(update={"one_year": Decimal("0.030025")})) is None
    assert "5-year LPR 3.10% is below the 1-year 3.60%" in rates("0.0360", "0.0310")
    assert rates_refusal(fixing.model_copy(update={"one_year": Decimal("0.0360"),
                                                   "five_year": Decimal("0.0310")}),
                         inverted_confirmed=True) is None

    def day(on: date, today: date = date(2026, 12, 25)) -> str:
        refusal = date_refusal(on, today, china_calendar(on, 1))
        assert refusal is not None
        return refusal

    assert "before 2019-08-20" in day(date(2018, 1, 22))
    assert "2019-08-20" not in (date_refusal(date(2019, 8, 20), date(2026, 12, 25),
                                             china_calendar(date(2019, 8, 20), 1)) or "")
    assert "2026-12-20 is not a publication day" in day(date(2026, 12, 20))
    assert "published on 2026-11-20" in day(date(2026, 11, 21))  # a Saturday
    assert "after today (2026-12-19" in day(published, date(2026, 12, 19))
    assert publication_day(date(2026, 10, 3), calendar) == date(2026, 10, 20)


def test_the_fixing_in_force_is_the_one_published_on_the_latest_publication_day() -> None:
    calendar = china_calendar(date(2026, 12, 1), 1)
    # 2026-12-20 is a Sunday: December's fixing is published on Monday the 21st
    assert last_publication(date(2026, 12, 20), calendar) == date(2026, 11, 20)
    assert last_publication(date(2026, 12, 21), calendar) == date(2026, 12, 21)
    assert last_publication(date(2026, 12, 31), calendar) == date(2026, 12, 21)
    assert last_publication(date(2027, 1, 5), calendar) == date(2026, 12, 21)  # across the year


def test_the_record_takes_one_fixing_a_date_and_a_month() -> None:
    assert record_conflict(CUT, None) is None
    assert record_conflict(CUT, CUT) is None  # the same again: recorded already
    other = CUT.model_copy(update={"one_year": Decimal("0.0305"), "recorded_by": "ops-li"})
    assert "already recorded (1y 3.05%, 5y 3.50%, by ops-li)" in (
        record_conflict(CUT, other) or "")
    earlier = CUT.model_copy(update={"fixed_on": date(2026, 12, 1)})
    assert "the fixing of 2026-12 is recorded already, dated 2026-12-01" in (
        record_conflict(CUT, earlier) or "")


