"""The money received in a period, reconciled from the records, for `book`: what the bank
received with a value date in the period is what the journeys booked, by kind
(journey/money_booked.py, from their recorded payments), plus what was received and not
booked (kept, refused at delivery), returned to its payer (store/payer_returns.py), or kept
and not delivered yet (the pending instructions, store/pending.py); to the fen, as the parts
are the records' own amounts. Money a loan was paid beyond its whole plan is booked owed back
until it is refunded (`pending refund`): then it is returned to the payer, in the period of
the payment that overpaid. What does not reconcile is named: a payment whose kinds cannot
be drawn up, a repayment kept as delivered that no journey records, money counted both booked
and unbooked or returned, a refund above what its journey booked owed back, a repayment kept
that fails its seal, and a bank payment's reference (in its normal form:
journey/bank_reference.py) booked on two loans, or twice on one, or claimed twice."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field

from journey.bank_reference import bank_reference
from journey.loan_account import ZERO
from journey.money_booked import Booked, ByKind, booked
from journey.repayment import money
from journey.settings import Settings
from journey.status import JourneyStatus
from starter.bank_clock import bank_day, bank_zone
from starter.errors import BadInput
from starter.money_not_in_run import kept_references
from starter.pending_return import ReceivedMoney, received_money
from store.payer_returns import PayerRefund, refunds
from store.payment_references import ReferenceClaim, claimed_when, claims_since, key_shared
from store.pending import Delivery


class Period(BaseModel):
    first: date
    last: date

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


class TypedLater(BaseModel):
    """Money valued in the period and typed after its last day (the bank's clock): a month
    closed on that day did not hold it, and holds it now."""

    workflow_id: str
    reference: str
    amount: Decimal
    paid_on: date  # the value date, in the period
    typed_at: datetime  # when its reference was claimed for the loan, or the money kept
    where: str  # booked, not booked, returned to the payer, kept and not delivered yet


class MoneyReceived(BaseModel):
    period: Period
    booked: list[Booked]  # by journey, each less what was refunded of it, as `kinds`
    kinds: ByKind  # the booked money's, all journeys', less what was refunded of it
    unbooked: list[ReceivedMoney]  # received, refused at delivery, not booked yet
    returned: list[ReceivedMoney]  # received, not booked, returned to the payer
    waiting: list[ReceivedMoney]  # kept while no worker answered, not delivered yet
    not_reconciled: list[str]
    # paid beyond a loan's whole plan, owed back, and refunded to the payer
    refunded: list[PayerRefund] = Field(default_factory=list)
    # of all these, what was typed after the period's last day, oldest first
    typed_later: list[TypedLater] = Field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return self.kinds.total + sum(
            (m.amount for m in (*self.unbooked, *self.returned, *self.waiting, *self.refunded)),
            ZERO)


def closed_since(first: date) -> str:
    """The journeys that ended on or after `first` (UTC, a day early rather than late): any
    that can have booked money in a period from it on."""
    since = datetime.combine(first - timedelta(days=1), datetime.min.time(), UTC)
    return (f"ExecutionStatus != 'Running' AND ExecutionStatus != 'ContinuedAsNew' AND "
            f"CloseTime >= '{since:%Y-%m-%dT%H:%M:%SZ}'")


def money_received(statuses: list[JourneyStatus], settings: Settings, period: Period
                   ) -> MoneyReceived:
    """The money received with a value date in `period`, from the journeys' `statuses` (each
    journey once: every one running or ended since the period began) and the instructions
    kept in `settings`' database."""
    lines = [b for s in _once(statuses) if (b := booked(s, period.first, period.last))]
    kept = {state: [m for m in received_money(settings, state) if period.holds(m.paid_on)]
            for state in Delivery}
    # references in their normal form (journey/bank_reference.py): one bank payment's however
    # it was typed
    recorded = {bank_reference(p.reference) for b in lines for p in b.payments}  # in the period
    anywhere = {bank_reference(p.reference) for s in statuses for p in s.payments}
    refunded = [r for r in refunds(settings.db_url) if period.holds(r.paid_on)]
    over_refunded = _over_refunded(lines, refunded)
    loans = {b.workflow_id for b in lines}
    lines = [_less_refunded(b, refunded) for b in lines]
    kinds = sum((b.kinds for b in lines), ByKind())
    twice = _booked_twice(lines, _once(statuses))
    shared = key_shared(settings.db_url)  # one payment's claims under two spellings
    return MoneyReceived(
        period=period, booked=lines,
        kinds=kinds.model_copy(update={"beyond_plan": kinds.beyond_plan - sum(  # no line's
            (r.amount for r in refunded if r.workflow_id not in loans), ZERO)}),
        unbooked=kept[Delivery.UNBOOKED], returned=kept[Delivery.RETURNED],
        waiting=kept[Delivery.PENDING], refunded=refunded,
        typed_later=_typed_later(settings, period, lines, kept),
        not_reconciled=[
            *twice, *_claimed_twice(shared, period, twice),
            *over_refunded,
            *(f"{b.workflow_id}: {sum((p.amount for p in b.payments), ZERO):,} booked, not "
              f"allocated by kind: {b.why}" for b in lines if b.why),
            *(f"pending instruction {m.instruction} ({m.workflow_id}, {money(m.amount)} under "
              f"{m.reference}) was delivered, but no journey records a payment under "
              f"{m.reference}: check `status {m.workflow_id}`"
              for m in kept[Delivery.DELIVERED] if bank_reference(m.reference) not in anywhere),
            *(f"pending instruction {m.instruction} ({m.workflow_id}, {money(m.amount)} under "
              f"{m.reference}) is {state}, and a journey records a payment under "
              f"{m.reference} too: counted twice, check which is right"
              for state in (Delivery.UNBOOKED, Delivery.RETURNED) for m in kept[state]
              if bank_reference(m.reference) in recorded),
            *(f"pending instruction {m.instruction} ({m.workflow_id}, {money(m.amount)} under "
              f"{m.reference}) was refused at delivery as it fails its seal: not counted "
              "(`loan-journey records verify`)" for m in kept[Delivery.REFUSED]),
            *_claimed_unrecorded(settings, period, anywhere, shared),
        ])


