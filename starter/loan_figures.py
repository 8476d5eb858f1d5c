"""The money figures of a loan read from its status: what settles it or prepays part of it on a
day, what it owes part by part, what a project still drawing would pay off, and the days
they are counted in. Refused, with what to do, for a journey that is not a running loan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

from journey.availability_interest import Payoff
from journey.loan_account import ZERO, Account, Accrual
from journey.loan_payments import (
    interest_paid_ahead,
    nothing_to_settle,
    payoff_quote,
    prepayment_quote,
    prepayment_refusal,
    settlement_quote,
)
from journey.owed_figures import OwedFigures, owed_figures
from journey.payment_allocation import period_accrual
from journey.repayment import RepaymentMethod, money
from journey.stages import Stage
from journey.status import JourneyStatus, plan_start
from starter import quotes
from starter.errors import BadInput, Ended


def settlement(s: JourneyStatus, day: date) -> Account:
    """What settles the loan of status `s` early on `day` (journey/loan_payments.py), or, once
    its plan has all fallen due, what clears it that day; a loan that is not running, or a
    day before its payout, is refused (`Ended` for a journey that has ended)."""
    start = _running_loan(s, "settled", day)
    if matured(s, day):  # all due: what clears it that day
        return payoff_quote(s.account, day, s.penalty_rate)
    return settlement_quote(s.account, day, start, s.penalty_rate, s.prepayment_fee)


def paid_ahead_by(s: JourneyStatus, quote: Account) -> Decimal:
    """The interest the running loan of status `s` has paid ahead today (its account's day)
    that its settlement `quote` nets already, beyond what it gives back (`interest_back`),
    and names with it as paid ahead (`repayment_view.settlement_text`)."""
    if s.account is None:
        return ZERO
    return interest_paid_ahead(s.account, s.today or loan_day(s), quote)


def accrued_by(s: JourneyStatus, day: date) -> Accrual | None:
    """What the period of the running loan of status `s` running on `day` has accrued by
    then, and how, as its settlement quote for `day` counts it; None for none."""
    start = plan_start(s.offer, s.disbursement)
    if s.account is None or start is None or day < start:
        return None
    return period_accrual(s.account, day, start)


def payoff_while_drawing(s: JourneyStatus, day: date | None = None) -> Payoff | None:
    """What settles the project of status `s` on `day` while it still draws (its drawn
    principal, the interest and commitment fee accrued, journey/availability_interest.py),
    quoted for the journey's today only (the loan's day, `day` None), as its figures change
    with each drawdown; None for a journey that is not drawing."""
    position = s.availability_interest
    if s.stage is not Stage.DISBURSEMENT or position is None or position.payoff is None:
        return None
    if day is not None and day != position.payoff.on:
        raise BadInput(f"{s.workflow_id} is still drawing: its payoff is quoted for today, "
                       f"{position.payoff.on}, only (each drawdown changes it); quote that "
                       "day, or another once drawdowns close")
    return position.payoff


def owed_on(s: JourneyStatus, fixings: quotes.QuoteFixings, day: date | None = None
            ) -> OwedFigures | None:
    """What the running loan of status `s` owes on `day` (the day its account is drawn up
    to by default), part by part (journey/owed_figures.py), what settles it that day being
    `settlement`'s quote, after the repricings due by then to `fixings` (starter/quotes.py:
    `SealBroken` when one is to a fixing that fails its seal);
    None for a journey that is not a running loan."""
    day = day or s.today or loan_day(s)
    if s.stage is not Stage.POST_LOAN or s.account is None or day < (
            plan_start(s.offer, s.disbursement) or day):
        return None
    quoted, _ = quotes.repriced_for(s, day, fixings)
    assert quoted.account is not None
    return owed_figures(quoted.account, settlement(quoted, day), day)


def matured(s: JourneyStatus, day: date) -> bool:
    """Whether the plan of the loan of status `s` has all fallen due by `day`: what clears
    it then is a repayment, not an early settlement."""
    return s.account is not None and nothing_to_settle(s.account, day) is not None


def prepayment(
    s: JourneyStatus, amount: Decimal, day: date, shortens: bool = False
) -> Account:
    """The account of status `s` once `amount` prepays part of the loan on `day`, shrinking
    the later instalments or, when it `shortens` the plan, repaying the last ones first
    (journey/payment_allocation.py); with the validator's refusals."""
    if amount <= 0:
        raise BadInput(f"a prepayment of {money(amount)}: the amount must be positive, what the "
                       "customer would pay")
    start = _running_loan(s, "prepaid", day)
    refusal = prepayment_refusal(s.account, amount, day, start, s.prepayment_fee,
                                 s.prepayment_minimum, s.penalty_rate)
    if refusal is not None:
        raise BadInput(refusal)
    return prepayment_quote(s.account, amount, day, start, s.offer.period_rate, s.penalty_rate,
                            s.prepayment_fee, shortens, relevels(s, shortens))


def relevels(s: JourneyStatus, shortens: bool) -> bool:
    """Whether the journey of status `s` re-amortises the plan when a prepayment on it is
    recorded now, as its record_repayment does (workflows/post_loan_handlers.py): one
    that shrinks an equal-instalment plan."""
    return (not shortens and s.offer is not None
            and s.offer.method is RepaymentMethod.EQUAL_INSTALMENT)


def loan_day(s: JourneyStatus, moment: datetime | None = None) -> date:
    """The day `moment` (now when None) falls on by the days of the loan of status `s`: the
    bank's, or UTC for a loan paid out before its days were the bank's."""
    zone = timezone(timedelta(hours=s.days_utc_offset))
    return (moment or datetime.now(UTC)).astimezone(zone).date()


def payment_day(s: JourneyStatus) -> date:
    """The value date of a payment received now on the loan of status `s` (as its journey
    dates one recorded without a day): its day, or its payout's value date while that has not
    come (a payout signed on a non-working day moves its money on the next working day)."""
    day, start = loan_day(s), plan_start(s.offer, s.disbursement)
    return max(day, start) if start is not None else day


def _running_loan(s: JourneyStatus, what: str, day: date) -> date:
    """The day the plan of the running loan of status `s` begins; refused when not running,
    or when `day`, the day quoted, is before it."""
    start = plan_start(s.offer, s.disbursement)
    position = s.availability_interest
    if s.stage is Stage.DISBURSEMENT and position is not None and position.payoff is not None:
        raise BadInput(
            f"{s.workflow_id} is still drawing: only a running loan can be {what}. While it "
            f"draws, `loan-journey settlement {s.workflow_id}` quotes its payoff today (what it "
            "drew, with the interest and commitment fee accrued), which settles it once the rest "
            f"of its commitment is withdrawn (`loan-journey withdraw {s.workflow_id}`); or "
            "withdraw the undrawn commitment, and once the loan runs on what was drawn, prepay "
            "part of it")
    if s.stage.terminal:  # as an update to it is: `Ended`, exit 3
        how = f", {s.outcome_reason}" if s.outcome_reason else ""
        raise Ended(f"{s.workflow_id} has ended ({s.stage}{how}) and can no longer be {what}: "
                    f"`loan-journey status {s.workflow_id}` shows how it ended")
    if s.stage is not Stage.POST_LOAN or s.account is None or start is None:
        raise BadInput(f"{s.workflow_id} is at {s.stage}: only a running loan can be {what}")
    if day < start:
        raise BadInput(f"{day} is before the payout on {start}: quote a day since then")
    return start
