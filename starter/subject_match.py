"""How `subject` (starter/subject.py) compares a person's value with what the journeys hold,
and how it shows what it found.

Match rules, so that one person is not taken for another: an id number or a mobile equals a
value with spaces removed on both sides (a mobile as the application keeps it: +86 left
out); a name equals one trimmed of spaces, a full-width space (U+3000) taken for a
half-width one; an email equals one trimmed, letters' case aside; a bank account equals one
as the bank compares accounts (journey/bank_accounts.py: its digits, spaces and hyphens
aside). Free text (a supporting page's, a feedback's comment) is looked in for the value, the
same way.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

from journey.bank_accounts import account_masked, account_number, account_refusal
from journey.contact import mobile_number
from starter.errors import BadInput

Kind = Literal["name", "id_number", "mobile", "email", "account"]
_SPACES = re.compile(r"\s+")
# a mainland resident id number (居民身份证号码: 17 digits and a check digit or X; 15 digits
# before 1999) in a page's text, spaced as people type it: masked in any answer
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(?:\d\s?){17}[\dXx](?![\dA-Za-z])|"
                        r"(?<![\dA-Za-z])(?:\d\s?){14}\d(?![\dA-Za-z])")


class Sought(BaseModel):
    """The person's value, as the match rules compare it."""

    kind: Kind
    value: str

    @classmethod
    def typed(cls, kind: Kind, text: str) -> Sought:
        """The value as typed, made comparable; one that cannot be of its kind refused."""
        value = _normal(kind, text)
        if not value:
            raise BadInput(f"--{kind.replace('_', '-')} is empty")
        if kind == "mobile":
            try:
                value = str(mobile_number(value))
            except ValueError as err:
                raise BadInput(f"--mobile {text!r}: {err}") from None
        if kind == "account" and (why := account_refusal(text)) is not None:
            raise BadInput(f"--account: {why}")
        return cls(kind=kind, value=value)

    def equals(self, text: str) -> bool:
        return _normal(self.kind, text) == self.value

    def within(self, text: str) -> bool:
        return self.value in _normal(self.kind, text)

    def shown(self, text: str, full: bool = False) -> str:
        """`text` as the output shows it: every id number in it masked but for its last 4,
        however it is spaced there (the text around it left as read), the one sought too
        when it is of no mainland shape (a passport's); an account sought shown by its
        first and last 4 digits (`account_masked`); whole with `full`."""
        if full:
            return text
        text = _ID_NUMBER.sub(lambda m: masked(m.group()), text)
        if self.kind not in ("id_number", "account"):
            return text
        hide = masked if self.kind == "id_number" else account_masked
        spaced = r"[\s-]*".join(re.escape(c) for c in self.value)
        return re.sub(spaced, lambda m: hide(m.group()), text, flags=re.IGNORECASE)


def _normal(kind: Kind, text: str) -> str:
    if kind in ("id_number", "mobile"):
        return _SPACES.sub("", text).upper()  # an id number's check character X either case
    if kind == "account":
        return account_number(text)
    if kind == "email":
        return text.strip().lower()
    return text.replace("\u3000", " ").strip()


def masked(id_number: str) -> str:
    """An id number with all but its last 4 characters starred (the output is personal data
    too): 110101199003077777 -> **************7777."""
    bare = _SPACES.sub("", id_number)
    return "*" * max(len(bare) - 4, 0) + bare[-4:]


class Held(BaseModel):
    """One place a journey holds the person: where, which document, field or act, the value."""

    where: Literal["document_readings", "history", "pending_instructions", "payer_outflows",
                   "payer_returns", "payer_refunds"]
    # the reading's field ("legal_representative"), or "contact", "signatory", "payer_account",
    # "comment"
    field: str
    value: str  # as kept (an id number, an account sought masked unless --full); the whole
    # contact for "contact", who signed and how for "signatory", the feedback for "comment"
    document: str | None = None  # the reading's file and sha256's first 12
    # a reading's scan erased after retention (`scans erase`): when, why, by whom; the
    # reading stays (what OCR read is a sealed record)
    scan_erased: str | None = None
    kind: str | None = None  # the document's kind
    # whose act it is part of: "signatory of the offer", "payer of repayment R-1",
    # "feedback of 2026-12-07 10:00 UTC"
    about: str | None = None
    source: str | None = None  # where in `where`: "run <id>, event 57", "instruction 3", ...


class Unread(BaseModel):
    workflow_id: str
    why: str
