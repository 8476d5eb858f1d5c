"""Money booked to a loan in a period, by kind: what the payments a journey recorded with a
value date in the period paid of principal, interest, penalty interest and prepayment fees,
beyond the whole plan (owed back), or, while a project draws or owes only its commitment fee,
of its quarters (interest and commitment fee, journey/availability_interest.py). Of the
interest, what was paid on instalments not due by the period's last day is its own kind,
interest received in advance (预收利息, `paid_ahead`): not earned in the period (an instalment
paid on the payout day, none of its days run), as a month-end's "paid ahead" at the period's
end is (journey/month_end.py, the same rule: `paid_ahead`).

A loan's payments are allocated as its account allocates them today (journey/payment_allocation.py):
the account is drawn up again from status's payments, with those of the period and without,
and the difference is what they paid. Drawn up with all of them it must be status's own
account, part by part; where it is not (a payment kept in a way status does not show), the
period's payments of that journey are booked as not allocated, and the journey named: the
money still adds up, its kinds do not. A project's payments recorded before its close are its
quarters'; what they paid beyond what the close owed is credited to the plan on the close
day (journey/availability_payoff.py), counted there as the quarters' money, not again."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from decimal import Decimal

from pydantic import BaseModel

from journey.availability_payoff import PAID_AHEAD
from journey.loan_account import ZERO, Account, Payment
from journey.loan_payments import apply_payments
from journey.lpr import RateHistory
from journey.stages import Stage
from journey.status import JourneyStatus, PaymentRecord, plan_start


class ByKind(BaseModel):
    """Money booked, by what it paid."""

    principal: Decimal = ZERO
    interest: Decimal = ZERO  # of instalments due by the period's last day
    # interest received in advance (预收利息): of instalments due after the period's last day
    paid_ahead: Decimal = ZERO
    penalty: Decimal = ZERO
    fees: Decimal = ZERO  # prepayment fees (提前还款补偿金)
    beyond_plan: Decimal = ZERO  # paid beyond the whole plan: owed back to the customer
    quarters: Decimal = ZERO  # a project's interest and commitment fee while it draws
    not_allocated: Decimal = ZERO  # the account could not be drawn up again: see `why`

    @property
    def total(self) -> Decimal:
        return (self.principal + self.interest + self.paid_ahead + self.penalty + self.fees
                + self.beyond_plan + self.quarters + self.not_allocated)

    def __add__(self, other: ByKind) -> ByKind:
        return ByKind(**{k: getattr(self, k) + getattr(other, k) for k in ByKind.model_fields})

    def __sub__(self, other: ByKind) -> ByKind:
        return ByKind(**{k: getattr(self, k) - getattr(other, k) for k in ByKind.model_fields})


class Booked(BaseModel):
    """A journey's payments with a value date in the period, and what they paid."""

    workflow_id: str
    payments: list[Payment]
    kinds: ByKind
    why: str = ""  # why its kinds are not allocated


def of_account(account: Account) -> ByKind:
    return ByKind(
        principal=sum((i.principal_paid for i in account.instalments), ZERO),
        interest=sum((i.interest_paid for i in account.instalments), ZERO),
        penalty=sum((i.penalty_paid for i in account.instalments), ZERO),
        fees=account.fee_paid, beyond_plan=account.credit)


def booked(s: JourneyStatus, first: date, last: date) -> Booked | None:
    """What journey `s` booked from the payments valued `first` to `last`; None when it
    recorded none then."""
    position = s.availability_interest
    drawing = s.stage is Stage.DISBURSEMENT and position is not None
    every = position.payments if drawing and position else [
        _payment(p, n) for n, p in enumerate(s.payments)]
    paid = [p for p in every if first <= p.paid_on <= last]
    if not paid:
        return None
    total = sum((p.amount for p in paid), ZERO)
    if drawing or s.account is None:
        return Booked(workflow_id=s.workflow_id, payments=paid, kinds=ByKind(quarters=total))
    split = _split(s, every)
    if split is None:
        return Booked(workflow_id=s.workflow_id, payments=paid, kinds=ByKind(
            not_allocated=total), why="its account, drawn up again from its payments, is not "
                                      "status's: see `status` for what they paid")
    own = every[split:]
    through, before = _account(s, own, last), _account(s, own, first - timedelta(days=1))
    kinds = of_account(through) - of_account(before)
    ahead = paid_ahead(through, last) - paid_ahead(before, last) if not through.repaid else ZERO
    kinds = kinds.model_copy(update={"interest": kinds.interest - ahead, "paid_ahead": ahead})
    quarters = sum((p.amount for p in every[:split] if p in paid), ZERO)
    return Booked(workflow_id=s.workflow_id, payments=paid,
                  kinds=kinds.model_copy(update={"quarters": quarters}))


def paid_ahead(account: Account, day: date) -> Decimal:
    """Interest received in advance (预收利息) in `account` at the end of `day`: the interest
    its payments paid of instalments due after it; none once the loan is repaid (what its
    settlement took was earned)."""
    if account.repaid:
        return ZERO
    return sum((i.interest_paid for i in account.instalments if i.due_on > day), ZERO)