def _claimed_unrecorded(settings: Settings, period: Period, anywhere: set[str],
                        shared: dict[str, list[ReferenceClaim]]) -> list[str]:
    """The repayments claimed in the period that no journey records a payment under (its
    normal form in `anywhere`) and no kept instruction holds: received in a run before a
    reset (starter/money_not_in_run.py), and counted nowhere. A reference claimed under two
    spellings (`shared`) is said once, as claimed twice (`_claimed_twice`)."""
    counted = anywhere | {bank_reference(r) for r in kept_references(settings)} | set(shared)
    since = datetime.combine(period.first, time(), bank_zone()) - timedelta(days=1)
    return [f"reference {c.reference} ({money(c.amount)}) is claimed for {c.workflow_id}, "
            f"typed {bank_day(c.claimed_at)}, and no journey records a payment under it: not "
            f"counted (a reset to before it?): check `status {c.workflow_id}`"
            for c in claims_since(settings.db_url, since) if period.holds(bank_day(c.claimed_at))
            and bank_reference(c.reference) not in counted]


def _typed_later(settings: Settings, period: Period, lines: list[Booked],
                 kept: dict[Delivery, list[ReceivedMoney]]) -> list[TypedLater]:
    """The money of the period typed after its last day on the bank's clock: the payments
    booked, by when their reference was claimed for the loan (none for one recorded before
    claims were kept), and the money kept not booked, returned or not delivered yet, by when
    it was typed; oldest first."""
    end = datetime.combine(period.last + timedelta(days=1), time.min, bank_zone())
    claims = claimed_when(settings.db_url, [p.reference for b in lines for p in b.payments])
    booked = [TypedLater(workflow_id=b.workflow_id, reference=p.reference, amount=p.amount,
                         paid_on=p.paid_on, typed_at=at, where="booked")
              for b in lines for p in b.payments
              if (at := claims.get(bank_reference(p.reference))) is not None and at >= end]
    others = [TypedLater(workflow_id=m.workflow_id, reference=m.reference, amount=m.amount,
                         paid_on=m.paid_on, typed_at=m.typed_at, where=where)
              for state, where in ((Delivery.UNBOOKED, "not booked"),
                                   (Delivery.RETURNED, "returned to the payer"),
                                   (Delivery.PENDING, "kept, not delivered yet"))
              for m in kept[state] if m.typed_at >= end]
    return sorted([*booked, *others], key=lambda t: t.typed_at)


