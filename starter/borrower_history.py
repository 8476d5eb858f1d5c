"""What `status` shows the bank's staff of the borrower's history with the bank: its other
applications that ended without a loan (declined, withdrawn, expired), with their end on the
bank's clock and, for a decline, its reason categories, read from the journey store by credit
code in one read (store/exposure.py `ended_applications`). The customer is never told. And
the names its company had before, renamed (store/code_names.py), next to the applicant."""

from __future__ import annotations

import asyncio
from typing import Any

from journey.earlier_applications import EndedApplication
from journey.policy.calendar import moment_at
from journey.renames import formerly
from journey.settings import Settings
from journey.status import JourneyStatus
from store.code_names import renames_of
from store.exposure import ended_applications


async def ended_of_borrower(settings: Settings, s: JourneyStatus) -> list[EndedApplication]:
    """The borrower's other applications that ended, oldest end first (none for a journey
    that names no credit code)."""
    if s.customer is None:
        return []
    return await asyncio.to_thread(ended_applications, settings.db_url, s.customer,
                                   s.workflow_id)


def ended_lines(s: JourneyStatus, ended: list[EndedApplication]) -> list[str]:
    """`status`'s lines of them: a heading and one line each, on the bank's clock."""
    if not ended:
        return []
    offset = s.bank_utc_offset or 0
    return [f"the borrower's applications that ended ({s.customer}; the bank's "
            "record, the customer is not told):",
            *(f"  {e.describe(moment_at(e.at, offset))}" for e in ended)]


def ended_json(ended: list[EndedApplication]) -> dict[str, Any]:
    """`status --json`'s key for them."""
    return {"borrower_applications_ended": [e.model_dump(mode="json") for e in ended]}


async def former_names(settings: Settings, s: JourneyStatus) -> list[str]:
    """The names the applicant's company had before, as the renames of its credit code
    record them (none when it was not renamed, or the journey names no credit code)."""
    if s.customer is None or not s.applicant:
        return []
    return formerly(await asyncio.to_thread(renames_of, settings.db_url, s.customer),
                    s.applicant)
