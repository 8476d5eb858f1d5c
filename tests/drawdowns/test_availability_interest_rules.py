"""The pure rules of interest during availability: quarterly 结息日 moved to working days,
accrual per drawdown from its booking, and what is left for the first instalment when
drawdowns close (nothing charged twice)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

from journey.availability_interest import (
    AtClose,
    InterestPosition,
    Payoff,
    Terms,
    accrued,
    at_close,
    interest_account,
    period_ends,
    quarterly_plan,
    quarters_first,
)
from journey.drawdowns import DrawdownRecord, DrawdownState
from journey.loan_account import Payment
from journey.loan_payments import apply_payments
from journey.policy import DEFAULT_POLICY_FILE, parse_policy
from journey.policy.calendar import WorkingCalendar
from journey.repayment import Instalment, cents
from tests.drawdowns.kit import ask
from tests.workflows.journey_kit import Documents, application

RATE = Decimal("0.036")
TERMS = Terms(annual_rate=RATE, commitment=Decimal("9000000.00"))  # no commitment fee
# 2026-09-21 is a Monday: a holiday here, so the quarter's interest is due on the 22nd
CALENDAR = WorkingCalendar(holidays=[date(2026, 9, 21)])


def booked(amount: int, day: date, number: int = 1) -> DrawdownRecord:
    app = application(Documents())
    at = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    return DrawdownRecord(number=number, request=ask(app, "t1", amount, []), requested_at=at,
                          state=DrawdownState.BOOKED, settled_at=at)


def test_quarter_ends_are_the_days_after_the_20th_of_march_june_september_december() -> None:
    assert period_ends(date(2026, 5, 2), date(2027, 3, 21)) == [
        date(2026, 6, 21), date(2026, 9, 21), date(2026, 12, 21), date(2027, 3, 21)]
    assert period_ends(date(2026, 6, 21), date(2026, 9, 20)) == []


def test_each_drawdown_accrues_from_its_booking_and_the_due_date_moves_off_a_holiday() -> None:
    records = [booked(3_600_000, date(2026, 7, 1)), booked(1_800_000, date(2026, 8, 22), 2)]
    plan = quarterly_plan(records, TERMS, date(2026, 6, 1), date(2026, 12, 31),
                          CALENDAR.next_working_day)
    # June's quarter: nothing drawn yet; September's: 3.6m for 82 days, 1.8m for 30 days
    assert [i.interest for i in plan] == [
        Decimal("0.00"), Decimal("29520.00") + Decimal("5400.00"),
        # December's: 5.4m for the 91 days from 21 September to 21 December
        Decimal("49140.00")]
    assert [i.due_on for i in plan] == [date(2026, 6, 22), date(2026, 9, 22), date(2026, 12, 21)]
    assert all(i.principal == 0 for i in plan)


def test_an_unpaid_quarter_is_past_due_from_the_day_after_its_due_date() -> None:
    plan = quarterly_plan([booked(3_600_000, date(2026, 7, 1))], TERMS, date(2026, 6, 1),
                          date(2026, 10, 1), CALENDAR.next_working_day)
    account = interest_account(plan, [], date(2026, 10, 1))
    assert account.arrears(date(2026, 10, 1)) == Decimal("29520.00")
    assert account.days_past_due(date(2026, 10, 1)) == 9
    paid = interest_account(plan, [Payment(reference="i-1", amount=Decimal("29520.00"),
                                           paid_on=date(2026, 9, 22))], date(2026, 10, 1))
    assert paid.days_past_due(date(2026, 10, 1)) == 0 and paid.owed == 0


def test_the_close_charges_only_what_the_quarters_have_not() -> None:
    records = [booked(3_600_000, date(2026, 7, 1))]
    opened, closed = date(2026, 6, 1), date(2026, 11, 1)
    paid = [Payment(reference="i-1", amount=Decimal("29520.00"), paid_on=date(2026, 9, 22))]
    since_september = Decimal("3600000") * RATE * 41 / 360  # 21 September to 1 November
    assert at_close(records, TERMS, opened, closed, paid,
                    CALENDAR.next_working_day) == AtClose(unpaid=[], rest=since_september)
    # a quarter left unpaid is charged once: as it was, due on 22 September
    unpaid = at_close(records, TERMS, opened, closed, [], CALENDAR.next_working_day)
    assert unpaid.rest == since_september and unpaid.total == since_september + Decimal("29520.00")
    assert [(q.number, q.due_on, q.interest, q.principal) for q in unpaid.unpaid] == [
        (2, date(2026, 9, 22), Decimal("29520.00"), 0)]
    # the whole availability interest, charged quarterly or at the close, is the same
    whole = booked(3_600_000, date(2026, 7, 1)).request.amount * RATE * 123 / 360
    assert whole == Decimal("29520.00") + since_september


def test_a_quarter_past_due_accrues_penalty_and_stays_past_due_in_the_plan() -> None:
    records = [booked(3_600_000, date(2026, 7, 1))]
    opened, closed, penalty = date(2026, 6, 1), date(2026, 11, 1), RATE * Decimal("1.5")
    plan = quarterly_plan(records, TERMS, opened, closed, CALENDAR.next_working_day)
    late = interest_account(plan, [], date(2026, 10, 1), penalty)
    # nine days (23 September to 1 October) on the 29,520.00 due on 22 September
    assert late.penalty_owed == cents(Decimal("29520.00") * penalty * 9 / 360) > 0
    owed = at_close(records, TERMS, opened, closed, [], CALENDAR.next_working_day,
                    penalty_rate=penalty)
    asked = Decimal("29520.00") + cents(Decimal("29520.00") * penalty * 40 / 360)
    assert [q.interest for q in owed.unpaid] == [asked]
    schedule = [Instalment(number=1, due_on=date(2026, 12, 1), principal=Decimal("100.00"),
                           interest=owed.rest, payment=owed.rest + 100,
                           balance_after=Decimal("3599900.00"))]
    both = quarters_first(owed.unpaid, schedule)
    assert [(i.number, i.due_on, i.balance_after) for i in both] == [
        (1, date(2026, 9, 22), Decimal("3600000.00")),
        (2, date(2026, 12, 1), Decimal("3599900.00"))]
    # in the loan's account it is still past due: its days count on from 22 September
    account = apply_payments(both, [], closed, penalty, date(2026, 11, 10))
    assert account.days_past_due(date(2026, 11, 10)) == 49
    # its penalty runs on from the close, not again from its date
    assert account.penalty_owed == cents(asked * penalty * 9 / 360)


def test_the_commitment_fee_runs_on_the_undrawn_amount_until_the_close() -> None:
    terms = TERMS.model_copy(update={"fee_rate": Decimal("0.005")})
    records = [booked(3_600_000, date(2026, 7, 1))]  # 5.4m of the 9m stays undrawn
    opened = date(2026, 6, 1)
    june, september = (accrued(records, terms, start, end) for start, end in [
        (opened, date(2026, 6, 21)), (date(2026, 6, 21), date(2026, 9, 21))])
    # 9m undrawn for 20 days; then 9m for the 10 days to the drawdown, 5.4m for 82
    assert june.fee == Decimal("2500.00") and june.interest == 0
    assert september.fee == Decimal("1250.00") + Decimal("6150.00")
    assert september.interest == Decimal("29520.00")
    plan = quarterly_plan(records, terms, opened, date(2026, 10, 1), CALENDAR.next_working_day)
    assert [i.interest for i in plan] == [june.total, september.total]
    # cancelled when drawdowns close on 1 November: the fee stops that day, and the first
    # instalment carries the 41 days since September's with the quarters' unpaid
    closed = date(2026, 11, 1)
    rest = accrued(records, terms, date(2026, 9, 21), closed)
    assert rest.fee == Decimal("3075.00")
    assert at_close(records, terms, opened, closed, [], CALENDAR.next_working_day).total \
        == june.total + september.total + rest.total


def test_the_fee_rate_is_the_pinned_policys_and_older_policies_have_none() -> None:
    data = json.loads(DEFAULT_POLICY_FILE.read_text("utf-8"))
    assert parse_policy(json.dumps(data)).pricing.commitment_fee == Decimal("0.0050")
    del data["pricing"]["commitment_fee"]
    older = parse_policy(json.dumps({**data, "version": "2026.12-3"}))
    assert older.pricing.commitment_fee == 0


def test_a_quarters_fee_is_rounded_once_on_exact_amounts_as_the_bank_figures_it() -> None:
    opened, end = date(2026, 12, 6), date(2026, 12, 21)  # 15 days, both drawn on the first
    fee = Decimal("0.005")
    # PF-03: 20m committed, 6m + 7m drawn: 7,000,000 x 0.5% x 15/360 = 1,458.33
    pf03 = Terms(annual_rate=RATE, commitment=Decimal("20000000"), fee_rate=fee)
    drawn = [booked(6_000_000, opened), booked(7_000_000, opened, 2)]
    assert accrued(drawn, pf03, opened, end).fee == Decimal("1458.33")
    # PF-04: 25m committed, 3m + 2m drawn: 20,000,000 x 0.5% x 15/360 = 4,166.67
    pf04 = Terms(annual_rate=RATE, commitment=Decimal("25000000"), fee_rate=fee)
    drawn = [booked(3_000_000, opened), booked(2_000_000, opened, 2)]
    assert accrued(drawn, pf04, opened, end).fee == Decimal("4166.67")
    # journeys that opened before the rule keep each drawdown's part in cents
    old = pf04.model_copy(update={"per_piece": True})
    assert accrued(drawn, old, opened, end).fee == Decimal("4166.66")


def test_paid_beyond_what_settles_a_drawing_project_reads_as_paid_ahead() -> None:
    """A part payment before anything is drawn leaves nothing to settle, not a negative
    figure to settle: it is paid ahead, credited to what falls due."""
    ahead = InterestPosition(
        drawn=Decimal(0), undrawn=Decimal(20_000_000), accrued=Decimal(0),
        accrued_since=date(2026, 12, 6), paid=Decimal(100),
        payoff=Payoff(on=date(2026, 12, 6), principal=Decimal(0), paid_ahead=Decimal(100)))
    assert ahead.text().endswith(
        "; nothing to settle today: 100.00 paid ahead, credited to what falls due")
    assert "to settle today -" not in ahead.text()
