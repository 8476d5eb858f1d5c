"""Shared fixtures for the domain tests: the default policy and application factories."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from journey.actors import Actor, Role
from journey.application import LoanApplication
from journey.credit_code import check_character
from journey.policy import DEFAULT_POLICY_FILE, Policy, parse_policy

FIRST17 = "91110000MA01C3D5X"
CREDIT_CODE = FIRST17 + check_character(FIRST17)
APPLICANT = "北京华信精密制造有限公司"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return parse_policy(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))


def make_application(**overrides: Any) -> LoanApplication:
    data: dict[str, Any] = {
        "application_id": "APP-2026-0001",
        "applicant_name": APPLICANT,
        "credit_code": CREDIT_CODE,
        "product": "working_capital",
        "amount": Decimal("1000000.00"),
        "term_months": 12,
        "industry": "manufacturing",
        "region": "CN",
        "submitted_by": Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER),
    }
    data.update(overrides)
    return LoanApplication.model_validate(data)


@pytest.fixture
def make_app() -> Callable[..., LoanApplication]:
    """A valid application; keyword arguments override its fields."""
    return make_application