def loan_payments(s: JourneyStatus) -> list[Payment] | None:
    """The payments of the loan of status `s` (a project's after its quarters'), as its
    account is drawn up from them; None for a journey with no account, a project still
    drawing, or one whose account cannot be drawn up again from its payments."""
    if s.account is None or (s.stage is Stage.DISBURSEMENT
                             and s.availability_interest is not None):
        return None
    every = [_payment(p, n) for n, p in enumerate(s.payments)]
    split = _split(s, every)
    return None if split is None else every[split:]


def quarters_payments(s: JourneyStatus) -> list[Payment]:
    """The payments a project made to its quarters while it drew: status's while it still
    draws, those recorded before its loan's once it closed (`loan_payments`); none for any
    other journey, or one whose account cannot be drawn up again from its payments."""
    position = s.availability_interest
    if s.stage is Stage.DISBURSEMENT and position is not None:
        return position.payments
    if s.account is None or closed_on(s) is None:
        return []
    every = [_payment(p, n) for n, p in enumerate(s.payments)]
    split = _split(s, every)
    return [] if split is None else every[:split]


def drawn_up(s: JourneyStatus, own: list[Payment], through: date, as_of: date) -> Account:
    """The account of the loan of status `s` with the payments of `own` (`loan_payments`)
    valued by `through`, penalty interest accrued to `as_of`."""
    return _account(s, own, through, as_of=as_of)


def beyond_plan_by_payment(s: JourneyStatus, day: date) -> list[tuple[Payment, Decimal]]:
    """What each of journey `s`'s payments valued `day` paid beyond its whole plan, in the
    order they were booked: the account drawn up again through each in turn, so that the
    money is the payment's that came once the plan was paid, not the day's last one's (two
    payments of a day may come from two payers' accounts, and a refund goes back to the
    one it came from). Together they are what `booked` books of the day beyond the plan;
    none where the account cannot be drawn up again from its payments, or the loan is no
    running one (a drawing project pays quarters)."""
    if (own := loan_payments(s)) is None:
        return []
    before = _account(s, own, day - timedelta(days=1)).credit
    parts = []
    for p in sorted((p for p in own if p.paid_on == day), key=lambda p: p.order):
        through = _account(s, own, day, p.order).credit
        parts.append((p, through - before))
        before = through
    return parts


def _split(s: JourneyStatus, every: list[Payment]) -> int | None:
    """Where the loan's own payments begin in `every` (`_splits`): the first way that draws
    status's own account up again, None when none does."""
    assert s.account is not None
    return next((n for n in _splits(s, every)
                 if of_account(_account(s, every[n:], None)) == of_account(s.account)), None)


def closed_on(s: JourneyStatus) -> date | None:
    """The loan's day a project's drawdowns closed on, None for any other loan."""
    c = s.commitment
    if c is None or c.closed_at is None:
        return None
    return c.closed_at.astimezone(timezone(timedelta(hours=s.days_utc_offset))).date()


def _splits(s: JourneyStatus, payments: list[Payment]) -> list[int]:
    """Where a project's payments to its quarters (recorded first, valued by its close) may
    end and its loan's begin (valued from its close): each way a payment valued on the close
    day can go; none of them are quarters' for any other loan."""
    closed = closed_on(s)
    if closed is None:
        return [0]
    return [n for n in range(len(payments), -1, -1)
            if all(p.paid_on <= closed for p in payments[:n])
            and all(p.paid_on >= closed for p in payments[n:])]


def _account(s: JourneyStatus, own: list[Payment], through: date | None,
             booked_by: int | None = None, as_of: date | None = None) -> Account:
    """The account of status `s` drawn up again to its day (or `as_of`) with the payments of
    `own` valued by `through` (all, None), of `through`'s own those booked by the
    `booked_by`th (all, None): a project's after its close, with what its quarters paid
    ahead credited on the close day, as the journey credits it."""
    offer, closed = s.offer, closed_on(s)
    assert offer is not None and s.account is not None
    payments = [p for p in own if through is None or p.paid_on < through
                or p.paid_on == through and (booked_by is None or p.order <= booked_by)]
    ahead = s.account.paid - sum((p.amount for p in own), ZERO)
    if closed is not None and ahead > 0:
        payments.append(Payment(reference=PAID_AHEAD, amount=ahead, paid_on=closed, order=-1))
    rates = RateHistory(method=offer.method, frequency=offer.frequency, changes=s.rate_changes)
    return apply_payments(offer.schedule, payments, plan_start(offer, s.disbursement),
                          s.penalty_rate, as_of or s.today, offer.period_rate,
                          s.prepayment_fee, rates)


def _payment(p: PaymentRecord, order: int) -> Payment:
    return Payment(reference=p.reference, amount=p.amount, paid_on=p.paid_on, order=order,
                   settles=p.kind == "settlement", prepays=p.kind == "prepayment",
                   shortens=p.shortens)
