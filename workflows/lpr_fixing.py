"""The LPR fixing in force on a day, read from the bank's record by an activity: what a new
offer is priced on and a floating-rate loan repriced to (journey/lpr.py)."""

import asyncio
from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.lpr import READ_LPR_FIXING, LprFixing, LprFixingInput, LprFixingResult
    from journey.lpr_record import publication_day
    from journey.policy.calendar import WorkingCalendar
    from workflows.activity_options import FIXING_RETRY, QUICK


async def fixing_in_force(day: date) -> LprFixing | None:
    """The latest fixing dated on or before `day`; None when none is recorded."""
    read = await workflow.execute_activity(
        READ_LPR_FIXING, LprFixingInput(on=day), result_type=LprFixingResult,
        start_to_close_timeout=QUICK, retry_policy=FIXING_RETRY,
    )
    return read.fixing


class FixingAhead:
    """The fixing in force on `day`, read while the journey waits on people (the approvers),
    so that an offer made the same day is priced without waiting for the read; read again
    when the month's fixing may have been recorded since (its publication day has come and
    the one read ahead is older)."""

    def __init__(self, day: date, calendar: WorkingCalendar) -> None:
        self.day, self.calendar = day, calendar
        self._read = asyncio.create_task(fixing_in_force(day))

    async def on(self, day: date) -> LprFixing | None:
        """The fixing in force on `day`."""
        if day == self.day:
            fixing, published = await self._read, publication_day(day, self.calendar)
            if day < published or (fixing is not None and fixing.fixed_on >= published):
                return fixing
        return await fixing_in_force(day)
