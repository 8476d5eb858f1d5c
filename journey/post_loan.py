"""The loan account after disbursement: payments applied to the plan, arrears, days past due.

Pure: dates come in, nothing reads a clock. The account is recomputed from the plan and the
payments every time, so it can never drift from them.

Allocation rule: payments are applied in order of their payment date (ties in the order they
were recorded) to the oldest instalment not yet settled, interest first, then principal; what
a payment leaves over goes to the next instalment (paying ahead), and whatever remains once
the whole plan is paid is a credit balance (overpayment) owed back to the customer.

Repayment, on a day: a plain repayment pays what is due by that day (any prepayment fee left
unpaid, then the instalments due on or before it, oldest first) and may pay the current
instalment (the first due after that day) early, as the plan asks it: its interest for the
whole period, which paying early does not cut, as the borrower chose to pay before the due
date. No more: principal repaid ahead of the plan is a partial prepayment or an early
settlement, each at its quote, so that no interest is charged for periods not yet run.
Operations record every payment (journey/policy/authority.py, `authorize_receipt`).

Early settlement, on a day: the instalments due after that day fall due on it, and their
interest is cut to what has accrued by then: the current period's, pro rata by days (from
the previous due date, or the plan's start for the first instalment), and none for the
periods after. Interest they had been paid ahead beyond that is applied again, as money
paid that day. The settling payment then settles the whole plan, as any payment does. Its
quote shows that interest given back against the whole rather than applied again, so that
the principal it shows is the account's, as status and the loan book show it.

Partial prepayment (提前部分还款), on a day: the payment first pays what is due by that day, as
any payment does; the rest repays principal ahead of the plan. The instalments that fall due
after that day keep their dates and shrink in proportion: the principal repaid is shared
among them by what each has unpaid, so the term stays and an equal-instalment plan stays
level; each share rounded, that leaves them a cent or so apart, so a prepayment that
`relevels` (an equal-instalment plan's, since the journey's marker `prepayment-relevels`)
re-amortises those after the current one: each asks the annuity of their new balance, the
last the rest, as a plan is built. Or, as the borrower chooses, it repays the last
instalments first (in inverse order of maturity): the plan ends sooner and the instalments
before keep their principal. Either way their interest follows the lower balance: the
current period's is recomputed, the periodic rate on the principal before for the days run
and on the principal left for the days left in the period (from the previous due date, or
the plan's start), rounded once, so that a prepayment on the period's first day charges the
rate on the new principal to the cent; later periods' is the periodic rate on their new
balance. Interest paid ahead beyond that is applied again, as money paid that day. A
settlement later in the same period still owes the interest the prepaid principal accrued
until it was repaid.

Prepayment fee: when the post-loan policy charges one (提前还款补偿金), principal repaid ahead
of the plan pays its rate of it: an early settlement on the principal it brings forward,
added to what settles the loan; a prepayment on the principal it repays, out of what it
leaves after what is due, so that principal and fee together take that rest. A fee left
unpaid (a settlement short of its quote) is paid first by the next payment.

Penalty interest: from the day after its due date until it is paid, what an instalment
leaves unpaid of its principal and interest accrues penalty interest at the penalty rate
(the loan's rate raised by the policy's markup), by days over 360; a payment pays an
instalment's penalty first, then its interest, then its principal, as loan contracts order
it. With no markup (policies pinned before it) nothing accrues.

Repricing (journey/lpr.py): on a repricing date the instalments whose period begins on or
after it are recomputed at the new rate on the principal then planned for them: equal
principal keeps their principal parts, equal instalments are re-amortised over them to a new
level payment; each keeps its rate per period (`period_rate`), which a later prepayment's
interest follows. Principal or interest they had been paid ahead beyond their new amounts is
applied again, as money paid that day. A repricing comes before the payments of its day.

A period begins on the previous instalment's due date, or the plan's start when that is
later: a project's quarters of interest left unpaid when its drawdowns closed come before
the plan's first instalment, due before its start (journey/availability_interest.py).

Days past due, as of a date: days since the due date of the oldest instalment that was due
before that date and was not settled on or before it (0 when none). An instalment is due on
its due date and past due from the next day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_DOWN, Decimal

from pydantic import BaseModel, Field

from journey.classification import FLOORS, RiskClass, classify, floor_by_days_past_due
from journey.documents import DocumentReading, ReadStatus
from journey.lpr import RateChange, RateHistory
from journey.policy.completeness import other_company
from journey.policy.ratios import RATIO_NAMES, compute_ratios
from journey.post_loan_covenants import Covenant, CovenantCheck, check_covenants
from journey.post_loan_dscr import dscr
from journey.post_loan_policy import (
    NO_FEE,
    PostLoanPolicy,
    PrepaymentFee,
    reminder_at,
    start_of,
)
from journey.post_loan_warnings import EarlyWarning
from journey.repayment import (
    CENT,
    Instalment,
    RepaymentMethod,
    annuity_payment,
    cents,
    money,
)
from journey.review_contracts import ReviewFacts, ReviewResult

ZERO = Decimal("0.00")


class Payment(BaseModel):
    reference: str
    amount: Decimal
    paid_on: date
    order: int = 0  # the order it was recorded in: breaks ties between same-day payments
    settles: bool = False  # an early settlement (the module's rule)
    prepays: bool = False  # a partial prepayment (the module's rule)
    shortens: bool = False  # a prepayment that repays the last instalments first
    # a prepayment that re-amortises an equal-instalment plan: the instalments after the
    # current one level to the cent, the last taking the rounding (the module's rule)
    relevels: bool = False


class InstalmentState(BaseModel):
    number: int
    due_on: date
    interest_due: Decimal
    principal_due: Decimal
    interest_paid: Decimal = ZERO
    principal_paid: Decimal = ZERO
    settled_on: date | None = None
    penalty_due: Decimal = ZERO
    penalty_paid: Decimal = ZERO
    penalty_to: date | None = None  # the penalty is accrued up to this day
    principal_prepaid: Decimal = ZERO  # the part of principal_paid repaid ahead of the plan
    # interest on principal prepaid in this instalment's period, up to the prepayment:
    # owed whatever day the period is settled early
    interest_fixed: Decimal = ZERO
    # this period's interest rate when a repricing set it (journey/lpr.py); None: the plan's
    period_rate: Decimal | None = None

    @property
    def unpaid(self) -> Decimal:
        """Principal and interest not paid yet, on which penalty interest accrues."""
        return self.interest_due + self.principal_due - self.interest_paid - self.principal_paid

    @property
    def outstanding(self) -> Decimal:
        return self.unpaid + self.penalty_due - self.penalty_paid

    @property
    def principal_planned(self) -> Decimal:
        """The principal this instalment asks for as the plan now stands: its share of what
        prepayments repaid ahead of it is no longer in it."""
        return self.principal_due - self.principal_prepaid

    def open_on(self, day: date) -> bool:
        """Not settled on or before `day`."""
        return self.settled_on is None or self.settled_on > day


class Account(BaseModel):
    instalments: list[InstalmentState]
    paid: Decimal = ZERO
    credit: Decimal = ZERO  # paid beyond the whole plan: owed back to the customer
    fee_due: Decimal = ZERO  # prepayment fees charged (the module's rule)
    fee_paid: Decimal = ZERO
    # a settlement quote's interest paid ahead beyond what has accrued, given back against
    # what settles the loan (`settlement_quote`); nothing on an account of recorded payments
    interest_back: Decimal = ZERO

    @property
    def owed(self) -> Decimal:
        return sum((i.outstanding for i in self.instalments),
                   self.fee_due - self.fee_paid - self.interest_back)

    @property
    def penalty_owed(self) -> Decimal:
        """The penalty interest in `owed`, accrued to the day the account was drawn up."""
        return sum((i.penalty_due - i.penalty_paid for i in self.instalments), ZERO)

    @property
    def principal_owed(self) -> Decimal:
        """The principal part of `owed`; the rest is interest: the plan's and any penalty."""
        return sum((i.principal_due - i.principal_paid for i in self.instalments), ZERO)

    def principal_due_after(self, day: date) -> Decimal:
        """The principal of the instalments due after `day` not paid yet: what a
        prepayment on `day` can repay ahead of the plan."""
        return sum((i.principal_due - i.principal_paid for i in self.instalments
                    if i.due_on > day), ZERO)

    def plan_now(self) -> list[Instalment]:
        """The plan as it stands after prepayments: what each instalment asks now."""
        balance = sum((i.principal_planned for i in self.instalments), ZERO)
        plan = []
        for i in self.instalments:
            balance -= i.principal_planned
            plan.append(Instalment(number=i.number, due_on=i.due_on, principal=i.principal_planned,
                                   interest=i.interest_due,
                                   payment=i.principal_planned + i.interest_due,
                                   balance_after=balance, accrued_before=i.interest_fixed))
        return plan

    def owed_parts(self, paid_ahead: Decimal = ZERO) -> str:
        """`owed` in words, part by part, for people; `paid_ahead`, interest that `owed` nets
        already (a quote for a later day's, `interest_paid_ahead`), named with `interest_back`
        as interest paid ahead, the interest before it."""
        fee = self.fee_due - self.fee_paid
        ahead = self.interest_back + paid_ahead
        interest = self.owed + ahead - self.principal_owed - self.penalty_owed - fee
        penalty = f", penalty interest {money(self.penalty_owed)}" if self.penalty_owed else ""
        fee_part = f", prepayment fee {money(fee)}" if fee else ""
        back = f", less interest paid ahead {money(ahead)}" if ahead else ""
        return (f"principal {money(self.principal_owed)}, interest {money(interest)}{penalty}"
                f"{fee_part}{back}")

    @property
    def repaid(self) -> bool:
        return self.fee_paid == self.fee_due and all(
            i.settled_on is not None for i in self.instalments
        )

    def overdue(self, as_of: date) -> list[InstalmentState]:
        """Instalments due before `as_of` and not settled by then, oldest first."""
        return [i for i in self.instalments if i.due_on < as_of and i.open_on(as_of)]

    def arrears(self, as_of: date) -> Decimal:
        """What is past due now: the unpaid part of instalments due before `as_of`."""
        return sum((i.outstanding for i in self.overdue(as_of) if i.settled_on is None), ZERO)

    def days_past_due(self, as_of: date) -> int:
        late = self.overdue(as_of)
        return (as_of - late[0].due_on).days if late else 0

    def next_due(self) -> InstalmentState | None:
        return next((i for i in self.instalments if i.settled_on is None), None)

    def ends_on(self) -> date:
        """The due date of the last instalment that still asks for anything: the plan's
        end, which a prepayment that shortens the plan brings closer."""
        return max((i.due_on for i in self.instalments if i.principal_planned + i.interest_due),
                   default=self.instalments[-1].due_on)

    def next_instalment(self, of_plan: bool = False) -> str:
        """The next instalment not settled, in words, for people: what is left to pay of it,
        and, `of_plan`, what the plan asks when part of it is paid already."""
        due = self.next_due()
        if due is None:
            return "none: repaid"
        planned = due.principal_planned + due.interest_due
        paid = due.interest_paid + due.principal_paid - due.principal_prepaid
        part = f" left of the plan's {money(planned)}" if of_plan and paid > 0 else ""
        return f"#{due.number} due {due.due_on}: {money(due.outstanding)}{part}"

    def on_time_run(self, since: date | None, today: date) -> int:
        """Consecutive instalments paid on time (settled on or before their due date),
        counted back from the latest one due on or before `today` and after `since`; one
        due today and not paid yet can still be paid on time, so it is passed over."""
        run = 0
        for i in reversed(self.instalments):
            if i.due_on > today or (since is not None and i.due_on <= since):
                continue
            if i.settled_on is not None and i.settled_on <= i.due_on:
                run += 1
            elif i.due_on < today:
                break
        return run


