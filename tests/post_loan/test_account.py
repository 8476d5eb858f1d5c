"""The loan account, reminders, covenants and review cadence: pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from journey.classification import RiskClass
from journey.loan_account import Payment
from journey.loan_payments import (
    apply_payments,
    interest_paid_ahead,
    nothing_to_settle,
    settlement_quote,
)
from journey.payment_allocation import period_accrual
from journey.policy.errors import PolicyError
from journey.post_loan_covenants import Covenant, check_covenants
from journey.post_loan_policy import (
    PostLoanPolicy,
    parse_post_loan_policy,
    review_calendar,
    review_every,
)
from journey.post_loan_review import assess_review
from journey.post_loan_wakeups import next_wakeup, reminders_due
from journey.repayment import Frequency, RepaymentMethod, build_schedule, with_interest_before
from journey.review_contracts import ReviewFacts
from journey.stages import Stage
from journey.status import Disbursement, Offer, plan_start
from starter.repayment_view import settlement_text
from tests.post_loan.loan_kit import DEFAULT_POLICY

START = date(2026, 1, 15)
PLAN = build_schedule(
    Decimal("120000.00"), Decimal("0.06"), 12, RepaymentMethod.EQUAL_PRINCIPAL,
    Frequency.MONTHLY, START,
)


def paid(*items: tuple[str, date]) -> list[Payment]:
    return [Payment(reference=f"T{n}", amount=Decimal(a), paid_on=d, order=n)
            for n, (a, d) in enumerate(items)]


def test_payments_go_to_the_oldest_instalment_interest_first() -> None:
    first = PLAN[0]  # 10000 principal + 600 interest, due 2026-02-15
    account = apply_payments(PLAN, paid(("300", first.due_on)))
    i = account.instalments[0]
    assert (i.interest_paid, i.principal_paid, i.settled_on) == (Decimal(300), 0, None)
    account = apply_payments(PLAN, paid(("300", first.due_on), ("10300", first.due_on)))
    assert account.instalments[0].settled_on == first.due_on
    assert account.instalments[1].outstanding == PLAN[1].payment
    # owed: the plan's payments not made yet; of it principal: the balance a bank lends on
    assert account.owed == sum(i.payment for i in PLAN) - 10600
    assert account.principal_owed == Decimal("120000.00") - first.principal
    assert account.arrears(first.due_on + timedelta(days=1)) == 0


def test_partial_payment_leaves_arrears_and_days_past_due() -> None:
    first = PLAN[0]
    account = apply_payments(PLAN, paid(("5000", first.due_on)))
    late = first.due_on + timedelta(days=10)
    assert account.days_past_due(first.due_on) == 0  # due today is not past due
    assert account.days_past_due(late) == 10
    assert account.arrears(late) == first.payment - 5000
    # the rest arrives on day 12: days past due stop there, and stay 0 afterwards
    account = apply_payments(PLAN, paid(("5000", first.due_on),
                                        ("5600", first.due_on + timedelta(days=12))))
    assert account.days_past_due(late) == 10  # as of day 10 it was still open
    assert account.days_past_due(first.due_on + timedelta(days=13)) == 0


def test_overpayment_is_a_credit_and_the_loan_is_repaid() -> None:
    total = sum(i.payment for i in PLAN)
    account = apply_payments(PLAN, paid((str(total + 50), START + timedelta(days=3))))
    assert account.repaid and account.owed == 0 and account.credit == Decimal(50)


def settling(amount: str, on: date, order: int = 9) -> Payment:
    return Payment(reference="SETTLE", amount=Decimal(amount), paid_on=on, order=order,
                   settles=True)


def test_early_settlement_pays_principal_and_interest_accrued_to_the_day() -> None:
    first = PLAN[0]  # paid on time; the second period runs 2026-02-15 to 03-15, 28 days
    on_time = paid(("10600", first.due_on))
    quote = settlement_quote(apply_payments(PLAN, on_time), date(2026, 3, 1), START)
    # 14 of the second period's 28 days: half its 550 interest; nothing after
    assert (quote.owed, quote.principal_owed) == (Decimal("110275.00"), Decimal("110000.00"))
    short = apply_payments(PLAN, [*on_time, settling("110274.99", date(2026, 3, 1))], START)
    assert not short.repaid
    settled = apply_payments(PLAN, [*on_time, settling("110275.00", date(2026, 3, 1))], START)
    assert settled.repaid and settled.owed == 0 and settled.credit == 0
    assert {i.settled_on for i in settled.instalments[1:]} == {date(2026, 3, 1)}
    assert settled.paid == Decimal("120875.00")  # against 123,900 for the whole plan


def test_interest_from_before_the_plan_is_owed_whole_on_an_early_settlement() -> None:
    # a project's drawdowns earned 1,234.56 until they closed, due with the first instalment
    project = with_interest_before(PLAN, Decimal("1234.56"))
    assert project[0].payment == PLAN[0].payment + Decimal("1234.56")
    quote = settlement_quote(apply_payments(project, []), date(2026, 1, 29), START)
    # 14 of the first period's 31 days of its 600 interest, and all that came before
    assert quote.owed == Decimal("120000.00") + Decimal("270.97") + Decimal("1234.56")


def test_settlement_returns_interest_paid_ahead_and_includes_arrears() -> None:
    first, second = PLAN[0], PLAN[1]
    # both paid on the first due date: the second period's 550 paid ahead, 5 of 28 days used
    ahead = apply_payments(PLAN, paid(("10600", first.due_on), ("10550", first.due_on)))
    quote = settlement_quote(ahead, date(2026, 2, 20), START)
    assert quote.owed == Decimal("100000.00") - (second.interest - Decimal("98.21"))
    # quoted for a later day, by which the second instalment has fallen due: its interest
    # paid ahead is named, as today's quote names what it gives back, not folded into the
    # interest; 5 of the third period's 31 days of its 500 accrued
    later = date(2026, 3, 20)
    forward = settlement_quote(ahead, later, START)
    paid_ahead = interest_paid_ahead(ahead, first.due_on, forward)
    assert paid_ahead == second.interest and forward.owed == Decimal("100080.65")
    assert forward.owed_parts(paid_ahead) == (
        "principal 100,000.00, interest 630.65, less interest paid ahead 550.00")
    basis = "the days run over the period's days"
    assert (f"interest 630.65 (80.65 of it accrued: 5/31 days of the period's 500.00, {basis}, "
            "to 2026-04-15), less interest paid ahead 550.00;") in settlement_text(
        "loan-X", later, forward, matured=False, paid_ahead=paid_ahead,
        accrued=period_accrual(ahead, later, START))
    # today's: what it gives back and what it nets, named as one, the interest accrued whole
    today = interest_paid_ahead(ahead, first.due_on, quote)
    assert (quote.interest_back, today) == (Decimal("451.79"), Decimal("98.21"))
    assert quote.owed_parts(today, period_accrual(ahead, date(2026, 2, 20), START)) == (
        f"principal 100,000.00, interest 98.21 (accrued: 5/28 days of the period's 550.00, "
        f"{basis}, to 2026-03-15), less interest paid ahead 550.00")
    # part of the running period's interest paid ahead, less than it has accrued by a later
    # day: nothing given back, but netted, and named
    part = apply_payments(PLAN, paid(("10700", first.due_on)))
    mid = settlement_quote(part, date(2026, 3, 1), START)
    assert mid.interest_back == 0 and mid.owed == Decimal("110175.00")
    assert mid.owed_parts(interest_paid_ahead(part, first.due_on, mid),
                          period_accrual(part, date(2026, 3, 1), START)) == (
        f"principal 110,000.00, interest 275.00 (accrued: 14/28 days of the period's 550.00, "
        f"{basis}, to 2026-03-15), less interest paid ahead 100.00")
    # nothing paid: the first instalment is past due and settles too
    late = settlement_quote(apply_payments(PLAN, []), date(2026, 2, 20), START)
    assert late.owed == first.payment + Decimal("110000.00") + Decimal("98.21")
    assert late.principal_owed == Decimal("120000.00")
    # once the last instalment has fallen due there is nothing to settle early
    assert nothing_to_settle(apply_payments(PLAN, []), date(2026, 2, 20)) is None
    assert "fell due on 2027-01-15" in nothing_to_settle(apply_payments(PLAN, []), PLAN[-1].due_on)
    # on the plan's own start day nothing has accrued
    assert settlement_quote(apply_payments(PLAN, []), START, START).owed == Decimal("120000.00")


PENALTY = Decimal("0.09")  # the plan's 6% raised by the default policy's markup of a half


def test_penalty_interest_accrues_on_what_is_unpaid_and_is_paid_first() -> None:
    assert DEFAULT_POLICY.penalty_rate(Decimal("0.06")) == PENALTY
    assert PostLoanPolicy(version="pinned-before").penalty_rate(Decimal("0.06")) == 0
    first, late = PLAN[0], date(2026, 2, 25)  # 10 days after the first due date
    unpaid = apply_payments(PLAN, [], START, PENALTY, as_of=late)
    assert unpaid.penalty_owed == Decimal("26.50")  # 10,600 x 9% x 10 / 360
    assert unpaid.arrears(late) == first.payment + Decimal("26.50")
    # the instalment's amount alone pays the penalty first and leaves 26.50 unpaid, which
    # goes on accruing and keeps the loan past due
    short = apply_payments(PLAN, paid(("10600", late)), START, PENALTY, as_of=date(2026, 3, 1))
    assert short.instalments[0].settled_on is None and short.days_past_due(date(2026, 3, 1)) == 14
    assert short.penalty_owed == Decimal("0.03")  # 26.50 x 9% x 4 / 360
    cured = apply_payments(PLAN, paid(("10626.50", late)), START, PENALTY, as_of=date(2026, 3, 1))
    assert cured.instalments[0].settled_on == late and cured.penalty_owed == 0
    assert cured.days_past_due(date(2026, 3, 1)) == 0
    # without a penalty rate, as for journeys pinned before it, nothing accrues
    assert apply_payments(PLAN, [], START, as_of=late).arrears(late) == first.payment
    # a settlement that day takes the penalty too
    quote = settlement_quote(apply_payments(PLAN, [], START, PENALTY), late, START, PENALTY)
    assert quote.owed == first.payment + Decimal("26.50") + Decimal("110000.00") + Decimal(
        "196.43"  # 10 of the second period's 28 days of its 550 interest
    )
    assert quote.owed_parts() == "principal 120,000.00, interest 796.43, penalty interest 26.50"


def test_the_plan_starts_on_its_offer_day_or_for_older_offers_the_disbursement_day() -> None:
    offer = Offer(annual_rate=Decimal("0.06"), term_months=12,
                  method=RepaymentMethod.EQUAL_PRINCIPAL, frequency=Frequency.MONTHLY,
                  schedule=PLAN, starts_on=START)
    paid_out = Disbursement(booking_id="B-1", amount=Decimal("120000.00"), payee="x",
                            booked_at=datetime(2026, 1, 19, 3, tzinfo=UTC))
    assert plan_start(offer, paid_out) == START  # signed and paid out four days later
    older = offer.model_copy(update={"starts_on": None})
    assert plan_start(older, paid_out) == date(2026, 1, 19)
    assert plan_start(None, None) is None


def test_reminders_once_per_open_instalment_and_the_next_wakeup() -> None:
    account = apply_payments(PLAN, [])
    due = PLAN[0].due_on
    before = datetime(due.year, due.month, due.day, tzinfo=UTC) - timedelta(days=4)
    assert reminders_due(account, DEFAULT_POLICY, [], before) == []
    wake = next_wakeup(account, DEFAULT_POLICY, [], before)
    assert wake == datetime(2026, 2, 12, 1, tzinfo=UTC)  # 3 days before, 09:00 Beijing
    assert [i.number for i in reminders_due(account, DEFAULT_POLICY, [], wake)] == [1]
    assert reminders_due(account, DEFAULT_POLICY, [1], wake) == []
    # past due: the next wake-ups are the classification floors (91, 271, 361 days)
    after = datetime(2026, 2, 17, tzinfo=UTC)
    assert next_wakeup(account, DEFAULT_POLICY, [1], after) == datetime(
        2026, 3, 12, 1, tzinfo=UTC
    )  # instalment 2's reminder comes first
    all_reminded = list(range(1, 13))
    assert next_wakeup(account, DEFAULT_POLICY, all_reminded, after) == datetime(
        2026, 3, 16, tzinfo=UTC
    )


def test_covenants_and_the_review_judgement() -> None:
    lev = Covenant(id="lev", ratio="debt_to_asset", bound="max", limit=Decimal("0.6"))
    liq = Covenant(id="liq", ratio="current_ratio", bound="min", limit=Decimal("1.2"))
    checks = check_covenants([lev, liq], {"debt_to_asset": Decimal("0.65"), "current_ratio": None})
    assert [c.breached for c in checks] == [True, False]
    assert "above the maximum" in checks[0].detail and "not available" in checks[1].detail
    facts = ReviewFacts(
        journey_id="j", stage=Stage.POST_LOAN, as_of=START, days_past_due=95,
        arrears=Decimal(1), risk_class=RiskClass.NORMAL, covenants=[lev], statements=[],
        plan=PLAN, disbursed_on=START,
    )
    result = assess_review(facts, [], "r1", START)
    assert result.assessed is RiskClass.NORMAL  # no statements: nothing breached
    assert result.risk_class is RiskClass.SUBSTANDARD and result.downgraded  # 95 dpd floor


def test_review_cadence_follows_the_class() -> None:
    assert review_every(DEFAULT_POLICY, RiskClass.NORMAL) == 3
    assert review_every(DEFAULT_POLICY, RiskClass.SPECIAL_MENTION) == 1
    cal = review_calendar(DEFAULT_POLICY, date(2026, 1, 30), 3, date(2027, 1, 1))
    assert (cal.day, cal.months) == (28, [1, 4, 7, 10])


def test_a_cadence_that_does_not_divide_the_year_is_refused() -> None:
    # every 5 months would have become monthly reviews (the calendar keeps months of the year)
    with pytest.raises(ValueError, match="give one of 1, 2, 3, 4, 6, 12"):
        review_calendar(DEFAULT_POLICY, date(2026, 1, 30), 5, date(2027, 1, 1))
    text = DEFAULT_POLICY.model_copy(update={"watch_review_every_months": 5}).model_dump_json()
    with pytest.raises(PolicyError, match="watch_review_every_months: .*every 5 months"):
        parse_post_loan_policy(text)


def test_an_instalment_of_nothing_is_never_past_due() -> None:
    # an interest-free loan in its grace period: the first instalment asks for nothing
    free = build_schedule(Decimal("12000.00"), Decimal(0), 12, RepaymentMethod.EQUAL_PRINCIPAL,
                          Frequency.MONTHLY, START, grace_months=1)
    assert free[0].payment == 0
    account = apply_payments(free, [])
    later = free[0].due_on + timedelta(days=20)
    assert account.days_past_due(later) == 0 and account.arrears(later) == 0
    assert account.next_due().number == 2
