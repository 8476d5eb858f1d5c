"""A loan application as operations submit it."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator

from journey.actors import Actor
from journey.bank_accounts import account_number, account_refusal
from journey.contact import Contact
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


class SettlementAccount(BaseModel):
    """The borrower's settlement account (结算账户) a payout to the borrower goes into: the
    account's name (the borrower's own: `start` checks it), its number and the bank it is
    kept at (开户行), so that finance can match the booking to the bank's payment."""

    name: str = Field(min_length=2, max_length=200)
    account: str = Field(min_length=8, max_length=64)  # its digits: `account_refusal`
    bank: str = Field(min_length=2, max_length=200)

    @field_validator("name", "bank", mode="before")
    @classmethod
    def _trimmed(cls, v: object) -> object:
        return v.strip() if isinstance(v, str) else v

    @field_validator("account", mode="before")
    @classmethod
    def _digits(cls, v: object) -> object:
        """The number as the bank keeps it, its copy's spaces and hyphens gone; a letter or
        too few digits is refused here, before anything reaches a history."""
        if not isinstance(v, str):
            return v
        if (wrong := account_refusal(v)) is not None:
            raise ValueError(wrong)
        return account_number(v)

    @property
    def ending(self) -> str:
        """Its last four digits, as a bank's notice names an account."""
        return self.account[-4:]


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
    # where a payout to the borrower goes; None: an application from before it was asked
    # for, or one paid to counterparties only (受托支付): `start` asks for it otherwise
    settlement_account: SettlementAccount | None = None
    # whom the customer's notices reach (`loan-journey notices send`); None: one from before
    # it was asked for, or a customer told by its relationship manager: its notices wait
    contact: Contact | None = None

    @field_validator("applicant_name", "credit_code", "industry", "region", mode="before")
    @classmethod
    def _trimmed(cls, v: object) -> object:
        """Spaces around a name or a code are a copy's, not the value's: "   " is no name."""
        return v.strip() if isinstance(v, str) else v

    @field_validator("credit_code")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()
