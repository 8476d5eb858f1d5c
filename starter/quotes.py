"""A quote as the loan will stand on its day: the repricings of a floating-rate loan due by
then, to the LPR fixings recorded now (journey/quote_repricing.py), applied to its status
before `loan_figures.settlement` or `loan_figures.prepayment` quotes it (and `loan_figures.owed_on`
the day's figures, status's and the loan book's). With the archive key, a repricing to a
fixing that fails its seal, as the journey's own read checks it (store/lpr_in_force.py), is
quoted by none of them: `SealBroken` names the fixing and what to do. Without the key, the
fixings are read unchecked, as a worker without it reads them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from journey.account_repricing import repriced
from journey.lpr import LprFixing, RateChange, RateHistory, fixing_in_force, floats
from journey.quote_repricing import repricings_ahead
from journey.settings import Settings
from journey.stages import Stage
from journey.status import JourneyStatus, plan_start
from starter.errors import SealBroken
from store import lpr, seal_vouching
from store.lpr_in_force import unvouched


class QuoteFixings(BaseModel):
    """The fixings a quote reprices to, and those that fail their seal: by date, what is
    wrong with each and what to do."""

    recorded: list[LprFixing] = []
    failing: dict[date, str] = {}


def repriced_for(s: JourneyStatus, day: date, fixings: QuoteFixings
                 ) -> tuple[JourneyStatus, list[RateChange]]:
    """Status `s` with the repricings due by `day` that its journey has not applied yet,
    and those repricings; `s` as it is for a loan that does not float or has none due, or
    is not running (an ended one is quoted nothing: `loan_figures.settlement` says so).
    `SealBroken` when one of them is to a fixing that fails its seal."""
    offer, start, account = s.offer, plan_start(s.offer, s.disbursement), s.account
    if (offer is None or start is None or account is None or s.stage is not Stage.POST_LOAN
            or not floats(offer.rate_basis)):
        return s, []
    assert offer.rate_basis is not None
    rate_now = s.rate_changes[-1].new_rate if s.rate_changes else offer.annual_rate
    ahead = repricings_ahead(offer.rate_basis, rate_now, start, offer.term_months,
                             s.rate_changes, account.ends_on(), fixings.recorded, day)
    if broken := next((fixings.failing[c.fixing_on] for c in ahead
                       if c.fixing_on in fixings.failing), None):
        raise SealBroken(f"{s.workflow_id} not quoted on {day}: {broken}")
    if not ahead:
        return s, []
    rates = RateHistory(method=offer.method, frequency=offer.frequency, changes=ahead)
    return s.model_copy(update={"account": repriced(account, ahead, rates, start),
                                "rate_changes": [*s.rate_changes, *ahead]}), ahead


def as_on(s: JourneyStatus, day: date, settings: Settings
          ) -> tuple[JourneyStatus, list[RateChange]]:
    """`repriced_for` `day`, to the fixings recorded in `settings`' database (read only for
    a loan that floats)."""
    return repriced_for(s, day, fixings_for(s, settings))


def fixings_for(s: JourneyStatus, settings: Settings) -> QuoteFixings:
    """The fixings a quote for status `s` reprices to: those recorded in `settings`'
    database for a loan that floats (read only then), none for one that does not."""
    if s.offer is None or not floats(s.offer.rate_basis):
        return QuoteFixings()
    return recorded(settings)


def recorded(settings: Settings, until: str = "No quote is priced on it until then."
             ) -> QuoteFixings:
    """The LPR fixings recorded in `settings`' database, oldest first, and, with the archive
    key, those that fail their seal (what is wrong, what to do and `until` then)."""
    key = settings.archive_seal_key
    failing = {} if key is None else {
        on: unvouched(f, until)
        for on, f in seal_vouching.fixings_failing(settings.db_url, key).items()}
    return QuoteFixings(recorded=[r.fixing for r in lpr.fixings(settings.db_url)],
                        failing=failing)


def in_force(settings: Settings, day: date, not_done: str) -> LprFixing | None:
    """The LPR fixing in force on `day` in `settings`' database, as an offer that day reads
    it (None: none recorded by then); `SealBroken`, saying `not_done`, when it fails its
    seal."""
    fixings = recorded(settings, "Nothing is priced on it until then.")
    fixing = fixing_in_force(fixings.recorded, day)
    if fixing is not None and (broken := fixings.failing.get(fixing.fixed_on)):
        raise SealBroken(f"{not_done}: {broken}")
    return fixing
