"""The lending policy as a worker read it at its start, pinned at every intake with the working
calendar and the LPR fixing in force, read once per journey (none pinned when it fails its
seal: the offer reads it again, and waits). A policy file as read (`LoadedPolicy`), of either
kind: the post-loan policy is read so too (activities/review.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Generic, TypeVar

import holidays
from temporalio import activity
from temporalio.exceptions import ApplicationError

from journey import contracts
from journey.contracts import LoadPolicyInput, PolicySnapshot
from journey.lpr import LprFixing
from journey.policy import Policy, PolicyError, WorkingCalendar, build_calendar, parse_policy
from journey.post_loan_policy import PostLoanPolicy
from journey.settings import Settings
from store.lpr_in_force import FixingSealBroken, read_in_force
from store.policies import sha256_of


def policy_text(path: Path | None, packaged: str = "default.json") -> str:
    """The policy file named in settings, or the one shipped with `journey` as
    policies/`packaged` (the default lending policy)."""
    if path is not None:
        return path.read_text(encoding="utf-8")
    return resources.files("journey").joinpath(f"policies/{packaged}").read_text("utf-8")


P = TypeVar("P", Policy, PostLoanPolicy)


@dataclass(frozen=True)
class LoadedPolicy(Generic[P]):
    """A policy file as a worker loads it: its text, parsed, and the sha256 of the text."""

    text: str
    policy: P

    @property
    def sha256(self) -> str:
        return sha256_of(self.text)


@dataclass(frozen=True)
class PoliciesInService:
    """The lending and the post-loan policy a worker read, checked and recorded as it
    started (starter/start_checks.py): those its journeys pin."""

    lending: LoadedPolicy[Policy]
    post_loan: LoadedPolicy[PostLoanPolicy]


def load_policy_file(path: Path | None) -> LoadedPolicy[Policy]:
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

    def __init__(self, settings: Settings, loaded: LoadedPolicy[Policy] | None = None) -> None:
        self._settings = settings
        self._given = loaded

    @cached_property
    def _loaded(self) -> LoadedPolicy[Policy]:
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