def apply_payments(
    plan: list[Instalment], payments: list[Payment], start: date | None = None,
    penalty_rate: Decimal = ZERO, as_of: date | None = None, period_rate: Decimal | None = None,
    fee: PrepaymentFee = NO_FEE, rates: RateHistory | None = None,
) -> Account:
    """The account after `payments` (see the module's rules), with penalty interest at
    `penalty_rate` a year accrued to each payment and then to `as_of`; `start`, the day the
    plan's first period begins, is needed once a payment settles or prepays, and
    `period_rate`, the plan's interest rate per period, once one prepays; `fee` is what
    repaying principal ahead of the plan costs; `rates`, the repricings of a floating-rate
    loan, each applied on its day."""
    states = [
        InstalmentState(
            number=i.number, due_on=i.due_on, interest_due=i.interest, principal_due=i.principal,
            interest_fixed=i.accrued_before, penalty_to=i.penalty_from,
            settled_on=i.due_on if i.payment == 0 else None,  # nothing to pay: never past due
        )
        for i in plan
    ]
    account = Account(instalments=states)
    changes = [c for c in rates.changes if c.changed] if rates is not None else []
    for payment in sorted(payments, key=lambda p: (p.paid_on, p.order)):
        _reprice_to(account, changes, payment.paid_on, rates, start)
        account.paid += payment.amount
        _accrue_penalty(account, payment.paid_on, penalty_rate)
        if payment.prepays:
            _prepay(account, payment.amount, payment.paid_on, start, period_rate, fee,
                    payment.shortens, payment.relevels)
            continue
        again = _settle_early(account, payment.paid_on, start, fee) if payment.settles else ZERO
        _allocate(account, payment.amount + again, payment.paid_on)
    _reprice_to(account, changes, as_of, rates, start)
    if as_of is not None:
        _accrue_penalty(account, as_of, penalty_rate)
    return account


