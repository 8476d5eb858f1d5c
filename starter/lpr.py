"""The bank's record of LPR fixings, for the command line and other programs.

A fixing is recorded by operations or a supervisor of the staff directory, once per date
and month, after the checks of journey/lpr_record.py; a supervisor who did not record it
corrects it while no loan has read it. New offers are priced, and floating-rate loans
repriced, on the one in force on their day (journey/lpr.py).

Exit codes (starter/errors.py): a fixing that is not a plausible one (its rates, its date)
is bad input (2), fixed by the operator; a fixing the record refuses (a second for a date or
a month, a correction by its recorder or of a fixing a loan read) or a person who may not
act is a refused attempt (3). Both are kept for auditors by the command line, under
`lpr-fixings`. Once the fixings are sealed (store/lpr.py), one is recorded or corrected only
with the archive key: without, `KeysNeeded` (8), nothing written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from activities.policy import china_calendar
from journey.actors import Actor, Role
from journey.lpr import LprFixing, fixing_in_force
from journey.lpr_record import (
    RecordedFixing,
    correction_refusal,
    date_refusal,
    rates_refusal,
    record_conflict,
)
from journey.policy.authority import LPR_ROLES
from journey.policy.pricing import BaseRate
from journey.settings import Settings
from starter.bank_clock import bank_day
from starter.errors import BadInput, Refused
from starter.pinned_policy import authorized, current_policy
from starter.records import key_needed
from store import lpr, seal_vouching, sealed_records
from store.lpr_in_force import WAITING, unvouched
from store.seal_findings import Finding

FIXINGS = "lpr-fixings"  # what a refused attempt is kept under (store/refusals.py)
CORRECTORS = {Role.SUPERVISOR}


def record_fixing(settings: Settings, fixing: LprFixing, actor: Actor,
                  now: datetime | None = None, inverted_confirmed: bool = False) -> bool:
    """Record `fixing` as published, by `actor`; False when the same fixing was recorded
    before (nothing written). `BadInput`: rates or a date no fixing has; `Refused`: an actor
    who may not, or a fixing the record already has another of for its date or month."""
    day = fixing.fixed_on
    not_recorded = f"the LPR fixing of {day} not recorded"
    authorized(settings, actor, LPR_ROLES, not_recorded, (FIXINGS, f"lpr record {day}"))
    fixing = fixing.model_copy(update={"recorded_by": actor.id})
    if why := (rates_refusal(fixing, inverted_confirmed)
               or date_refusal(day, bank_day(now), china_calendar(day, 1))):
        raise BadInput(f"{not_recorded}: {why}")
    recorded = lpr.fixing_in_month(settings.db_url, day)
    if why := record_conflict(fixing, recorded):
        raise Refused(f"{not_recorded}: {why}")
    if recorded is not None:
        return False
    # recorded by another meanwhile: the same fixing, or refused as one that differs
    with key_needed(settings, sealed_records.LPR):
        added = lpr.add_fixing(settings.db_url, fixing, settings.archive_seal_key)
    return added or record_fixing(settings, fixing, actor, now, inverted_confirmed)


def correct_fixing(settings: Settings, corrected: LprFixing, actor: Actor, reason: str,
                   inverted_confirmed: bool = False) -> LprFixing:
    """Correct the recorded fixing of `corrected`'s date to its rates, by a supervisor who
    did not record it, for `reason`, while no loan has read it; the fixing as it was.
    `Refused` too when its first read cannot be vouched for (seal_vouching.first_read_failing):
    a loan may have read it."""
    day = corrected.fixed_on
    not_corrected = f"the LPR fixing of {day} not corrected"
    authorized(settings, actor, CORRECTORS, not_corrected, (FIXINGS, f"lpr correct {day}"))
    if not reason.strip():
        raise BadInput(f"{not_corrected}: give --reason, what was wrong with the recorded rates")
    if why := rates_refusal(corrected, inverted_confirmed):
        raise BadInput(f"{not_corrected}: {why}")
    recorded = lpr.recorded_fixing(settings.db_url, day)
    if why := correction_refusal(recorded, corrected, actor.id):
        raise Refused(f"{not_corrected}: {why}")
    assert recorded is not None
    with key_needed(settings, sealed_records.LPR):
        key = settings.archive_seal_key
        if unvouched := seal_vouching.first_read_failing(settings.db_url, key, day):
            raise Refused(f"{not_corrected}: a loan may have read it: {unvouched.record} "
                          f"({unvouched.found.value}): {unvouched.detail}; then run "
                          "`loan-journey records verify`")
        done = lpr.correct_fixing(settings.db_url, recorded.fixing, corrected, actor.id,
                                  reason.strip(), key)
    if done:
        return recorded.fixing
    # read by a loan or corrected meanwhile: checked again against the record as it is now
    return correct_fixing(settings, corrected, actor, reason, inverted_confirmed)


def fixings(settings: Settings) -> list[RecordedFixing]:
    """The fixings recorded, oldest first, with who read and who corrected them."""
    return lpr.fixings(settings.db_url)


def seals_failing(settings: Settings) -> dict[date, Finding]:
    """Each recorded fixing that fails its seal, by its date, with what `records verify`
    finds: a worker with the archive key prices no offer on it (store/lpr_in_force.py). None
    without the key, as a worker without it reads the fixings unchecked; `KeysNeeded` with a
    key that is not the one they were sealed with."""
    key = settings.archive_seal_key
    if key is None:
        return {}
    with key_needed(settings, sealed_records.LPR):
        return seal_vouching.fixings_failing(settings.db_url, key)


def new_offers_priced_at(settings: Settings, recorded: list[RecordedFixing],
                         now: datetime | None = None,
                         failing: Mapping[date, Finding] | None = None) -> str:
    """What an offer made today is priced at: the fixing in force, else the base rates of
    the policy a journey starting now pins (what an empty record leaves every loan at); that
    it is priced on none while the fixing in force is one of `failing` (`seals_failing`)."""
    policy = current_policy(settings)
    rates = _rates(policy.pricing.base_rates)
    in_force = fixing_in_force([r.fixing for r in recorded], bank_day(now))
    if in_force is None:
        return f"policy {policy.version} prices new offers at {rates}"
    if broken := (failing or {}).get(in_force.fixed_on):
        return (f"new offers will not be priced on the fixing of {in_force.fixed_on} "
                f"({in_force.describe()}), the one in force: {unvouched(broken, WAITING)}")
    return (f"new offers are priced at the fixing of {in_force.fixed_on} "
            f"({in_force.describe()}) plus their spreads; policy {policy.version}'s {rates} "
            "only with no fixing recorded")


def _rates(rates: list[BaseRate]) -> str:
    return ", ".join(f"{r.name} {r.rate:.2%}" for r in rates)
