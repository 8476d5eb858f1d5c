"""A due date a non-working day moved (顺延) keeps its period as the plan runs it
(journey/repayment.py `on_working_days`, marker plan-periods-kept): interest accrued part way
(a settlement's, a prepayment's, the book's accrued and month-end) is shared over the plan's
period, which has run whole once its day has passed, and the next period begins on the plan's
day, not the moved due date. Before, the period ran to the moved due date: a settlement on the
1st of February 2027 of a loan whose 7 February instalment Spring Festival moved to the 11th
counted 25 of 35 days, where 25 of 31 had run: 4,480.29 of interest too little on 14.6
million; and a month-end on a Sunday the instalment moved from had accrued 31/32 of it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from activities.policy import china_calendar
from journey.loan_account import Payment
from journey.loan_payments import apply_payments, settlement_quote
from journey.payment_allocation import period_accrual
from journey.repayment import Frequency, RepaymentMethod, build_schedule, cents, on_working_days

D = Decimal
CALENDAR = china_calendar(date(2026, 12, 7), 2)  # the one a journey pins: Spring Festival 2027


def plan(start: date, principal: str, rate: str, kept: bool = True):
    return on_working_days(build_schedule(D(principal), D(rate), 12,
                                          RepaymentMethod.EQUAL_PRINCIPAL, Frequency.MONTHLY,
                                          start), CALENDAR.next_working_day, kept)


def test_a_settlement_after_a_moved_due_date_counts_the_plan_s_days() -> None:
    start = date(2026, 12, 7)
    first, second, third = plan(start, "15000000.00", "0.04")[:3]
    assert (second.due_on, second.period_end) == (date(2027, 2, 11), date(2027, 2, 7))
    assert (third.due_on, third.ends_on) == (date(2027, 3, 8), date(2027, 3, 7))
    assert first.period_end is None and first.ends_on == first.due_on == date(2027, 1, 7)
    paid = apply_payments(plan(start, "15000000.00", "0.04"),
                          [Payment(reference="P-1", amount=first.payment, paid_on=first.due_on)],
                          start)

    # on 1 February 25 of the period's 31 days (7 January to 7 February) have run
    on = date(2027, 2, 1)
    quote = settlement_quote(paid, on, start)
    assert quote.owed - quote.principal_owed == cents(second.interest * 25 / 31)
    accrual = period_accrual(paid, on, start)
    assert accrual is not None and (accrual.elapsed, accrual.days) == (25, 31)
    assert "to 2027-02-07" in accrual.basis()

    # in the holiday, after the plan's day and before the moved due date: the second period
    # whole, and the third's days since the 7th
    holiday = date(2027, 2, 9)
    quote = settlement_quote(paid, holiday, start)
    assert quote.owed - quote.principal_owed == second.interest + cents(third.interest * 2 / 28)

    # a plan value dated before the marker ran the period to the moved due date, as it did
    before = apply_payments(plan(start, "15000000.00", "0.04", kept=False),
                            [Payment(reference="P-1", amount=first.payment,
                                     paid_on=first.due_on)], start)
    assert all(i.period_end is None for i in before.instalments)
    old = settlement_quote(before, on, start)
    assert old.owed - old.principal_owed == cents(second.interest * 25 / 35)


def test_a_month_end_on_the_day_an_instalment_was_moved_from_has_accrued_it_whole() -> None:
    start = date(2026, 10, 31)  # due on the months' last days: 31 January 2027 is a Sunday
    instalments = plan(start, "12000000.00", "0.036")
    third = instalments[2]
    assert (third.due_on, third.period_end) == (date(2027, 2, 1), date(2027, 1, 31))
    paid = apply_payments(instalments, [
        Payment(reference=f"P-{i.number}", amount=i.payment, paid_on=i.due_on, order=i.number)
        for i in instalments[:2]], start)
    accrual = period_accrual(paid, date(2027, 1, 31), start)
    assert accrual is not None and accrual.accrued == third.interest == D("30000.00")
    # and the next period has run a day on 1 February, of its 28 (31 January to 28 February)
    quote = settlement_quote(paid, date(2027, 2, 1), start)
    fourth = instalments[3]
    assert quote.owed - quote.principal_owed == third.interest + cents(fourth.interest / 28)
