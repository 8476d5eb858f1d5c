"""How a payment is allocated to the loan account: in order, as an early settlement, as a
partial prepayment, and the prepayment fee (a plain repayment's limit: journey/loan_payments.py).

Allocation rule: payments are applied in order of their payment date (ties in the order they
were recorded) to the oldest instalment not yet settled, interest first, then principal; what
a payment leaves over goes to the next instalment (paying ahead), and whatever remains once
the whole plan is paid is a credit balance (overpayment) owed back to the customer.

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

A period begins on the previous instalment's due date, or the plan's start when that is
later: a project's quarters of interest left unpaid when its drawdowns closed come before
the plan's first instalment, due before its start (journey/availability_interest.py).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from journey.loan_account import ZERO, Account, Accrual, InstalmentState
from journey.post_loan_policy import NO_FEE, PrepaymentFee
from journey.repayment import CENT, annuity_payment, cents


def allocate(account: Account, amount: Decimal, paid_on: date) -> None:
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


def _accruals(account: Account, on: date, start: date) -> list[tuple[InstalmentState, Accrual]]:
    """The instalments due after `on`, each with what its period has accrued by then: its
    period by the plan (`ends_on`), so that one whose due date a non-working day moved has
    accrued whole once its period has run, and the next has begun to."""
    accruals, period_start = [], start
    for state in account.instalments:
        begins, period_start = period_start, max(state.ends_on, start)
        if state.due_on > on:
            days, elapsed = (state.ends_on - begins).days, max((on - begins).days, 0)
            if state.period_end is not None:  # its period has run by its moved due date
                elapsed = min(elapsed, days)
            accruals.append((state, Accrual(
                due_on=state.ends_on, elapsed=elapsed, days=days, fixed=state.interest_fixed,
                running=state.interest_due - state.interest_fixed)))  # on the principal left
    return accruals


def period_accrual(account: Account, on: date, start: date) -> Accrual | None:
    """What the period running on `on` has accrued by then (an early settlement's interest
    for it); None once the plan has all fallen due."""
    return next((a for _, a in _accruals(account, on, start)), None)


def _bring_forward(account: Account, on: date, start: date | None) -> Decimal:
    """Settlement terms on `on` (the module's rule); returns the interest paid ahead that
    the cut leaves over, to be applied again."""
    if start is None:
        raise ValueError("an early settlement needs the day the plan's first period begins")
    again = ZERO
    for state, accrual in _accruals(account, on, start):
        accrued = accrual.accrued
        excess = max(state.interest_paid - accrued, ZERO)
        state.interest_due, state.due_on = accrued, on
        state.interest_paid -= excess
        again += excess
        if state.settled_on is None and state.outstanding == 0:
            state.settled_on = on
    return again


def prepay(
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
    allocate(account, left - budget - charged + over, on)


def settle_early(
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
    begins = max(previous[-1].ends_on, start) if previous else start
    balance = sum((s.principal_planned for s in later), ZERO) - cut
    again = ZERO
    for index, (state, repaid) in enumerate(zip(later, shares, strict=True)):
        state.principal_paid += repaid
        state.principal_prepaid += repaid
        rate = period_rate if state.period_rate is None else state.period_rate
        if index == 0:
            days = (state.ends_on - begins).days
            days_left = max((state.ends_on - on).days, 0)  # none once its period has run
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
