"""The loan account after disbursement: the plan's instalments, what each has been paid,
arrears, days past due.

Pure: dates come in, nothing reads a clock. The account is recomputed from the plan and the
payments every time, so it can never drift from them (journey/loan_payments.py); how a
payment is allocated is journey/payment_allocation.py's rule, penalty interest
journey/arrears.py's, repricing journey/account_repricing.py's; its reminders and overdue
notices are journey/post_loan_wakeups.py's.

Days past due, as of a date: days since the due date of the oldest instalment that was due
before that date and was not settled on or before it (0 when none). An instalment is due on
its due date and past due from the next day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from journey.repayment import Instalment, cents, money

ZERO = Decimal("0.00")


class Payment(BaseModel):
    reference: str
    amount: Decimal
    paid_on: date
    order: int = 0  # the order it was recorded in: breaks ties between same-day payments
    settles: bool = False  # an early settlement (journey/payment_allocation.py)
    prepays: bool = False  # a partial prepayment (journey/payment_allocation.py)
    shortens: bool = False  # a prepayment that repays the last instalments first
    # a prepayment that re-amortises an equal-instalment plan: the instalments after the
    # current one level to the cent, the last taking the rounding (journey/payment_allocation.py)
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
    # the day its period ends by the plan, where a non-working day moved its due date later
    # (journey/repayment.py `on_working_days`); None: its due date
    period_end: date | None = None

    @property
    def ends_on(self) -> date:
        """The day its period ends by the plan: its interest has all accrued by then, and the
        next period's begins to."""
        return self.period_end or self.due_on

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


@dataclass(frozen=True)
class Accrual:
    """What an instalment's period has accrued by a day: its interest on the principal left
    (`running`) shared out by the days run (`elapsed`) of the period's `days`, to `due_on`,
    and whole what was fixed before it (`fixed`: a project's interest from its drawdowns)."""

    due_on: date
    elapsed: int
    days: int
    running: Decimal
    fixed: Decimal

    @property
    def accrued(self) -> Decimal:
        share = cents(self.running * self.elapsed / self.days) if self.days > 0 else ZERO
        return self.fixed + share

    def basis(self) -> str:
        """How `accrued` is counted, for people checking it by hand."""
        before = f", and {money(self.fixed)} fixed before the period" if self.fixed else ""
        return (f"{self.elapsed}/{self.days} days of the period's {money(self.running)}, the "
                f"days run over the period's days, to {self.due_on}{before}")


class Account(BaseModel):
    instalments: list[InstalmentState]
    paid: Decimal = ZERO
    credit: Decimal = ZERO  # paid beyond the whole plan: owed back to the customer
    fee_due: Decimal = ZERO  # prepayment fees charged (journey/payment_allocation.py)
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
                                   balance_after=balance, accrued_before=i.interest_fixed,
                                   period_end=i.period_end))
        return plan

    def owed_parts(self, paid_ahead: Decimal = ZERO, accrued: Accrual | None = None) -> str:
        """`owed` in words, part by part, for people; `paid_ahead`, interest paid ahead that
        `owed` nets already (a quote's, `interest_paid_ahead`), named with `interest_back`
        as interest paid ahead, the interest before it; `accrued`, what the period running
        on a quote's day has accrued in that interest, and how it is counted."""
        fee = self.fee_due - self.fee_paid
        ahead = self.interest_back + paid_ahead
        interest = self.owed + ahead - self.principal_owed - self.penalty_owed - fee
        basis = ""
        if accrued is not None and accrued.elapsed:
            share = "" if accrued.accrued == interest else f"{money(accrued.accrued)} of it "
            basis = f" ({share}accrued: {accrued.basis()})"
        penalty = f", penalty interest {money(self.penalty_owed)}" if self.penalty_owed else ""
        fee_part = f", prepayment fee {money(fee)}" if fee else ""
        back = f", less interest paid ahead {money(ahead)}" if ahead else ""
        return (f"principal {money(self.principal_owed)}, interest {money(interest)}{basis}"
                f"{penalty}{fee_part}{back}")

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