def _reprice_to(account: Account, changes: list[RateChange], day: date | None,
                rates: RateHistory | None, start: date | None) -> None:
    """Applies the repricings of `changes` on or before `day` (every one when None), and
    takes them off it."""
    while rates is not None and changes and (day is None or changes[0].on <= day):
        _reprice(account, changes.pop(0), rates, start)


def _reprice(account: Account, change: RateChange, rates: RateHistory, start: date | None
             ) -> None:
    """The plan repriced on `change.on` (the module's rule)."""
    first = start or date.min
    period_begins = [first, *(max(s.due_on, first) for s in account.instalments[:-1])]
    later = [s for s, begins in zip(account.instalments, period_begins, strict=True)
             if begins >= change.on]
    rate = change.new_rate * rates.frequency.months / 12
    balance = sum((s.principal_planned for s in later), ZERO)
    amortising = [s for s in later if s.principal_planned > 0]
    level = annuity_payment(balance, rate, len(amortising)) if amortising else ZERO
    again = ZERO
    for state in later:
        interest = cents(balance * rate)
        part = state.principal_planned
        if rates.method is RepaymentMethod.EQUAL_INSTALMENT and part > 0:
            part = balance if state is amortising[-1] else min(balance, level - interest)
        balance -= part
        state.principal_due = part + state.principal_prepaid
        state.interest_due = state.interest_fixed + interest
        state.period_rate = rate
        excess = (max(state.interest_paid - state.interest_due, ZERO)
                  + max(state.principal_paid - state.principal_due, ZERO))
        state.interest_paid = min(state.interest_paid, state.interest_due)
        state.principal_paid = min(state.principal_paid, state.principal_due)
        again += excess
        if state.outstanding == 0:
            state.settled_on = state.settled_on or change.on
        elif state.settled_on is not None:
            state.settled_on = None  # it asks for more now
    if again > 0:
        _allocate(account, again, change.on)


