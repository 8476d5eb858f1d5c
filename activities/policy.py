"""The lending policy as a worker read it at its start, pinned at every intake with the working
calendar and the LPR fixing in force, read once per journey (none pinned when it fails its
seal: the offer reads it again, and waits)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
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
from store.policies import sha256_of


def policy_text(path: Path | None) -> str:
    """The policy file named in settings, or the default one shipped with `journey`."""
    if path is not None:
        return path.read_text(encoding="utf-8")
    return resources.files("journey").joinpath("policies/default.json").read_text("utf-8")


@dataclass(frozen=True)
class LoadedPolicy:
    """A policy file as a worker loads it: its text, parsed, and the sha256 of the text."""

    text: str
    policy: Policy

    @property
    def sha256(self) -> str:
        return sha256_of(self.text)


def load_policy_file(path: Path | None) -> LoadedPolicy:
    """The lending policy at `path` (the default one without) with its text: OSError or
    PolicyError when it cannot be read and parsed."""
    text = policy_text(path)
    return LoadedPolicy(text=text, policy=parse_policy(text))


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
    """`load_policy` pins `loaded`, the policy the worker read and checked as it started
    (starter/start_checks.py), at every intake: an edit of the file takes effect when the
    workers restart. Without one (a worker a test builds), the file is read at the first
    intake, once."""

    def __init__(self, settings: Settings, loaded: LoadedPolicy | None = None) -> None:
        self._settings = settings
        self._given = loaded

    @cached_property
    def _loaded(self) -> LoadedPolicy:
        return self._given or load_policy_file(self._settings.policy_file)

    @activity.defn(name=contracts.LOAD_POLICY)
    def load_policy(self, request: LoadPolicyInput) -> PolicySnapshot:
        try:
            loaded = self._loaded
        except (OSError, PolicyError) as err:
            raise ApplicationError(
                f"the lending policy cannot be loaded: {err}", type="PolicyError"
            ) from err
        return PolicySnapshot(policy=loaded.policy, sha256=loaded.sha256,
                              calendar=china_calendar(request.today, request.years),
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
