"""The bounds of a period as a bank's user types them: ISO, UTC unless an offset is given;
an end typed as a date alone is that whole day ("until 6 Dec" includes the 6th)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import typer

_DATE_ALONE = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


def moment(text: str) -> datetime:
    """An ISO date or time, UTC unless it gives an offset; a date alone is its 00:00."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as err:
        raise typer.BadParameter(f"{text!r} is not an ISO date or time (2026-03-31T09:00)") from err
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def through(text: str) -> datetime:
    """Where a period that ends at `text` stops, exclusive: a time, that moment; a date
    alone, the next day's 00:00 UTC, so that the whole day is in it."""
    at = moment(text)
    return at + timedelta(days=1) if _DATE_ALONE.fullmatch(text) else at
