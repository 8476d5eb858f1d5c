"""A running loan takes the years that have not begun from the calendar the workers have now,
keeps the days of the years begun as it pinned them, and re-dates from their plan's day the
future instalments nobody has paid anything of whose due date that moves."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from journey.calendar_learned import learned, redated, years_changed
from journey.loan_account import Payment
from journey.loan_payments import apply_payments
from journey.policy.calendar import build_calendar
from journey.repayment import Frequency, RepaymentMethod, build_schedule, on_working_days

START = date(2026, 12, 14)
# pinned at intake: the estimate knows no holiday on 14 January or 14 June 2027, and has
# 15 March and 14 April 2027 off
PINNED = build_calendar([date(2026, 12, 25), date(2027, 3, 15), date(2027, 4, 14)], [])
# the calendar the workers have now: 2027 published, with 14 January and 14 June off and
# 15 March worked; and a holiday it gives this year, 2026, too late for the loan
NOW = build_calendar([date(2026, 12, 21), date(2027, 1, 14), date(2027, 6, 14)], [])


def plan() -> list:
    schedule = build_schedule(Decimal("1200000.00"), Decimal("0.04"), 12,
                              RepaymentMethod.EQUAL_PRINCIPAL, Frequency.MONTHLY, START)
    return on_working_days(schedule, PINNED.next_working_day, periods_kept=True)


def test_the_years_not_begun_are_learnt_and_the_year_begun_kept() -> None:
    calendar = learned(PINNED, NOW, date(2026, 12, 20))
    assert calendar.holidays == [date(2026, 12, 25), date(2027, 1, 14), date(2027, 6, 14)]
    assert years_changed(PINNED, calendar) == [2027]
    assert years_changed(calendar, learned(calendar, NOW, date(2026, 12, 20))) == []


def test_future_unpaid_instalments_move_from_their_plan_s_day() -> None:
    pinned = plan()
    assert pinned[2].due_on == date(2027, 3, 16) and pinned[2].period_end == date(2027, 3, 14)
    calendar = learned(PINNED, NOW, date(2026, 12, 20))
    account = apply_payments(pinned, [], START).instalments
    out, moved = redated(pinned, account, calendar, date(2026, 12, 20))
    assert [(m.number, m.was, m.due_on) for m in moved] == [
        (1, date(2027, 1, 14), date(2027, 1, 15)),
        (3, date(2027, 3, 16), date(2027, 3, 15)),  # the Monday after its plan's Sunday
        (4, date(2027, 4, 15), date(2027, 4, 14)),  # worked now: back on its plan's day
        (6, date(2027, 6, 14), date(2027, 6, 15)),
    ]
    assert (out[0].due_on, out[0].period_end) == (date(2027, 1, 15), date(2027, 1, 14))
    assert (out[2].due_on, out[2].period_end) == (date(2027, 3, 15), date(2027, 3, 14))
    assert (out[3].due_on, out[3].period_end) == (date(2027, 4, 14), None)
    assert [i.model_dump(exclude={"due_on", "period_end"}) for i in out] == [
        i.model_dump(exclude={"due_on", "period_end"}) for i in pinned]  # the same amounts
    assert moved[0].said() == "instalment 1 is due on 2027-01-15, not 2027-01-14"


def test_an_instalment_paid_early_keeps_its_date() -> None:
    pinned = plan()
    account = apply_payments(pinned, [Payment(reference="P-1", amount=Decimal("1000.00"),
                                              paid_on=date(2026, 12, 20))], START).instalments
    _, moved = redated(pinned, account, learned(PINNED, NOW, date(2026, 12, 20)),
                       date(2026, 12, 20))
    assert [m.number for m in moved] == [3, 4, 6]
