"""Where a notice reaches a person: a mobile number for SMS, an email address for mail.

Checked as they are typed, so that a notice is never queued for a number no gateway takes:
a mainland mobile is 11 digits starting with 1 (its copy's spaces, hyphens and a +86 or
0086 prefix left out); an email has one @ between a name and a dotted domain, no spaces.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field

_MOBILE = re.compile(r"1\d{10}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def mobile_number(v: object) -> object:
    """A CN mobile as its 11 digits; anything else refused with what it must be."""
    if not isinstance(v, str):
        return v
    digits = re.sub(r"[\s-]", "", v)
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    if not _MOBILE.fullmatch(digits):
        raise ValueError("a mobile number is 11 digits starting with 1 (e.g. 13800138000)")
    return digits


def email_address(v: object) -> object:
    """An address of the shape name@domain.tld, spaces around it left out."""
    if not isinstance(v, str):
        return v
    v = v.strip()
    if not _EMAIL.fullmatch(v):
        raise ValueError("an email address is name@domain (e.g. finance@example.com)")
    return v


# a field of either kind, checked as typed (the customer's contact, a staff member's)
Mobile = Annotated[str, BeforeValidator(mobile_number)]
Email = Annotated[str, BeforeValidator(email_address)]


class Contact(BaseModel):
    """The customer's contact for notices, as the application gives it: either way or both."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    mobile: Mobile | None = None
    email: Email | None = None
