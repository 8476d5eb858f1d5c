"""The lending policy as a worker read it at its start, pinned at every intake with the working
calendar (the package's, each year the bank's calendar file lists as the file has it) and the
LPR fixing in force, read once per journey (none pinned when it fails its
seal: the offer reads it again, and waits). A policy file as read (`LoadedPolicy`), of either
kind: the post-loan policy is read so too (activities/review.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Generic, TypeVar

import holidays
from temporalio import activity
from temporalio.exceptions import ApplicationError

from journey import contracts
from journey.calendar_contracts import LOAD_CALENDAR, CalendarResult, LoadCalendarInput
from journey.contracts import LoadPolicyInput, PolicySnapshot
from journey.lpr import LprFixing
from journey.policy import Policy, PolicyError, WorkingCalendar, build_calendar, parse_policy
from journey.policy.bank_calendar import BankCalendar, CalendarFileError, parse_bank_calendar
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
    calendar: BankCalendar = field(default_factory=BankCalendar)  # the bank's calendar file


def load_policy_file(path: Path | None) -> LoadedPolicy[Policy]:
    """The lending policy at `path` (the default one without) with its text: OSError or
    PolicyError when it cannot be read and parsed."""
    text = policy_text(path)
    return LoadedPolicy(text=text, policy=parse_policy(text))


def load_calendar_file(path: Path | None) -> BankCalendar:
    """The bank's calendar file at `path` (none without: every year the package's):
    CalendarFileError (a PolicyError) when it cannot be read and parsed."""
    if path is None:
        return BankCalendar()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise CalendarFileError(f"{path} cannot be read: {err.strerror or err}") from err
    except UnicodeDecodeError:
        raise CalendarFileError(f"{path} is not UTF-8 text: save it as UTF-8") from None
    return parse_bank_calendar(text, str(path))


def china_calendar(today: date, years: int, bank: BankCalendar | None = None
                   ) -> WorkingCalendar:
    """China's working calendar from the year before `today` for `years` years after it:
    public holidays and the weekend days worked in their place (调休), each year the bank's
    calendar file lists as the file has it, the others from `holidays` (an estimate for a year
    not yet published). `bank`: the file as a worker read it at its start; None, the one the
    settings name now (`LOAN_JOURNEY_CALENDAR_FILE`), as the command line reads it. Every
    calendar is built here, so that the workers and the command line agree."""
    if bank is None:
        bank = load_calendar_file(Settings().calendar_file)
    return bank.over(_china_calendar(today.year, years), range(today.year - 1, today.year + years))


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

    def __init__(self, settings: Settings, loaded: LoadedPolicy[Policy] | None = None,
                 calendar: BankCalendar | None = None) -> None:
        self._settings = settings
        self._given = loaded
        self._given_calendar = calendar

    @cached_property
    def _loaded(self) -> LoadedPolicy[Policy]:
        return self._given or load_policy_file(self._settings.policy_file)

    @cached_property
    def _calendar(self) -> BankCalendar:
        if self._given_calendar is not None:
            return self._given_calendar
        return load_calendar_file(self._settings.calendar_file)

    @activity.defn(name=contracts.LOAD_POLICY)
    def load_policy(self, request: LoadPolicyInput) -> PolicySnapshot:
        try:
            loaded, bank = self._loaded, self._calendar
        except (OSError, PolicyError) as err:
            raise ApplicationError(
                f"the lending policy or the bank's calendar cannot be loaded: {err}",
                type="PolicyError"
            ) from err
        return PolicySnapshot(policy=loaded.policy, sha256=loaded.sha256,
                              calendar=china_calendar(request.today, request.years, bank),
                              lpr=self._fixing(request.today))

    @activity.defn(name=LOAD_CALENDAR)
    def load_calendar(self, request: LoadCalendarInput) -> CalendarResult:
        """The working calendar as this worker has it now, for a running loan to learn the
        years that have not begun (workflows/calendar_learning.py)."""
        try:
            bank = self._calendar
        except PolicyError as err:
            raise ApplicationError(f"the bank's calendar cannot be loaded: {err}",
                                   type="PolicyError") from err
        return CalendarResult(calendar=china_calendar(request.today, request.years, bank),
                              sources={y: p.source for y, p in bank.years.items()})

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
