"""Project finance: interest during the availability period, paid quarterly (按季结息).

Interest on what is drawn accrues daily from each drawdown's booking day, by days over 360
(`earned`, journey/drawdown_conditions.py), each quarter's interest and fee rounded to the
cent once, on exact amounts (journeys whose drawdowns opened since the marker in
workflows/drawdowns.py; before it, each drawdown's part was), and is settled on the bank's
quarterly interest dates (结息日): the 20th of March, June, September and December. A
quarter's interest runs to its 结息日 inclusive and is payable the next day, the 21st, moved
to the next working day by the pinned calendar as the post-loan due dates are.

Each quarter is an instalment of interest only, so that payments, arrears, days past due,
reminders and overdue notices follow the post-loan account's rules (journey/loan_account.py
and the modules it names).
The commitment fee (承诺费), at the pinned pricing policy's rate a year, accrues daily the
same way on the undrawn commitment: the whole commitment from the day drawdowns opened, each
drawdown's amount no longer from its booking day; drawdowns closing (the period's end, a
withdrawal, every tranche drawn) cancel the rest, and the fee stops that day. It is charged
with each quarter's interest, and shown apart from it.

When drawdowns close, the interest and fee accrued since the last quarter ended are due
with the first instalment of the repayment plan: nothing is charged twice. What was paid
beyond them (a quarter paid before it was due, so interest for days after the close, and
the commitment fee on what the close cancelled: the fee runs only while the commitment
exists) is credited to the plan, as a payment on the close day (journey/availability_payoff.py,
closing since the marker in workflows/drawdowns.py): it pays the first instalment ahead, and
a settlement gives it back as any interest paid ahead; before the marker it was lost. A quarter left
unpaid stays what it was, past due since its payment day (journeys closed since the marker
in workflows/drawdowns.py): it goes into the plan as an instalment of its own, before the
first, keeping its due date, so that its days past due keep counting and classify the loan
as any arrears do, until it is paid (before the marker it was carried into the first
instalment, no longer past due).

A project that closes with nothing drawn (withdrawn, or its availability period ended) still
owes the commitment fee it accrued (journeys closing since the marker in
workflows/drawdowns.py): the quarters' fees charged and not paid, and the fee since the last
quarter ended, due the next day (or working day), as one more instalment of the quarters
(`fees_at_close`). The journey tracks them, with reminders, notices and penalty interest as
for the quarters, and ends once they are paid, or once the bank waives what is left of them
(journey/fee_waiver.py).

Penalty interest (罚息): a quarter not paid by its payment day accrues penalty interest from
the next day on what it leaves unpaid, at the post-loan account's penalty rate and by its
rule (journey/arrears.py), for journeys opened since the marker; a quarter carried into
the plan at the close carries its penalty so far as part of what it asks, on which penalty
interest runs on from the close (`Instalment.penalty_from`), as on any interest unpaid.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, timedelta, tzinfo
from decimal import Decimal

from pydantic import BaseModel, Field

from journey.drawdown_conditions import earned
from journey.drawdowns import Commitment, DrawdownRecord, DrawdownState
from journey.loan_account import Account, Payment
from journey.loan_payments import apply_payments
from journey.repayment import Instalment, cents

ZERO = Decimal("0.00")
INTEREST_DAY = 20  # 结息日: the 20th of the last month of each quarter
QUARTER_ENDS = (3, 6, 9, 12)


class Accrual(BaseModel):
    """What a project owes for some days while it draws: interest on what is drawn, and the
    commitment fee on what is not."""

    interest: Decimal = ZERO
    fee: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.interest + self.fee

    def text(self) -> str:
        return f"interest {self.interest:,}, commitment fee {self.fee:,}"


class Payoff(BaseModel):
    """What settles a project that is still drawing on a day: the drawn principal, the
    quarters left unpaid with their penalty interest, the interest and commitment fee accrued
    since the last quarter ended, less what was paid beyond them: what its settlement would
    take were the rest of the commitment withdrawn that day (`at_close`, then the plan's
    settlement on its first day: journey/availability_payoff.py)."""

    on: date
    principal: Decimal
    past_due: Decimal = ZERO
    interest: Decimal = ZERO
    fee: Decimal = ZERO
    prepayment_fee: Decimal = ZERO  # the post-loan policy's, on the principal settled
    paid_ahead: Decimal = ZERO
    # of `paid_ahead`, the commitment fee: the fee's share of the quarter it pays for (the
    # rest is interest, as is anything paid beyond that quarter; journey/availability_payoff)
    ahead_fee: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return (self.principal + self.past_due + self.interest + self.fee
                + self.prepayment_fee - self.paid_ahead)

    def parts(self) -> str:
        """`total` in words, as a settlement quote's parts."""
        past = f", quarters past due {self.past_due:,}" if self.past_due else ""
        past += (f", prepayment fee {self.prepayment_fee:,}" if self.prepayment_fee else "")
        back = (f", less paid ahead {self.paid_ahead:,} (interest "
                f"{self.paid_ahead - self.ahead_fee:,}, commitment fee {self.ahead_fee:,})"
                if self.paid_ahead else "")
        return (f"principal {self.principal:,}, interest {self.interest:,}, commitment fee "
                f"{self.fee:,}{past}{back}")


