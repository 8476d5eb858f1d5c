"""A journey's moments on the bank's clock, as its renderings show them."""

from __future__ import annotations

from datetime import datetime

from journey.policy.calendar import moment_at
from journey.status import JourneyStatus


def when(s: JourneyStatus, moment: datetime | None) -> str:
    """`moment` on the bank's clock (the pinned calendar's zone; UTC before one is pinned),
    labelled with its zone."""
    return moment_at(moment, s.bank_utc_offset or 0) if moment else "-"
