"""A journey's moments on the bank's clock, as its renderings show them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

from journey.policy.calendar import WorkingCalendar, moment_at
from journey.status import JourneyStatus

# a moment a text kept in the journey's history says in UTC: "at 2026-12-06 11:52 UTC"
_SAID_IN_UTC = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})(?::\d{2})? UTC(?![+-])")


def when(s: JourneyStatus, moment: datetime | None) -> str:
    """`moment` on the bank's clock (the pinned calendar's zone; UTC before one is pinned),
    labelled with its zone."""
    return moment_at(moment, s.bank_utc_offset or 0) if moment else "-"


def day_on_bank_clock(s: JourneyStatus, moment: datetime) -> str:
    """`moment`'s day on the bank's clock (the pinned calendar's zone; the packaged calendar's
    before one is pinned): "2026-12-07" for 02:42 in Beijing, 18:42 UTC the day before."""
    offset = s.bank_utc_offset if s.bank_utc_offset is not None else bank_offset()
    return f"{moment.astimezone(timezone(timedelta(hours=offset))):%Y-%m-%d}"


def noted(s: JourneyStatus, text: str) -> str:
    """`text`, written in the journey with its moments in UTC (a reading's correction note:
    "corrected against the paper by ops-li at 2026-12-06 11:52 UTC"), shown with them on
    the bank's clock (`when`) beside the rest; the history keeps what it says."""
    return _SAID_IN_UTC.sub(
        lambda m: when(s, datetime.strptime(m[1], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)), text)


def bank_offset() -> int:
    """The bank's clock, in hours from UTC, where no journey says it: the packaged working
    calendar's, where the bank's days begin (as `lpr` dates the bank's day)."""
    return WorkingCalendar().utc_offset_hours


def bank_day(moment: datetime | None = None) -> date:
    """The day `moment` (now, without one) falls on by the bank's clock (`bank_offset`): a
    value date, a period's day. Not `moment.date()`, which is UTC's day: until 08:00 in
    Beijing that is the day before."""
    return WorkingCalendar().day_of(moment or datetime.now(UTC))


def bank_zone() -> timezone:
    """The bank's clock (`bank_offset`) as a zone: where an operator's dates and times are."""
    return timezone(timedelta(hours=bank_offset()))


def bank_label() -> str:
    """The bank's clock as a heading says it: "UTC+8"."""
    return f"UTC{bank_offset():+d}"


def on_bank_clock(moment: datetime, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """`moment` on the bank's clock, unlabelled, for a column headed with `bank_label`."""
    return f"{moment.astimezone(bank_zone()):{fmt}}"
