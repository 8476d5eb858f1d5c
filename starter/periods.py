"""The bounds of a period as a bank's user types them: ISO, on the bank's clock
(starter/bank_clock.py, UTC+8) unless an offset is given; an end typed as a date alone is
that whole bank day ("until 6 Dec" includes the 6th, to its midnight in the bank)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import typer

from starter.bank_clock import bank_zone

_DATE_ALONE = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


def moment(text: str) -> datetime:
    """An ISO date or time, on the bank's clock unless it gives an offset (which it keeps);
    a date alone is its 00:00 in the bank."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as err:
        raise typer.BadParameter(f"{text!r} is not an ISO date or time (2026-03-31T09:00)") from err
    return value if value.tzinfo else value.replace(tzinfo=bank_zone())


def through(text: str) -> datetime:
    """Where a period that ends at `text` stops, exclusive: a time, that moment; a date
    alone, the next day's 00:00 in the bank, so that the whole bank day is in it."""
    at = moment(text)
    return at + timedelta(days=1) if _DATE_ALONE.fullmatch(text) else at