class InterestPosition(BaseModel):
    """What status shows of a project's interest while it draws."""

    drawn: Decimal
    undrawn: Decimal
    accrued: Decimal  # interest since the last quarter ended, not yet charged
    fee_accrued: Decimal = ZERO  # commitment fee since then
    accrued_since: date
    next_due_on: date | None = None  # the next quarterly payment day
    # what is due then (interest and fee), on what is drawn today, less what was paid of it
    next_due: Decimal = ZERO
    next_parts: Accrual = Field(default_factory=Accrual)  # the quarter's, before payments
    paid: Decimal = ZERO
    past_due: Decimal = ZERO
    days_past_due: int = 0
    payments: list[Payment] = Field(default_factory=list)
    fees_only: bool = False  # closed with nothing drawn: its commitment fee is owed
    fee_owed: Decimal = ZERO  # then, what it leaves owed today, penalty interest included
    waived: Decimal = ZERO  # of that fee, what the bank waived (journey/fee_waiver.py)
    payoff: Payoff | None = None  # what settles it today, while it draws (availability_payoff)

    def next_due_text(self) -> str:
        """The coming quarter in words (what is left of it after part payments, and of how
        much), as status and the loan book's next-due column say it."""
        whole = self.next_parts.total
        left = f" left of {whole:,}" if whole and self.next_due != whole else ""
        return (f"next due {self.next_due_on}: {self.next_due:,}{left} "
                f"({self.next_parts.text()})"
                if self.next_due_on else "the rest due with the first instalment")

    def text(self, late: str = "{}") -> str:
        """In words, as status and receipts say it: accrued, next due (what is left of it
        after part payments, and of how much), paid, past due (put
        in `late`, a format for how to show it); or, closed with nothing drawn, the
        commitment fee owed."""
        due = self.next_due_text()
        past = (f"; {late.format(f'{self.past_due:,} past due, {self.days_past_due} days')}"
                if self.past_due else "")
        paid = f"paid {self.paid:,} in {len(self.payments)} payments{past}"
        if self.waived:
            paid += f"; the rest, {self.waived:,}, waived"
        if self.fees_only:
            due = due if self.next_due_on else "all of it past due"
            return f"nothing drawn: the commitment fee is owed; {due}; {paid}"
        settle = "" if self.payoff is None else (
            f"; to settle today {self.payoff.total:,}" if self.payoff.total >= 0 else
            f"; nothing to settle today: {-self.payoff.total:,} paid ahead, credited to what "
            "falls due")
        return (f"{self.accrued:,} accrued since {self.accrued_since}, commitment fee "
                f"{self.fee_accrued:,}; {due}; {paid}{settle}")


def period_ends(opened: date, until: date) -> list[date]:
    """The days each quarter's interest stops at (the day after each 结息日), after `opened`
    and on or before `until`."""
    ends, year = [], opened.year
    while True:
        for month in QUARTER_ENDS:
            end = date(year, month, INTEREST_DAY) + timedelta(days=1)
            if end > until:
                return ends
            if end > opened:
                ends.append(end)
        year += 1


