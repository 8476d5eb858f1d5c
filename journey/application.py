"""A loan application as operations submit it."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from journey.actors import Actor
from journey.documents import DocumentRef


class Product(StrEnum):
    WORKING_CAPITAL = "working_capital"
    FIXED_ASSET = "fixed_asset"
    PROJECT_FINANCE = "project_finance"


class Channel(StrEnum):
    """The touchpoint through which a customer acted."""

    WEB = "web"
    APP = "app"
    BRANCH = "branch"
    RELATIONSHIP_MANAGER = "relationship_manager"
    PHONE = "phone"
    API = "api"


class LoanApplication(BaseModel):
    """What intake validates. Personal and financial data stay out of search attributes."""

    application_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")
    applicant_name: str = Field(min_length=2, max_length=200)
    credit_code: str = Field(min_length=18, max_length=18)
    product: Product
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)
    term_months: int = Field(ge=1, le=360)
    industry: str = Field(min_length=2, max_length=64)
    region: str = Field(default="CN", min_length=2, max_length=64)
    annual_rate: Decimal | None = Field(default=None, ge=0, lt=1)
    documents: list[DocumentRef] = Field(default_factory=list)
    submitted_by: Actor
    channel: Channel = Channel.BRANCH

    @field_validator("applicant_name", "credit_code", "industry", "region", mode="before")
    @classmethod
    def _trimmed(cls, v: object) -> object:
        """Spaces around a name or a code are a copy's, not the value's: "   " is no name."""
        return v.strip() if isinstance(v, str) else v

    @field_validator("credit_code")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()
