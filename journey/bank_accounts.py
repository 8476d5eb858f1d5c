"""A bank account's number, as the bank keeps and checks it: one rule for every account the
bank pays into (an entrusted payout's counterparties, a project drawdown's payee, the
borrower's settlement account)."""

from __future__ import annotations

import re
import unicodedata

# a CNY account number (对公账户, 借记卡): its digits, 8 to 30 of them, whoever printed it
_ACCOUNT_DIGITS = re.compile(r"[0-9]{8,30}")


def account_number(account: str) -> str:
    """An account as the bank compares it: its digits and letters only, capitals, full-width
    made half-width (NFKC), so that "6222 0202-001" and "62220202001" are one account."""
    return "".join(c for c in unicodedata.normalize("NFKC", account) if c.isalnum()).upper()


def account_refusal(account: str) -> str | None:
    """Why `account` is no account the bank pays into: once its spaces and hyphens (a copy's
    grouping) are gone, full-width made half-width, it must be 8 to 30 digits. A letter in it
    is a typo ("4000-0233-09X"), never part of a CNY account's number. The account itself is
    not repeated: a refusal travels unencrypted (starter/codec.py)."""
    digits = "".join(c for c in unicodedata.normalize("NFKC", account)
                     if not c.isspace() and c != "-")
    if _ACCOUNT_DIGITS.fullmatch(digits):
        return None
    return ("an account number is 8 to 30 digits (spaces and hyphens between them may stay): "
            "copy it again from the bank's account opening letter")


def account_masked(account: str) -> str:
    """An account as a message that may be kept or shown beyond its reader names it: its
    first four and last four digits ("6222...2233"), enough to tell two apart, not to pay
    one (a refusal is kept in `refusals`, and travels unencrypted)."""
    number = account_number(account)
    return f"{number[:4]}...{number[-4:]}" if len(number) > 8 else f"...{number[-4:]}"
