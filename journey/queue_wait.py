"""How long a case has waited on the team whose queue it is on, and its SLA on that wait.

The journey keeps it in its QueueWait search attribute (workflows/search_attributes.py), so
`queue <team>` reads it from visibility with the rest of the row: since when the case has
waited on the team (its stage visit's entry, or the moment it came to the team: an early
warning on a running loan), the stage's SLA warning and breach points of that wait, and
whether the SLA counts working time (the policy's business units) or calendar time. A case
that waits on the customer (its supplements, an answer to a decider's question, the offer's
signature) is on no team's queue: its wait says instead what the customer owes, since when
(the first request of the round, the offer's day) and by when, for `queue --waiting-on
customer`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, ValidationError

from journey.policy.calendar import WorkingCalendar, business_time_between, moment_at
from journey.policy.sla import SlaPoint, Unit


class QueueWait(BaseModel):
    since: datetime
    business: bool = False  # the stage's SLA counts working time; else calendar time
    warn_at: datetime | None = None  # None: the stage has no SLA in the policy
    due_at: datetime | None = None
    # what the case awaits of the team, where its stage does not say it all (an entrusted
    # payout's instruction awaiting its confirmation), or of the customer, for the
    # relationship managers' work list ("documents", "an answer", "a signature"); None: what
    # the stage waits for. A search attribute, in plain text: no customer's text in it (a
    # document by its kind and sha256, not its file name)
    awaiting: str | None = None
    until: datetime | None = None  # waiting on the customer: by when (the application expires)

    def stamp(self) -> str:
        """The search attribute's text: compact JSON, seconds, UTC."""
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def of(cls, stamp: str | None) -> QueueWait | None:
        """The wait a QueueWait attribute says; None for "-" (on no queue), none written
        (journeys from before the attribute) or text that is no wait."""
        if not stamp or stamp == "-":
            return None
        try:
            return cls.model_validate_json(stamp)
        except ValidationError:
            return None

    def waited(self, now: datetime, calendar: WorkingCalendar) -> str:
        """How long the case has waited by `now`: working hours on `calendar` where the SLA
        counts them, else calendar days and hours; saying which. Under a day, hours and
        minutes: a case minutes from its breach does not read "0d 0h"."""
        if self.business:
            worked = business_time_between(calendar, self.since, now)
            if worked < timedelta(days=1):
                return f"{_hours_minutes(worked)} working"
            return f"{worked / timedelta(hours=1):.1f} working h"
        gone = max(now - self.since, timedelta(0))
        if gone < timedelta(days=1):
            return f"{_hours_minutes(gone)} calendar"
        return f"{gone.days}d {gone.seconds // 3600}h calendar"

    def sla_text(self, utc_offset_hours: int) -> str:
        """The SLA points of the wait on the bank's clock, or that the stage has none."""
        return ", ".join(self.sla_points(lambda at: moment_at(at, utc_offset_hours)))

    def sla_points(self, shown: Callable[[datetime], str]) -> list[str]:
        """The SLA points of the wait, each moment as `shown` says it ("warn ...", "due
        ..."), or that the stage has none ("no SLA")."""
        if self.due_at is None:
            return ["no SLA"]
        warn = [f"warn {shown(self.warn_at)}"] if self.warn_at else []
        return [*warn, f"due {shown(self.due_at)}"]


def _hours_minutes(span: timedelta) -> str:
    """`span`, under a day, as "5h 07m"."""
    minutes = int(span.total_seconds()) // 60
    return f"{minutes // 60}h {minutes % 60:02}m"


def queue_wait(since: datetime, unit: Unit | None, points: list[SlaPoint]) -> QueueWait:
    """The wait from `since` under an SLA of `unit` with `points` (sla_points'; none: no SLA)."""
    at = {p.kind: p.at for p in points if p.kind != "escalation"}
    return QueueWait(since=since.replace(microsecond=0),
                     business=unit in (Unit.BUSINESS, Unit.BUSINESS_DAYS),
                     warn_at=at.get("warning"), due_at=at.get("breach"))
