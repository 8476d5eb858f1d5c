"""Read the lending policy, build the working calendar and read the LPR fixing in force,
once per journey (none pinned when it fails its seal: the offer reads it again, and waits)."""

from __future__ import annotations

from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path

import holidays
from temporalio import activity
from temporalio.exceptions import ApplicationError

from journey import contracts
from journey.contracts import LoadPolicyInput, PolicySnapshot
from journey.lpr import LprFixing
from journey.policy import Policy, PolicyError, WorkingCalendar, build_calendar, parse_policy
from journey.settings import Settings
from store.lpr_in_force import FixingSealBroken, read_in_force


def policy_text(path: Path | None) -> str:
    """The policy file named in settings, or the default one shipped with `journey`."""
    if path is not None:
        return path.read_text(encoding="utf-8")
    return resources.files("journey").joinpath("policies/default.json").read_text("utf-8")


def read_policy(path: Path | None) -> Policy:
    """The lending policy at `path` (the default one without), read and parsed: OSError or
    PolicyError when it cannot be."""
    return parse_policy(policy_text(path))


def china_calendar(today: date, years: int) -> WorkingCalendar:
    """China's working calendar from the year before `today` for `years` years after it:
    public holidays and the weekend days worked in their place (调休), from `holidays`."""
    return _china_calendar(today.year, years)


@cache  # the same years give the same calendar; `holidays` takes milliseconds to build it
def _china_calendar(year: int, years: int) -> WorkingCalendar:
    span = range(year - 1, year + years)
    china = holidays.China(years=span)
    makeup = [d for d in china.weekend_workdays if d.year in span]
    return build_calendar(china.keys(), makeup)


class PolicyActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @activity.defn(name=contracts.LOAD_POLICY)
    def load_policy(self, request: LoadPolicyInput) -> PolicySnapshot:
        try:
            policy = read_policy(self._settings.policy_file)
        except (OSError, PolicyError) as err:
            raise ApplicationError(
                f"the lending policy cannot be loaded: {err}", type="PolicyError"
            ) from err
        return PolicySnapshot(policy=policy, calendar=china_calendar(request.today, request.years),
                              lpr=self._fixing(request.today))

    def _fixing(self, today: date) -> LprFixing | None:
        """The fixing in force today, pinned with the policy; none when it fails its seal,
        so that the offer's own read waits for it rather than the intake failing."""
        reader = activity.info().workflow_id if activity.in_activity() else "-"
        try:
            return read_in_force(self._settings.db_url, today, reader,
                                 self._settings.archive_seal_key)
        except FixingSealBroken as err:
            activity.logger.warning("no LPR fixing pinned at intake: %s", err)
            return None