def repriced(account: Account, changes: list[RateChange], rates: RateHistory,
             start: date | None) -> Account:
    """The account as it stands once `changes`, repricings after its payments, are applied
    (the module's rule): what a quote dated after them sees."""
    quoted = account.model_copy(deep=True)
    _reprice_to(quoted, [c for c in changes if c.changed], None, rates, start)
    return quoted


def nothing_to_settle(account: Account, on: date) -> str | None:
    """Why the loan cannot be settled early on `on` (nothing falls due after it), or None."""
    return _all_fallen_due(account, on, "settle early")


def _all_fallen_due(account: Account, on: date, what: str) -> str | None:
    last = account.instalments[-1].due_on
    if last > on:
        return None
    return (f"the plan's last instalment fell due on {last}: nothing is left to {what}; "
            "record it as a repayment")


def payoff_quote(account: Account, on: date, penalty_rate: Decimal = ZERO) -> Account:
    """The account of a loan whose plan has all fallen due, penalty interest accrued to `on`:
    its `owed` clears the loan (a repayment, not an early settlement)."""
    quoted = account.model_copy(deep=True)
    _accrue_penalty(quoted, on, penalty_rate)
    return quoted


def settlement_quote(
    account: Account, on: date, start: date, penalty_rate: Decimal = ZERO,
    fee: PrepaymentFee = NO_FEE,
) -> Account:
    """The account as it would stand if the loan were settled on `on`: everything left is
    due that day, and its `owed` is what settles it (its parts: `principal_owed`,
    `penalty_owed`, any prepayment fee, the interest accrued, less `interest_back`). The
    interest paid ahead beyond what has accrued is given back against the whole, not
    applied again to principal as the settling payment will apply it: the quote's principal
    is the account's, as status and the book show it, and its total the same."""
    quoted = account.model_copy(deep=True)
    _accrue_penalty(quoted, on, penalty_rate)
    again = _settle_early(quoted, on, start, fee)
    quoted.interest_back = min(again, quoted.owed)
    quoted.credit += again - quoted.interest_back
    return quoted


def interest_paid_ahead(account: Account, today: date, on: date) -> Decimal:
    """The interest paid by `today`, the day `account` is drawn up to, on instalments that
    fall due after it and by `on`: paid ahead today (status's "paid ahead"), which a quote for
    the later day `on` finds paid on instalments then due, its `owed` net of it; named apart
    (`Account.owed_parts`), as today's quote names what it gives back."""
    return sum((s.interest_paid for s in account.instalments if today < s.due_on <= on), ZERO)


def due_by(account: Account, on: date) -> Decimal:
    """What is due by `on`: a prepayment fee left unpaid and what the instalments due on or
    before it leave unpaid, penalty interest included (accrued as the account was drawn up)."""
    return sum((s.outstanding for s in account.instalments
                if s.due_on <= on and s.settled_on is None), account.fee_due - account.fee_paid)


def current_instalment(account: Account, on: date) -> InstalmentState | None:
    """The instalment whose period runs on `on`: the first one due after it."""
    return next((s for s in account.instalments if s.due_on > on), None)