class Terms(BaseModel):
    """What a drawing project pays: its rate on what is drawn, its fee on what is not."""

    annual_rate: Decimal
    commitment: Decimal  # the whole commitment
    fee_rate: Decimal = ZERO  # the commitment fee a year
    # each drawdown's interest and fee in cents, then summed (journeys whose drawdowns opened
    # before the marker in workflows/drawdowns.py): a quarter could be a cent off the figure
    # on its exact amounts, which the bank rounds once
    per_piece: bool = False

    def in_cents(self, pieces: list[Decimal]) -> Decimal:
        """A quarter's figure made of exact `pieces`: rounded once, or each (`per_piece`)."""
        if self.per_piece:
            return sum((cents(p) for p in pieces), ZERO)
        return cents(sum(pieces, ZERO))


def accrued(records: list[DrawdownRecord], terms: Terms, start: date, end: date,
            zone: tzinfo = UTC) -> Accrual:
    """Interest and commitment fee for the days from `start` to `end`: the fee on the
    commitment less each drawdown from its booking, as interest runs on it; each figure
    rounded once, on exact amounts (`Terms.in_cents`)."""
    days = max(0, (end - start).days)
    undrawn = [terms.commitment * terms.fee_rate * days / 360,
               *(-e for e in earned(records, terms.fee_rate, end, zone, since=start))]
    return Accrual(interest=terms.in_cents(earned(records, terms.annual_rate, end, zone,
                                                   since=start)),
                   fee=max(ZERO, terms.in_cents(undrawn)))


def quarters(records: list[DrawdownRecord], terms: Terms, opened: date, until: date,
             zone: tzinfo = UTC) -> list[Accrual]:
    """What each quarter ending by `until` charges, on the drawdowns booked so far."""
    ends = period_ends(opened, until)
    return [accrued(records, terms, start, end, zone)
            for start, end in zip([opened, *ends], ends, strict=False)]


def quarterly_plan(records: list[DrawdownRecord], terms: Terms, opened: date, until: date,
                   next_working_day: Callable[[date], date], zone: tzinfo = UTC
                   ) -> list[Instalment]:
    """One instalment for each quarter ending by `until`, of its interest and fee, due the
    day after its 结息日 (or the next working day)."""
    drawn = sum((r.request.amount for r in records if r.state is DrawdownState.BOOKED), ZERO)
    return [
        Instalment(number=n, due_on=next_working_day(end), principal=ZERO, interest=q.total,
                   payment=q.total, balance_after=drawn)
        for n, (end, q) in enumerate(zip(period_ends(opened, until),
                                         quarters(records, terms, opened, until, zone),
                                         strict=True), start=1)
    ]


def interest_account(plan: list[Instalment], payments: list[Payment], as_of: date,
                     penalty_rate: Decimal = ZERO) -> Account:
    """The quarterly interest with the payments applied and penalty interest at
    `penalty_rate` a year accrued to `as_of`, as the post-loan account does."""
    return apply_payments(plan, payments, penalty_rate=penalty_rate, as_of=as_of)


def last_period_end(opened: date, day: date) -> date:
    """Where the interest not yet charged on `day` began accruing."""
    return ([opened, *period_ends(opened, day)])[-1]


class AtClose(BaseModel):
    """What drawdowns closing leaves owed of the availability period's interest."""

    unpaid: list[Instalment]  # the quarters not paid, each as it stands at the close
    rest: Decimal  # the interest and fee since the last quarter ended, less paid beyond
    # paid beyond what the close owes: interest for days after it, a quarter not yet due, or
    # the fee on the commitment it cancelled; credited to the plan (journey/availability_payoff)
    ahead: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.rest + sum((q.payment for q in self.unpaid), ZERO)


def at_close(records: list[DrawdownRecord], terms: Terms, opened: date, closed: date,
             payments: list[Payment], next_working_day: Callable[[date], date],
             zone: tzinfo = UTC, penalty_rate: Decimal = ZERO) -> AtClose:
    """When drawdowns close on `closed`: each quarter left unpaid, asking what it leaves
    unpaid with its penalty interest to the close and keeping its due date, and the interest
    and fee accrued since the last quarter ended (less what was paid beyond the quarters)."""
    plan = quarterly_plan(records, terms, opened, closed, next_working_day, zone)
    account = interest_account(plan, payments, closed, penalty_rate)
    rest = accrued(records, terms, last_period_end(opened, closed), closed, zone)
    unpaid = [Instalment(number=q.number, due_on=q.due_on, principal=ZERO,
                         interest=q.outstanding, payment=q.outstanding, balance_after=ZERO,
                         penalty_from=max(closed, q.due_on))
              for q in account.instalments if q.settled_on is None]
    return AtClose(unpaid=unpaid, rest=max(ZERO, rest.total - account.credit),
                   ahead=max(ZERO, account.credit - rest.total))


