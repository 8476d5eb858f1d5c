"""What the customer is told when it asks about a journey that has ended.

The answer goes to the customer, whoever records the inquiry (the customer itself, or front
office staff answering it): the outcome in the bank's words and the bank's day it ended on,
never the journey's `outcome_reason`, which quotes the risk officer's or the approvers' notes.
Staff read that reason in `status`.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from journey.stages import Stage
from journey.status import JourneyStatus

# the outcome as the customer hears it, after the day it came
CUSTOMER_OUTCOME: dict[Stage, str] = {
    Stage.REJECTED: "the bank could not approve the application; your relationship manager "
                    "will explain",
    Stage.WITHDRAWN: "the application was withdrawn",
    Stage.EXPIRED: "the application expired before it was completed or signed; apply again "
                   "if you still need the loan",
    Stage.CLOSED: "the loan account was closed",
}


def ended_answer(s: JourneyStatus) -> str:
    """The answer to an inquiry about `s`, a journey that has ended: when (the bank's day,
    by the calendar the journey pinned; UTC for a journey that pinned none) and how."""
    offset = s.bank_utc_offset or 0
    zone = "UTC" if s.bank_utc_offset is None else f"the bank's day, UTC{offset:+d}"
    ended = s.timeline[-1].entered_at if s.timeline else None
    day = ended.astimezone(timezone(timedelta(hours=offset))) if ended else None
    on = f" on {day:%Y-%m-%d} ({zone})" if day else ""
    return f"{s.workflow_id} has ended{on}, {s.stage}: {CUSTOMER_OUTCOME[s.stage]}"