AHEAD_OF_PLAN = ("repay principal ahead of the plan with --prepay (`prepayment` quotes it) or "
                 "the whole loan with --settle (`settlement` quotes it)")


def repayment_refusal(account: Account, amount: Decimal, on: date,
                      instead: str = AHEAD_OF_PLAN) -> str | None:
    """Why `amount` cannot be a plain repayment on `on`, or None (the rule of repayments):
    a repayment pays what is due by then, and may pay the current instalment early, as the
    plan asks it (its interest for the whole period: paying it early does not cut it); what
    is beyond that repays principal ahead of the plan, which is a prepayment or an early
    settlement, each at its quote, so that no interest is charged for days not yet run;
    the refusal says what to do `instead`."""
    due = due_by(account, on)
    current = current_instalment(account, on)
    early = current.outstanding if current is not None and current.settled_on is None else ZERO
    if amount <= due + early:
        return None
    early_part = (f" and the current instalment #{current.number} (due {current.due_on}, "
                  f"{money(early)}), which may be paid early" if current is not None and early
                  else "")
    return (f"{money(amount)} is more than a repayment on {on} pays, {money(due + early)}: "
            f"what is due by then ({money(due)}){early_part}. Record at most that as a "
            f"repayment; {instead}")


def prepayment_refusal(
    account: Account, amount: Decimal, on: date, start: date, fee: PrepaymentFee = NO_FEE,
    minimum: Decimal = ZERO, penalty_rate: Decimal = ZERO,
) -> str | None:
    """Why `amount` cannot prepay part of the loan on `on`, or None: it must pay more than
    is due by then, penalty interest accrued to that day at `penalty_rate` included (as the
    prepayment books it: penalty, interest, principal due, then principal ahead), so as to
    repay at least `minimum` of principal ahead of the plan, and less than the principal
    left (with its fee), which settling repays."""
    if (ended := _all_fallen_due(account, on, "prepay")) is not None:
        return ended
    due = due_by(payoff_quote(account, on, penalty_rate), on)
    ahead = ((amount - due) / (1 + fee.rate_on(start, on))).quantize(CENT, rounding=ROUND_DOWN)
    if ahead <= 0:
        return (f"{money(amount)} pays only what is due by {on} ({money(due)}, penalty interest "
                "included): nothing is left to prepay; record it as a repayment")
    if ahead < minimum:
        return (f"{money(amount)} repays {money(ahead)} of principal ahead of the plan, after "
                f"what is due by {on} ({money(due)}, penalty interest included), and a "
                f"prepayment repays at least {money(minimum)}: prepay more, or record it as a "
                "repayment")
    later = account.principal_due_after(on)
    if ahead >= later:
        return (f"{money(amount)} repays all the principal left ({money(later)}) and what is "
                f"due by {on}: settle the loan instead (`settlement` quotes it)")
    return None


def prepayment_quote(
    account: Account, amount: Decimal, on: date, start: date, period_rate: Decimal,
    penalty_rate: Decimal = ZERO, fee: PrepaymentFee = NO_FEE, shortens: bool = False,
    relevels: bool = False,
) -> Account:
    """The account as it would stand after prepaying `amount` on `on`: the instalments due
    after it, shrunk (the module's rule), re-amortised to a level payment when it
    `relevels`."""
    quoted = account.model_copy(deep=True)
    quoted.paid += amount
    _accrue_penalty(quoted, on, penalty_rate)
    _prepay(quoted, amount, on, start, period_rate, fee, shortens, relevels)
    return quoted


def _allocate(account: Account, amount: Decimal, paid_on: date) -> None:
    account.credit += _pay(account, amount, paid_on)


def _pay(account: Account, amount: Decimal, paid_on: date, due_by: date | None = None) -> Decimal:
    """Pays any fee left unpaid, then the instalments not settled, oldest first, each its
    penalty, interest, then principal; only those due by `due_by` when it is given. Returns
    what is left."""
    left = amount
    take = min(left, account.fee_due - account.fee_paid)  # a fee left unpaid comes first
    account.fee_paid += take
    left -= take
    for state in account.instalments:
        if left <= 0 or (due_by is not None and state.due_on > due_by):
            break
        if state.settled_on is not None:
            continue
        take = min(left, state.penalty_due - state.penalty_paid)
        state.penalty_paid += take
        left -= take
        take = min(left, state.interest_due - state.interest_paid)
        state.interest_paid += take
        left -= take
        take = min(left, state.principal_due - state.principal_paid)
        state.principal_paid += take
        left -= take
        if state.outstanding == 0:
            state.settled_on = paid_on
    return left


