"""People who act on a journey, and the roles they act in."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Role(StrEnum):
    CUSTOMER = "customer"
    OPERATIONS = "operations"
    RELATIONSHIP_MANAGER = "relationship_manager"
    RISK_OFFICER = "risk_officer"
    APPROVER = "approver"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    SYSTEM = "system"


class Actor(BaseModel):
    """Who did something: an id from the staff directory (or the customer's id) and a role."""

    id: str = Field(min_length=1, max_length=64)
    role: Role
