"""The bank's record of LPR fixings, for the command line and other programs.

A fixing is recorded by operations or a supervisor of the staff directory, once per date;
floating-rate loans read the one in force on each repricing date (journey/lpr.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from journey.actors import Actor
from journey.lpr import LprFixing, fixing_refusal
from journey.policy import WorkingCalendar
from journey.policy.authority import LPR_ROLES
from journey.policy.pricing import BaseRate
from journey.settings import Settings
from starter.errors import BadInput
from starter.operations import authorized, current_policy
from store import lpr

FIXINGS = "lpr-fixings"  # what a refused attempt is kept under (store/refusals.py)


def record_fixing(settings: Settings, fixing: LprFixing, actor: Actor,
                  now: datetime | None = None) -> bool:
    """Record `fixing` as published, by `actor`; False when the same fixing was recorded
    before (nothing written). Refused: an actor who may not (`Refused`), or a fixing that
    makes no sense or differs from the one recorded for its date (`BadInput`)."""
    authorized(settings, actor, LPR_ROLES, f"the LPR fixing of {fixing.fixed_on} not recorded",
               (FIXINGS, f"lpr record {fixing.fixed_on}"))
    fixing = fixing.model_copy(update={"recorded_by": actor.id})
    today = WorkingCalendar().day_of(now or datetime.now(UTC))  # the bank's day
    recorded = lpr.fixing_of(settings.db_url, fixing.fixed_on)
    if (refusal := fixing_refusal(fixing, today, recorded)) is not None:
        raise BadInput(f"the LPR fixing of {fixing.fixed_on} not recorded: {refusal}")
    if recorded is not None:
        return False
    # recorded by another meanwhile: the same fixing, or refused as one that differs
    return lpr.add_fixing(settings.db_url, fixing) or record_fixing(settings, fixing, actor, now)


def fixings(settings: Settings) -> list[LprFixing]:
    """The fixings recorded, oldest first."""
    return lpr.fixings(settings.db_url)


def policy_rates(settings: Settings) -> tuple[str, list[BaseRate]]:
    """The version of the policy a journey starting now pins, and its base rates: what new
    offers are priced at, and what an empty record of fixings leaves every loan at."""
    policy = current_policy(settings)
    return policy.version, policy.pricing.base_rates