def _accrue_penalty(account: Account, to: date, rate: Decimal) -> None:
    """Penalty interest on what each instalment leaves unpaid past its due date, to `to`."""
    if rate <= 0:
        return
    for state in account.instalments:
        if state.settled_on is not None or state.due_on >= to:
            continue
        since = state.penalty_to or state.due_on
        if to > since:
            state.penalty_due += cents(state.unpaid * rate * (to - since).days / 360)
            state.penalty_to = to


def _bring_forward(account: Account, on: date, start: date | None) -> Decimal:
    """Settlement terms on `on` (the module's rule); returns the interest paid ahead that
    the cut leaves over, to be applied again."""
    if start is None:
        raise ValueError("an early settlement needs the day the plan's first period begins")
    again, period_start = ZERO, start
    for state in account.instalments:
        begins, period_start = period_start, max(state.due_on, start)
        if state.due_on <= on:
            continue
        elapsed, days = max((on - begins).days, 0), (state.due_on - begins).days
        running = state.interest_due - state.interest_fixed  # on the principal left
        accrued = state.interest_fixed + (cents(running * elapsed / days) if days > 0 else ZERO)
        excess = max(state.interest_paid - accrued, ZERO)
        state.interest_due, state.due_on = accrued, on
        state.interest_paid -= excess
        again += excess
        if state.settled_on is None and state.outstanding == 0:
            state.settled_on = on
    return again


def _prepay(
    account: Account, amount: Decimal, on: date, start: date | None, period_rate: Decimal | None,
    fee: PrepaymentFee = NO_FEE, shortens: bool = False, relevels: bool = False,
) -> None:
    """A partial prepayment on `on` (the module's rule): what is left after what is due
    repays principal and its fee."""
    if start is None or period_rate is None:
        raise ValueError("a prepayment needs the day the plan's first period begins and the "
                         "plan's rate per period")
    fee_rate = fee.rate_on(start, on)
    left = _pay(account, amount, on, due_by=on)
    budget = (left / (1 + fee_rate)).quantize(CENT, rounding=ROUND_DOWN)
    before = account.principal_due_after(on)
    over = _repay_principal(account, budget, on, start, period_rate, shortens, relevels)
    charged = cents(fee_rate * (before - account.principal_due_after(on)))
    account.fee_due += charged
    account.fee_paid += charged
    _allocate(account, left - budget - charged + over, on)


def _settle_early(
    account: Account, on: date, start: date | None, fee: PrepaymentFee
) -> Decimal:
    """Settlement terms on `on`, with the fee on the principal they bring forward; returns
    the interest paid ahead to be applied again (`_bring_forward`)."""
    ahead = account.principal_due_after(on)
    again = _bring_forward(account, on, start)  # refuses a settlement without a start
    assert start is not None
    account.fee_due += cents(fee.rate_on(start, on) * ahead)
    return again


def _repay_principal(
    account: Account, amount: Decimal, on: date, start: date, period_rate: Decimal,
    shortens: bool = False, relevels: bool = False,
) -> Decimal:
    """Repays up to `amount` of the principal of the instalments due after `on`, shared in
    proportion to what each has unpaid, or the last ones first when it `shortens` the plan;
    returns what is left of `amount` and the interest paid ahead that the lower balance
    frees, to be applied again."""
    later = [s for s in account.instalments if s.due_on > on]
    unpaid = [s.principal_due - s.principal_paid for s in later]
    cut = min(amount, sum(unpaid, ZERO))
    if cut <= 0:
        return amount
    shares = _last_first(unpaid, cut) if shortens else _in_proportion(unpaid, cut)
    if relevels and not shortens:
        shares = _level_after_first(later, shares, period_rate)
    cut = sum(shares, ZERO)
    previous = [s for s in account.instalments if s.due_on <= on]
    begins = max(previous[-1].due_on, start) if previous else start
    balance = sum((s.principal_planned for s in later), ZERO) - cut
    again = ZERO
    for index, (state, repaid) in enumerate(zip(later, shares, strict=True)):
        state.principal_paid += repaid
        state.principal_prepaid += repaid
        rate = period_rate if state.period_rate is None else state.period_rate
        if index == 0:
            days, days_left = (state.due_on - begins).days, (state.due_on - on).days
            left = Decimal(days_left) / days if days > 0 else ZERO
            state.interest_fixed += cents(rate * cut) - cents(rate * cut * left)
            # the period's interest recomputed on the principal left for the days left, not
            # the cut's scaled off the rounded whole: 19m at 4% a month is 63,333.33
            before = balance + cut
            saved = cents(rate * before) - cents(rate * (before - cut * left))
            # never below what has accrued: rounding must not take back a cent of it
            interest = max(state.interest_due - saved, state.interest_fixed)
        else:
            interest = cents(rate * balance)
        balance -= state.principal_planned
        excess = max(state.interest_paid - interest, ZERO)
        state.interest_due, state.interest_paid = interest, state.interest_paid - excess
        again += excess
        if state.settled_on is None and state.outstanding == 0:
            state.settled_on = on
    return amount - cut + again


