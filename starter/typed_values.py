"""Amounts and days as operators type them on the command line: an amount as `status`, the
plans and the quotes print it, with its thousands' commas (254,901.77), ¥ or 元 around it;
a day as YYYY-MM-DD. What does not parse is refused saying how to type it."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

import typer

# what may surround or group an amount as printed or pasted: ¥ (or the full-width ￥), 元, spaces
_DRESS = re.compile(r"^[¥￥\s]+|[元\s]+$")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def yuan(text: str) -> Decimal:
    """An amount in yuan as typed: 254901.77, 254,901.77 or ¥254,901.77 (commas only between
    groups of three digits, so that a comma typed for a decimal point is refused)."""
    bare = _DRESS.sub("", text)
    if "," in bare and not _GROUPED.match(bare):
        raise typer.BadParameter(f"{text!r} is not an amount in yuan: commas go between "
                                 "thousands (254,901.77) and the fen after a point")
    try:
        amount = Decimal(bare.replace(",", ""))
    except InvalidOperation:
        raise typer.BadParameter(f"{text!r} is not an amount in yuan: type it as 254901.77 "
                                 "or 254,901.77") from None
    if not amount.is_finite():
        raise typer.BadParameter(f"{text!r} is not an amount in yuan")
    return amount


def day(text: str) -> datetime:
    """A day as typed, YYYY-MM-DD (its 00:00, as typer's own date options give it)."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d")
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a day: type it as YYYY-MM-DD "
                                 "(2026-12-06)") from None
