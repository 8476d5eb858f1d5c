"""LPR fixings as the bank records them, and the repricing of floating-rate loans to them.

Under the 2019 LPR reform a floating-rate loan is priced as the loan prime rate of its term
(1-year up to five years, 5-year beyond) plus a spread fixed for the loan's life: offered
over the latest fixing recorded on or before the offer's day (`priced_on`; none recorded:
the pinned policy's base rate), and repriced on each anniversary of its value date (重定价日)
to the fixing then in force: the latest fixing dated on or before that day. The spread never
changes.

Which loans float: those priced by the policy (their offer keeps a `RateBasis` that is not
`agreed`) over a base named like an LPR fixing below. A rate agreed in the application is a
fixed rate for the whole term (the application names a number, not a spread), as is an
offer made before the basis was kept (no `RateBasis`).

Convention: the new rate applies to every repayment period that begins on or after the
repricing date (the period's interest is the new periodic rate on the principal then
planned); a period that began before it keeps the old rate whole, which happens only when
the due date at the anniversary was moved to the next working day. Equal principal keeps
its principal parts; equal instalments are re-amortised over the periods left.

The loan is repriced at the start of the repricing day (the bank's), to the fixings recorded
by then; each change names the fixing it used and its date, and says when that fixing is
more than a month older than the day (a later one may not be recorded yet). A fixing
recorded after the repricing does not reprice it again: the next anniversary does.

No fixing recorded on or before a repricing date (an empty table): the rate the loan was
priced at stands, and the repricing is recorded as such. The packaged policy's base rates
are what an empty table means: the rates the loans were priced at.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from journey.policy.pricing import RateBasis, spread_text
from journey.repayment import Frequency, RepaymentMethod, add_months

READ_LPR_FIXING = "read_lpr_fixing"
# the base rate names of the policy's pricing section, and the fixing each is read from
TENOR_OF_BASE = {"1y LPR": "one_year", "5y LPR": "five_year"}


class LprFixing(BaseModel):
    """One published fixing: the 1-year and 5-year loan prime rates from `fixed_on`."""

    fixed_on: date
    one_year: Decimal  # a yearly rate as a fraction: 0.0310 is 3.10%
    five_year: Decimal
    recorded_by: str = ""

    def rate_of(self, base: str) -> Decimal:
        return Decimal(getattr(self, TENOR_OF_BASE[base]))

    def describe(self) -> str:
        return f"1y {self.one_year:.2%}, 5y {self.five_year:.2%}"


def fixing_in_force(fixings: list[LprFixing], day: date) -> LprFixing | None:
    """The latest fixing dated on or before `day`; None when none is."""
    return max((f for f in fixings if f.fixed_on <= day), key=lambda f: f.fixed_on,
               default=None)


def priced_on(basis: RateBasis, fixing: LprFixing | None) -> RateBasis:
    """`basis`, priced by the policy, over `fixing`'s rate for its base instead of the
    policy's, with the same spread; as it is without a fixing or over a base no fixing has."""
    if fixing is None or basis.base not in TENOR_OF_BASE:
        return basis
    return basis.model_copy(update={"base_rate": fixing.rate_of(basis.base),
                                    "fixed_on": fixing.fixed_on})


def floats(basis: RateBasis | None) -> bool:
    """Whether a loan priced on `basis` is repriced to the LPR (the module's rule)."""
    return basis is not None and not basis.agreed and basis.base in TENOR_OF_BASE


def repricing_dates(value_date: date, term_months: int) -> list[date]:
    """The anniversaries of `value_date` within the term: the loan's repricing dates."""
    return [add_months(value_date, months) for months in range(12, term_months, 12)]


def reprices_within(term_months: int) -> bool:
    """Whether a floating loan of `term_months` reaches a repricing date before its term
    ends (`repricing_dates`): not one of a year or less, whose term ends by the payout's
    first anniversary (`HELD_FOR_THE_TERM`: the offer notice and status say so)."""
    return term_months > 12


# the offer notice's and status's words for the rate of a floating loan never reset
# (`reprices_within`)
HELD_FOR_THE_TERM = "for the whole term, which ends by the payout's first anniversary"


def repricings_left(value_date: date, term_months: int, done: list[RateChange],
                    ends_on: date) -> list[date]:
    """The repricing dates not applied yet (`done`) while the plan, ending on `ends_on`, has
    instalments after them: a loan repaid or shortened before one never reaches it."""
    applied = {c.on for c in done}
    return [d for d in repricing_dates(value_date, term_months)
            if d not in applied and d < ends_on]


class RateChange(BaseModel):
    """A repricing of a loan on `on`: its rate from then, and the fixing it stands on."""

    on: date  # the repricing date
    old_rate: Decimal
    new_rate: Decimal
    base: str  # e.g. "1y LPR"
    spread: Decimal
    fixing_rate: Decimal | None = None  # the base rate of the fixing used; None: none recorded
    fixing_on: date | None = None
    note: str = ""

    @property
    def changed(self) -> bool:
        return self.new_rate != self.old_rate

    def describe(self) -> str:
        """"3.95% since 2027-12-07 (1y LPR 3.05% of 2027-11-20 + 0.90%), was 4.00%"."""
        if self.fixing_rate is None:
            return f"{self.new_rate:.2%} stands on {self.on}: {self.note}"
        was = f", was {self.old_rate:.2%}" if self.changed else ", unchanged"
        return (f"{self.new_rate:.2%} since {self.on} ({self.base} {self.fixing_rate:.2%} "
                f"of {self.fixing_on} {spread_text(self.spread)}){was}"
                + (f"; {self.note}" if self.note else ""))


def rate_change(basis: RateBasis, rate_now: Decimal, on: date, fixing: LprFixing | None
                ) -> RateChange:
    """The repricing on `on` of a loan priced on `basis` and now at `rate_now`, to `fixing`,
    the fixing in force that day (None: none recorded, and the rate stands)."""
    if fixing is None:
        return RateChange(on=on, old_rate=rate_now, new_rate=rate_now, base=basis.base,
                          spread=basis.spread,
                          note=f"no LPR fixing recorded on or before {on}: the rate stands")
    base_rate = fixing.rate_of(basis.base)
    # fixings are monthly: one more than a month old may not be the latest published
    stale = fixing.fixed_on < add_months(on, -1)
    return RateChange(
        on=on, old_rate=rate_now, new_rate=max(base_rate + basis.spread, Decimal(0)),
        base=basis.base, spread=basis.spread, fixing_rate=base_rate, fixing_on=fixing.fixed_on,
        note=(f"the latest fixing recorded by then, of {fixing.fixed_on}, is more than a month "
              "older than the repricing date: a later one may not be recorded yet"
              if stale else ""),
    )


class RateHistory(BaseModel):
    """What an account needs to reprice its plan: how it repays, and the rate changes."""

    method: RepaymentMethod
    frequency: Frequency
    changes: list[RateChange] = Field(default_factory=list)


class LprFixingInput(BaseModel):
    on: date  # the repricing date: the fixing in force that day is read


class LprFixingResult(BaseModel):
    fixing: LprFixing | None  # None: no fixing recorded on or before the day
