"""Amounts and days as operators type them on the command line: an amount as `status`, the
plans and the quotes print it, with its thousands' commas (254,901.77), ¥ (or ￥) before it
or 元 after it; a day as YYYY-MM-DD. What does not parse is refused saying how to type it.

Every money option reads its amount here, one rule for all: digits 0-9, commas between
groups of three, at most two decimals (the fen), as a repayment is recorded; not an
exponent (1e5), underscores (1_000_000) or full-width digits (１００), which Python's own
reading of a number takes but no figure the engine prints has."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

import typer

from journey.repayment import CENT

# what may surround or group an amount as printed or pasted: ¥ (or the full-width ￥), 元, spaces
_DRESS = re.compile(r"^[¥￥\s]+|[元\s]+$")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$", re.ASCII)
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$", re.ASCII)
_HOW = "type it as 254901.77 or 254,901.77"


def yuan(text: str) -> Decimal:
    """An amount in yuan as typed: 254901.77, 254,901.77, ¥254,901.77 or 254,901.77元
    (commas only between groups of three digits, so that a comma typed for a decimal point
    is refused; at most two decimals, as the fen is the least a payment moves)."""
    bare = _DRESS.sub("", text)
    if any(c.isdigit() and not c.isascii() for c in bare):
        raise typer.BadParameter(f"{text!r} is not an amount in yuan: type its digits as "
                                 "0-9, not full-width (254,901.77)")
    if "," in bare and not _GROUPED.match(bare):
        raise typer.BadParameter(f"{text!r} is not an amount in yuan: commas go between "
                                 "thousands (254,901.77) and the fen after a point")
    if not _GROUPED.match(bare) and not _PLAIN.match(bare):
        raise typer.BadParameter(f"{text!r} is not an amount in yuan: {_HOW}, digits and a "
                                 "point (no exponent, no underscores)")
    amount = Decimal(bare.replace(",", ""))
    try:
        fen = amount.quantize(CENT)
    except InvalidOperation:  # more digits than a decimal holds
        raise typer.BadParameter(f"{text!r} is not an amount in yuan: too many digits") from None
    if amount != fen:
        raise typer.BadParameter(f"{text!r} is not an amount in yuan: it has more than two "
                                 "decimals; a payment moves whole fen (254,901.77)")
    return amount


def day(text: str) -> datetime:
    """A day as typed, YYYY-MM-DD (its 00:00, as typer's own date options give it)."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a day: type it as YYYY-MM-DD "
                                 "(2026-12-06)") from None
