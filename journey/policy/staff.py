"""The staff directory: who may act, in which role, for which team, up to which limit."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from journey.actors import Role
from journey.contact import Email, Mobile
from journey.policy.routing import ApprovalTier


class StaffMember(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    role: Role
    team: str | None = None  # risk team for risk officers and supervisors
    limit: Decimal | None = Field(default=None, gt=0)  # approval limit in yuan
    tier: ApprovalTier | None = None  # approvers: the tier they sit at
    supervisor: str | None = None  # id of this member's supervisor
    active: bool = True
    # where the notices to this member (SLA reminders, cases handed over) reach: optional
    email: Email | None = None
    mobile: Mobile | None = None
