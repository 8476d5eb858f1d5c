"""Documents a loan needs and the fields read from them.

The OCR package (`ocr/`) returns these models; workflows carry them, so they hold no
image data. Amounts are Decimal yuan; every extracted field has a confidence in [0, 1]
and, where validation failed, a reason.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field

# The bank's scanning guidance, what a customer asked for a document again is told to send:
# a scan at this resolution or better (an A4 page: 1654x2339 px).
SCAN_DPI = 200
# A field read with less confidence than this is not taken for a fact: people check it.
LOW_CONFIDENCE = 0.6
# The units a statement prints its figures in (单位：...), in yuan.
UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10_000),
         "百万元": Decimal(1_000_000), "亿元": Decimal(100_000_000)}
# A statement that prints no unit is read as yuan, a guess the figures' digits say nothing
# of: each figure's confidence is multiplied by this (below LOW_CONFIDENCE however sure the
# digits) and noted UNIT_ASSUMED, until a clerk's correction takes the unit from the paper and
# gives the figures their confidence back (journey/reading_corrections.py)
UNIT_ASSUMED_SHARE = 0.5
UNIT_ASSUMED = "unit not printed, read as yuan: check the unit (元/千元/万元) on the paper"
# the most of a supporting document's text a reading carries (the history must stay small)
SUPPORTING_TEXT = 2000


class DocumentKind(StrEnum):
    BUSINESS_LICENSE = "business_license"
    BALANCE_SHEET = "balance_sheet"
    INCOME_STATEMENT = "income_statement"
    OTHER = "other"  # a legible page of none of the kinds above: a supporting document
    UNKNOWN = "unknown"


class DocumentRef(BaseModel):
    """A document in the content-addressed store: the journey passes this, never bytes."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(ge=0)


class FieldCorrection(BaseModel):
    """The correction of a field in force: who typed it, the value taken and what OCR had
    read, as shown ("703,196.15"); a later clerk's correction of the field overrides it."""

    by: str
    value: str
    read: str


class Extracted(BaseModel):
    """What every OCR result shares: per-field confidence and validation problems."""

    confidence: dict[str, float] = Field(default_factory=dict)
    problems: dict[str, str] = Field(default_factory=dict)
    # fields a clerk corrected against the paper: what was read, what it says, who, when
    corrected: dict[str, str] = Field(default_factory=dict)
    # ... the correction in force, by field (none for those corrected before it was kept)
    corrections: dict[str, FieldCorrection] = Field(default_factory=dict)
    # fields a clerk checked against the paper as read (journey/figures_checked.py): who, when
    checked: dict[str, str] = Field(default_factory=dict)

    def low_confidence(self, threshold: float = LOW_CONFIDENCE) -> list[str]:
        return sorted(k for k, v in self.confidence.items() if v < threshold)


class BusinessLicense(Extracted):
    """营业执照."""

    kind: DocumentKind = DocumentKind.BUSINESS_LICENSE
    name: str | None = None
    credit_code: str | None = None
    credit_code_valid: bool = False
    legal_representative: str | None = None
    registered_capital: Decimal | None = None
    established_on: date | None = None
    address: str | None = None
    company_type: str | None = None
    business_scope: str = ""
    # the end of the licence's term (营业期限); None: 长期 (no end), or not read (see problems)
    valid_until: date | None = None

    def sure_name(self) -> str | None:
        """The company's name as read sure (confidence LOW_CONFIDENCE or more, no note such as
        "does not look like a registered name"), or as a clerk corrected it (which makes it
        sure: journey/reading_corrections.py); None when unread or unsure: no evidence of whose
        the licence is."""
        unsure = "name" in self.problems or "name" in self.low_confidence()
        return None if unsure else self.name


# (part, whole) of a balance sheet: a part of a total is never larger than it (the OCR's
# checks use all of them; a correction is checked on those a statement keeps)
PART_BOUNDS = (("cash", "current_assets"), ("current_assets", "total_assets"),
               ("noncurrent_assets", "total_assets"), ("total_equity", "total_assets"),
               ("current_liabilities", "total_liabilities"),
               ("noncurrent_liabilities", "total_liabilities"))


class FinancialStatement(Extracted):
    """资产负债表 (balance sheet) or 利润表 (income statement), current-period column, in yuan."""

    kind: DocumentKind
    period_end: date | None = None
    # yuan per unit the figures were printed in (UNITS); None: not recorded (read as yuan)
    unit: Decimal | None = None
    company: str | None = None
    # balance sheet
    cash: Decimal | None = None
    current_assets: Decimal | None = None
    total_assets: Decimal | None = None
    current_liabilities: Decimal | None = None
    total_liabilities: Decimal | None = None
    total_equity: Decimal | None = None
    # income statement
    revenue: Decimal | None = None
    operating_profit: Decimal | None = None
    net_profit: Decimal | None = None
    # balance sheet identity: assets = liabilities + equity (None when not a balance sheet)
    balances: bool | None = None


class SupportingDocument(Extracted):
    """A legible page of no kind the checklist names (a signed letter, a contract): kept with
    the text read, for the deciders to read; it never blocks the file."""

    kind: DocumentKind = DocumentKind.OTHER
    text: str = Field(default="", max_length=SUPPORTING_TEXT)


class ReadStatus(StrEnum):
    READ = "read"
    UNREADABLE = "unreadable"
    MISSING = "missing"  # named, but not in the document store: never read


class DocumentReading(BaseModel):
    """The result of reading one stored document: what it is and what it says."""

    ref: DocumentRef
    status: ReadStatus
    kind: DocumentKind = DocumentKind.UNKNOWN
    license: BusinessLicense | None = None
    statement: FinancialStatement | None = None
    supporting: SupportingDocument | None = None
    reason: str | None = None
    seconds: float = 0.0

    def reason_code(self) -> str | None:
        """The short code of why a document was not read (its reason reads `code: message`;
        `unreadable` when it names none); None for a document read."""
        if self.status is ReadStatus.READ:
            return None
        code, colon, _ = (self.reason or "").partition(":")
        return code if colon else "unreadable"
