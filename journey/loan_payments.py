"""Payments applied to the loan account, and what a payment on a day would do: the quotes
that say what settles or prepays the loan, and the refusals of what a payment cannot be.

The rules are journey/payment_allocation.py's (allocation, early settlement, prepayment,
its fee), journey/arrears.py's (penalty interest) and journey/account_repricing.py's.

Repayment, on a day: a plain repayment pays what is due by that day (any prepayment fee left
unpaid, then the instalments due on or before it, oldest first) and may pay the current
instalment (the first due after that day) early, as the plan asks it: its interest for the
whole period, which paying early does not cut, as the borrower chose to pay before the due
date. No more: principal repaid ahead of the plan is a partial prepayment or an early
settlement, each at its quote, so that no interest is charged for periods not yet run.
Operations record every payment (journey/policy/authority.py, `authorize_receipt`).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from journey.account_repricing import reprice_to
from journey.arrears import accrue_penalty
from journey.loan_account import ZERO, Account, InstalmentState, Payment
from journey.lpr import RateHistory
from journey.payment_allocation import allocate, prepay, settle_early
from journey.post_loan_policy import NO_FEE, PrepaymentFee
from journey.repayment import CENT, Instalment, money


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
            interest_fixed=i.accrued_before, penalty_to=i.penalty_from, period_end=i.period_end,
            settled_on=i.due_on if i.payment == 0 else None,  # nothing to pay: never past due
        )
        for i in plan
    ]
    account = Account(instalments=states)
    changes = [c for c in rates.changes if c.changed] if rates is not None else []
    for payment in sorted(payments, key=lambda p: (p.paid_on, p.order)):
        reprice_to(account, changes, payment.paid_on, rates, start)
        account.paid += payment.amount
        accrue_penalty(account, payment.paid_on, penalty_rate)
        if payment.prepays:
            prepay(account, payment.amount, payment.paid_on, start, period_rate, fee,
                    payment.shortens, payment.relevels)
            continue
        again = settle_early(account, payment.paid_on, start, fee) if payment.settles else ZERO
        allocate(account, payment.amount + again, payment.paid_on)
    reprice_to(account, changes, as_of, rates, start)
    if as_of is not None:
        accrue_penalty(account, as_of, penalty_rate)
    return account

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
    accrue_penalty(quoted, on, penalty_rate)
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
    accrue_penalty(quoted, on, penalty_rate)
    again = settle_early(quoted, on, start, fee)
    quoted.interest_back = min(again, quoted.owed)
    quoted.credit += again - quoted.interest_back
    return quoted


def interest_paid_ahead(account: Account, today: date, quote: Account) -> Decimal:
    """The interest paid by `today`, the day `account` is drawn up to, on instalments that
    fall due after it (status's "paid ahead") which `quote`, `account` quoted for settling on
    a day, nets from its `owed`: all of it on the instalments due by that day, what has
    accrued on those it brings forward (the rest it gives back, `interest_back`); named with
    it as interest paid ahead (`Account.owed_parts`), not folded into the interest."""
    return sum((q.interest_paid for s, q in zip(account.instalments, quote.instalments,
                                                  strict=True) if s.due_on > today), ZERO)


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
    """Why `amount` cannot prepay part of the loan on `on`, or None: it must be less than
    settling the loan takes that day (the settlement quote, which nets the interest paid
    ahead) by at least `minimum`, and pay more than is due by then, penalty interest accrued
    to that day at `penalty_rate` included (as the prepayment books it: penalty, interest,
    principal due, then principal ahead), so as to repay at least `minimum` of principal
    ahead of the plan, and less than the principal left (with its fee). What reaches the
    quote settles the loan: prepaid, it was booked as principal and interest, leaving cents
    of principal in instalments of a few yuan; and a rest below `minimum` only settling
    could repay."""
    if (ended := _all_fallen_due(account, on, "prepay")) is not None:
        return ended
    settles = settlement_quote(account, on, start, penalty_rate, fee).owed
    settle = f"use `repay --settle` (settlement quote {money(settles)})"
    if amount >= settles:
        return f"{money(amount)} settles the loan on {on}: {settle}"
    due = due_by(payoff_quote(account, on, penalty_rate), on)
    rate = fee.rate_on(start, on)
    ahead = _ahead(amount, due, rate)
    if ahead <= 0:
        return (f"{money(amount)} pays only what is due by {on} ({money(due)}, penalty interest "
                "included): nothing is left to prepay; record it as a repayment")
    most = settles - minimum  # the most a prepayment pays: it leaves `minimum` to settle
    room = _ahead(most, due, rate) >= minimum  # for a prepayment of at least `minimum`
    if ahead < minimum:
        return (f"{money(amount)} repays {money(ahead)} of principal ahead of the plan, after "
                f"what is due by {on} ({money(due)}, penalty interest included), and a "
                f"prepayment repays at least {money(minimum)}: "
                + ("prepay more, or record it as a repayment" if room else
                   f"too little is left for one; record it as a repayment, or {settle}"))
    later = account.principal_due_after(on)
    if ahead >= later:
        return (f"{money(amount)} repays all the principal left ({money(later)}) and what is "
                f"due by {on}: settle the loan instead (`settlement` quotes it)")
    if amount > most:
        prepay_less = f"prepay at most {money(most)}, or " if room else ""
        return (f"{money(amount)} would leave {money(settles - amount)} to settle the loan on "
                f"{on}, less than the {money(minimum)} a prepayment repays at least, so that "
                f"only settling could repay it: {prepay_less}settle the loan instead: {settle}")
    return None


def _ahead(amount: Decimal, due: Decimal, fee_rate: Decimal) -> Decimal:
    """The principal `amount` repays ahead of the plan once it has paid `due`, with its fee
    at `fee_rate` (as `prepay` shares the rest)."""
    return ((amount - due) / (1 + fee_rate)).quantize(CENT, rounding=ROUND_DOWN)


def prepayment_quote(
    account: Account, amount: Decimal, on: date, start: date, period_rate: Decimal,
    penalty_rate: Decimal = ZERO, fee: PrepaymentFee = NO_FEE, shortens: bool = False,
    relevels: bool = False,
) -> Account:
    """The account as it would stand after prepaying `amount` on `on`: the instalments due
    after it, shrunk (journey/payment_allocation.py), re-amortised to a level payment when it
    `relevels`."""
    quoted = account.model_copy(deep=True)
    quoted.paid += amount
    accrue_penalty(quoted, on, penalty_rate)
    prepay(quoted, amount, on, start, period_rate, fee, shortens, relevels)
    return quoted