def _in_proportion(unpaid: list[Decimal], cut: Decimal) -> list[Decimal]:
    """`cut` shared by `unpaid`, rounded down to the cent, the rest to the last, as plans
    round."""
    shares = [(cut * u / sum(unpaid)).quantize(CENT, rounding=ROUND_DOWN) for u in unpaid[:-1]]
    return [*shares, min(cut - sum(shares, ZERO), unpaid[-1])]


def _level_after_first(later: list[InstalmentState], shares: list[Decimal],
                       period_rate: Decimal) -> list[Decimal]:
    """`shares` with those after the first (the current period's) re-amortised: what the
    instalments after it keep of their principal is their balance's level payment less
    their interest, the last taking what is left, as `build_schedule` plans; the shares as
    they were when that would repay an instalment more than it has unpaid."""
    rest = later[1:]
    amortising = [s for s in rest if s.principal_planned > 0]
    if not amortising:
        return shares
    rate = period_rate if rest[0].period_rate is None else rest[0].period_rate
    balance = sum((s.principal_planned for s in rest), ZERO) - sum(shares[1:], ZERO)
    level = annuity_payment(balance, rate, len(amortising))
    levelled = []
    for state in rest:
        part = ZERO
        if state is amortising[-1]:
            part = balance
        elif state.principal_planned > 0:
            part = min(balance, level - cents(balance * rate))
        balance -= part
        levelled.append(state.principal_planned - part)
    if any(share < 0 or share > s.principal_due - s.principal_paid
           for share, s in zip(levelled, rest, strict=True)):
        return shares
    return [shares[0], *levelled]


def _last_first(unpaid: list[Decimal], cut: Decimal) -> list[Decimal]:
    """`cut` taken from the last of `unpaid` backwards, each up to what it has."""
    shares, left = [], cut
    for u in reversed(unpaid):
        shares.append(min(u, left))
        left -= shares[-1]
    return shares[::-1]


def threshold_days(first_overdue: date) -> list[date]:
    """The days on which the days-past-due floor of an instalment due then changes class."""
    return [first_overdue + timedelta(days=days + 1) for days, _ in reversed(FLOORS)]


def dpd_class(account: Account, as_of: date) -> RiskClass:
    return floor_by_days_past_due(account.days_past_due(as_of))


class PostLoanState(BaseModel):
    """What the post-loan stage keeps between wake-ups, and carries over continue-as-new."""

    payments: list[Payment] = Field(default_factory=list)
    reminded: list[int] = Field(default_factory=list)  # instalment numbers reminded
    overdue_noticed: list[int] = Field(default_factory=list)
    prepayments_noticed: list[str] = Field(default_factory=list)  # payment references
    risk_class: RiskClass = RiskClass.NORMAL
    class_reason: str = ""  # why the loan has its class (or why an upgrade is held)
    downgraded_on: date | None = None  # the last downgrade: the observation period runs since
    assessed: RiskClass = RiskClass.NORMAL  # the last review's judgement, before the dpd floor
    # before any review, why `assessed` is worse than normal: the covenant breaches on file
    # the payout carried (since marker carried-breach-classed)
    judged_on_file: str = ""
    max_days_past_due: int = 0
    warnings: list[EarlyWarning] = Field(default_factory=list)
    reviews_seen: list[str] = Field(default_factory=list)  # review ids, the newest last
    write_off_votes: list[str] = Field(default_factory=list)  # committee member ids
    schedule_every_months: int | None = None  # the review cadence the schedule has now
    last_review: ReviewResult | None = None
    review_inbox: list[ReviewResult] = Field(default_factory=list)  # signalled, not applied
    reviews_this_run: int = 0
    runs: int = 1  # runs of this journey so far (continue-as-new counts them)
    rate_changes: list[RateChange] = Field(default_factory=list)  # repricings, oldest first


class PostLoanCarry(BaseModel):
    """Everything continue-as-new must carry: the post-loan state and the journey's own.

    `journey` is the journey's bookkeeping (policy snapshot, route, offer, disbursement,
    timeline, decisions, timing events, sequence) as JSON: the workflow restores it with its
    own models, which live beside JourneyInput and would make this module import in a circle.
    """

    state: PostLoanState
    policy: PostLoanPolicy  # pinned with the offer (older journeys: when post-loan began)
    journey: dict[str, object]


