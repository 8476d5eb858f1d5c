"""A borrower's earlier applications that ended without a loan, as `status` shows them to the
bank's staff on a new one: each with how and when it ended and, for a decline, its reason
categories (journey/decline_reasons.py), read from the journey store by credit code
(store/exposure.py `ended_applications`). The customer is never told of them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from journey.stages import Stage

_ENDED = {Stage.REJECTED: "declined", Stage.WITHDRAWN: "withdrawn", Stage.EXPIRED: "expired"}


class EndedApplication(BaseModel):
    workflow_id: str
    outcome: Stage  # rejected, withdrawn or expired
    at: datetime
    categories: list[str] = Field(default_factory=list)  # a decline's, where recorded

    def describe(self, when: str) -> str:
        """e.g. "loan-APP-1 declined 2026-12-05 10:00 (UTC+8), for: leverage", `when` the
        end on the bank's clock."""
        line = f"{self.workflow_id} {_ENDED.get(self.outcome, self.outcome.value)} {when}"
        if self.outcome is Stage.REJECTED:
            line += (f", for: {', '.join(self.categories)}" if self.categories
                     else ", reason category not recorded (see its status)")
        return line