class FeesDue(BaseModel):
    """What a project that drew nothing owes when it closes: its quarters of commitment fee
    and the fee since the last of them, each as charged (`parts`)."""

    plan: list[Instalment]
    parts: list[Accrual]

    @property
    def total(self) -> Decimal:
        return sum((i.payment for i in self.plan), ZERO)


def fees_at_close(terms: Terms, opened: date, closed: date,
                  next_working_day: Callable[[date], date], zone: tzinfo = UTC) -> FeesDue:
    """What a project that drew nothing owes when it closes on `closed`: each quarter's fee
    charged by then, and the fee since the last quarter ended, due the next day (or working
    day); what was paid of the quarters applies to them as before."""
    plan = quarterly_plan([], terms, opened, closed, next_working_day, zone)
    rest = accrued([], terms, last_period_end(opened, closed), closed, zone)
    last = Instalment(number=len(plan) + 1, due_on=next_working_day(closed + timedelta(days=1)),
                      principal=ZERO, interest=rest.total, payment=rest.total, balance_after=ZERO)
    return FeesDue(plan=[*plan, last], parts=[*quarters([], terms, opened, closed, zone), rest])


def quarters_first(unpaid: list[Instalment], schedule: list[Instalment]) -> list[Instalment]:
    """The repayment plan with the quarters left unpaid before its first instalment, at
    their due dates, numbered with it from 1 (their principal balance the plan's whole)."""
    whole = schedule[0].balance_after + schedule[0].principal if schedule else ZERO
    carried = [q.model_copy(update={"balance_after": whole}) for q in unpaid]
    return [i.model_copy(update={"number": n})
            for n, i in enumerate([*carried, *schedule], start=1)]


def interest_position(commitment: Commitment, records: list[DrawdownRecord], terms: Terms,
                      until: date, payments: list[Payment], today: date,
                      next_working_day: Callable[[date], date], zone: tzinfo = UTC,
                      penalty_rate: Decimal = ZERO) -> InterestPosition:
    """Drawn and undrawn, the interest and fee accrued since the last quarter ended, the
    next quarter's payment day and amount (on what is drawn today), what was paid and what
    is past due, with penalty interest at `penalty_rate`."""
    opened = commitment.interest_from or today
    plan = quarterly_plan(records, terms, opened, until, next_working_day, zone)
    parts = quarters(records, terms, opened, until, zone)
    since = last_period_end(opened, today)
    now = accrued(records, terms, since, today, zone)
    return standing(plan, payments, today, penalty_rate, parts).model_copy(update={
        "drawn": commitment.drawn, "undrawn": commitment.available, "accrued": now.interest,
        "fee_accrued": now.fee, "accrued_since": since})


def standing(plan: list[Instalment], payments: list[Payment], today: date,
             penalty_rate: Decimal = ZERO, parts: list[Accrual] | None = None,
             waiver: Payment | None = None) -> InterestPosition:
    """Where the payments of `plan` stand on `today`: the next payment day and amount (of
    `parts`, when given), what was paid and what is past due; nothing drawn or
    accruing (a project closed with nothing drawn, whose fees are `fees_at_close`, and what
    the bank waived of them, `waiver`, settling the rest but not paid)."""
    account = interest_account(plan, [*payments, *([waiver] if waiver else [])], today,
                               penalty_rate)
    upcoming = next((i for i in account.instalments if i.due_on >= today and i.open_on(today)),
                    None)
    return InterestPosition(
        drawn=ZERO, undrawn=ZERO, accrued=ZERO, accrued_since=today,
        next_due_on=upcoming.due_on if upcoming else None,
        next_due=upcoming.outstanding if upcoming else ZERO,
        next_parts=parts[upcoming.number - 1] if upcoming and parts else Accrual(),
        paid=sum((p.amount for p in payments), ZERO),
        past_due=account.arrears(today), days_past_due=account.days_past_due(today),
        payments=payments, waived=waiver.amount if waiver else ZERO,
    )