def _booked_twice(lines: list[Booked], statuses: list[JourneyStatus]) -> list[str]:
    """Each reference of a payment in the period that the journeys book more than once, in
    its normal form: on two loans, or on one under two spellings (typed before the journey
    compared references in it, or sent straight to a journey before it claimed them): one
    bank payment counted twice, or more."""
    booked: dict[str, list[tuple[str, str, Decimal]]] = {}
    for s in statuses:
        for p in s.payments:
            booked.setdefault(bank_reference(p.reference), []).append(
                (s.workflow_id, p.reference, p.amount))
    in_period = dict.fromkeys(bank_reference(p.reference) for b in lines for p in b.payments)
    return [f"reference {key} is booked {len(held)} times: "
            + ", ".join(f"on {w} as {typed!r} ({money(amount)})" for w, typed, amount in held)
            + ": one bank payment counted more than once, check the bank statement"
            for key in in_period if len(held := booked[key]) > 1]


def _claimed_twice(shared: dict[str, list[ReferenceClaim]], period: Period, said: list[str]
                   ) -> list[str]:
    """The references claimed under two spellings before claims were keyed by the normal
    form (migration 0027), claimed in the period, and not said as booked twice already:
    kept as they are, for finance to say which loan the payment pays."""
    return [f"reference {key} is claimed {len(held)} times: "
            + ", ".join(f"for {c.workflow_id} as {c.reference!r} ({money(c.amount)})"
                        for c in held)
            + ": one bank payment claimed more than once, check the bank statement"
            for key, held in shared.items()
            if any(period.holds(bank_day(c.claimed_at)) for c in held)
            and not any(w.startswith(f"reference {key} is booked ") for w in said)]


def _less_refunded(line: Booked, refunded: list[PayerRefund]) -> Booked:
    """Journey `line`'s money booked, less what was refunded of what it paid beyond the whole
    plan: owed back no more, it is returned to the payer, so that the loans' lines add up to
    the totals."""
    back = sum((r.amount for r in refunded if r.workflow_id == line.workflow_id), ZERO)
    return line.model_copy(update={"kinds": line.kinds.model_copy(update={
        "beyond_plan": line.kinds.beyond_plan - back})}) if back else line


def _over_refunded(lines: list[Booked], refunded: list[PayerRefund]) -> list[str]:
    """Each journey refunded more of the period's payments than it booked owed back then."""
    owed = {b.workflow_id: b.kinds.beyond_plan for b in lines}
    out = {}
    for r in refunded:
        out[r.workflow_id] = out.get(r.workflow_id, ZERO) + r.amount
    return [f"{w}: {money(amount)} refunded of payments valued in the period, but "
            f"{money(owed.get(w, ZERO))} booked paid beyond its whole plan then: check "
            f"`status {w}` and `loan-journey pending refunds`"
            for w, amount in out.items() if amount > owed.get(w, ZERO)]


def _once(statuses: list[JourneyStatus]) -> list[JourneyStatus]:
    return list({s.workflow_id: s for s in statuses}.values())


def received_period(today: date, month: str | None, first: date | None, last: date | None
                    ) -> Period:
    """The period the money received is reconciled over: `month` (YYYY-MM; the current one
    to `today`), or `first` to `last` (by default the current month's first day, and
    `today`)."""
    if month is not None:
        if first is not None or last is not None:
            raise BadInput("give --month, or --from and --to, not both")
        try:
            start = datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            raise BadInput(f"--month {month!r} is no month: give YYYY-MM, e.g. "
                           f"{today:%Y-%m}") from None
        end = (start + timedelta(days=31)).replace(day=1) - timedelta(days=1)
        return Period(first=start, last=min(end, today))
    period = Period(first=first or today.replace(day=1), last=last or today)
    if period.first > period.last:
        raise BadInput(f"--from {period.first} is after --to {period.last}: give a period "
                       "that ends on or after it begins")
    return period


def drawn_up_today(today: date, on: date | None) -> None:
    """`BadInput` for a book asked as of another day than `today`, saying which figures
    cannot be given as of it and what can."""
    if on is not None and on != today:
        raise BadInput(
            f"the book is drawn up on today, {today}, only, not on {on}: its loans, their "
            "classes and what they owe, the undrawn commitments and the money not booked are "
            "the journeys' and the records' figures now, and the records keep no earlier state "
            "of them (money booked or returned since does not say when it was refused at "
            "delivery); the money received and paid out in an earlier period, and the loans' "
            "principal and interest at its start and end, are `--month YYYY-MM` or "
            "`--from DAY --to DAY`, as the records stand today")
