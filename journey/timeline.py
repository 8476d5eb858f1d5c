"""Journey-stage timing events: the raw data of the customer journey map.

Each event is idempotent by (workflow_id, sequence): a retried or replayed write never
duplicates a row.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from journey.application import Channel, Product
from journey.stages import Party, Stage


class EventType(StrEnum):
    ENTERED = "entered"
    EXITED = "exited"
    SLA_WARNED = "sla_warned"
    SLA_BREACHED = "sla_breached"
    ESCALATED = "escalated"
    TOUCHPOINT = "touchpoint"
    # the stage was assigned to its actor from then on (`reassign`, an SLA's escalation to the
    # team's supervisor): whom a bank's wait was on, in the report (store/holders.py)
    ASSIGNED = "assigned"


# An ESCALATED event whose detail begins so is a loan's early warning to its risk team
# (workflows/post_loan_warnings.py), not an SLA escalation: the report and the export count it
# apart (store/spans.py).
EARLY_WARNING = "early warning "


class TimingEvent(BaseModel):
    workflow_id: str
    sequence: int = Field(ge=0)
    type: EventType
    stage: Stage
    attempt: int = Field(default=1, ge=1)
    at: datetime
    waits_on: Party
    product: Product
    actor: str | None = None  # staff or customer id who acted, when one did
    team: str | None = None  # the team the stage waits on, when it waits on the bank
    outcome: str | None = None  # on EXITED: the stage that follows, or the terminal state
    channel: Channel | None = None  # customer-facing touchpoint
    detail: str | None = None  # e.g. escalation action, drawdown id
