"""One SLA clock over several visits of a stage: a round of requests to the customer.

A customer asked for supplements may answer in batches, each read (documents) and checked
(a new completeness visit) before the file is whole. The request is the same until it is
met, so its SLA runs from the round's first request, as its expiry does: each point (warning,
breach, escalation) is reached once per round, and a later visit of the round starts in the
state the round has reached (`Bookkeeping.stage(..., clock=)`).
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass
class SlaClock:
    started: datetime | None = None  # the round's first visit's entry: its points count from it
    reached: int = 0  # the round's points reached so far, in the order sla_points gives them
    state: str = "ok"  # the SlaState they left: "ok", "warned" or "breached"