def covenants_on_file(
    covenants: list[Covenant], readings: list[DocumentReading], plan: list[Instalment],
    disbursed_on: date | None,
) -> tuple[dict[str, Decimal | None], dict[str, str], list[CovenantCheck]]:
    """The ratios of the latest statements read, how DSCR was computed, and `covenants`
    checked against them: a review's test, and before disbursement the loan's terms tested
    on the file it is decided on."""
    statements = [
        r.statement for r in readings if r.status is ReadStatus.READ and r.statement is not None
    ]
    ratios = compute_ratios(statements)
    values: dict[str, Decimal | None] = {name: ratios.get(name) for name in RATIO_NAMES}
    cover = dscr(statements, plan, disbursed_on)
    values["dscr"] = cover.value
    notes = {"dscr": cover.reason}
    return values, notes, check_covenants(covenants, values, notes)


def statements_that_count(
    readings: list[DocumentReading], borrower: str | None, today: date
) -> tuple[list[DocumentReading], list[str]]:
    """The readings a review tests, and why each of the others is left out: a statement of
    another company than the borrower (when known), or of a period that has not ended."""
    kept, left_out = [], []
    for r in readings:
        st = r.statement
        if (company := other_company(st, borrower)) is not None:
            left_out.append(f"{r.ref.filename} ({company}), not the borrower's")
        elif st is not None and st.period_end is not None and st.period_end > today:
            left_out.append(f"{r.ref.filename}, its period ends {st.period_end}, after the "
                            "review")
        else:
            kept.append(r)
    return kept, left_out


def assess_review(
    facts: ReviewFacts, readings: list[DocumentReading], review_id: str, today: date
) -> ReviewResult:
    """Recompute the ratios from the latest statements, check the covenants, classify.

    Judgement rule: a covenant breach makes the loan at least special mention (关注); the
    days-past-due floor then applies (`classify`). The covenants are the loan's own, from
    its offer; DSCR as in journey/post_loan_dscr.py.
    """
    counted, left_out = statements_that_count(readings, facts.borrower, today)
    values, notes, checks = covenants_on_file(facts.covenants, counted, facts.plan,
                                              facts.disbursed_on)
    if left_out:
        notes["statements"] = "left out: " + "; ".join(left_out)
    assessed = RiskClass.SPECIAL_MENTION if any(c.breached for c in checks) else RiskClass.NORMAL
    return ReviewResult(
        review_id=review_id,
        journey_id=facts.journey_id,
        reviewed_on=today,
        ratios=values,
        notes=notes,
        checks=checks,
        days_past_due=facts.days_past_due,
        arrears=facts.arrears,
        assessed=assessed,
        risk_class=classify(facts.days_past_due, assessed),
        previous_class=facts.risk_class,
    )


def reminders_due(
    account: Account, policy: PostLoanPolicy, reminded: list[int], now: datetime,
    zone: tzinfo = UTC,
) -> list[InstalmentState]:
    """Open instalments whose reminder time has come, not reminded yet, not yet past due
    (on the day `now` is in `zone`, the loan's days)."""
    today = now.astimezone(zone).date()
    return [
        i
        for i in account.instalments
        if i.settled_on is None
        and i.number not in reminded
        and reminder_at(policy, i.due_on) <= now
        and today <= i.due_on
    ]


def overdue_notices_due(account: Account, noticed: list[int], today: date) -> list[InstalmentState]:
    return [i for i in account.overdue(today) if i.settled_on is None and i.number not in noticed]


def next_wakeup(
    account: Account,
    policy: PostLoanPolicy,
    reminded: list[int],
    now: datetime,
    observing: bool = False,
    zone: tzinfo = UTC,
    daily_in_arrears: bool = False,
) -> datetime | None:
    """The next moment something changes without anyone acting: a reminder falls due, an
    instalment goes past due, the days past due cross a classification floor, or, while an
    upgrade is held in observation (`observing`), an instalment paid ahead falls due; with
    `daily_in_arrears`, also the next day for a loan in arrears, whose days past due and
    penalty interest grow by the day, so that what its status shows is never older than a
    day. Days begin at midnight in `zone`, the loan's."""
    times: list[datetime] = []
    if observing:
        times += [start_of(i.due_on, zone) for i in account.instalments]
    for i in account.instalments:
        if i.settled_on is not None:
            continue
        if i.number not in reminded:
            times.append(reminder_at(policy, i.due_on))
        times.append(start_of(i.due_on + timedelta(days=1), zone))
    today = now.astimezone(zone).date()
    late = account.overdue(today)
    if late:
        times += [start_of(d, zone) for d in threshold_days(late[0].due_on)]
        if daily_in_arrears:
            times.append(start_of(today + timedelta(days=1), zone))
    future = [t for t in times if t > now]
    return min(future, default=None)
