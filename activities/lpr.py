"""Read the LPR fixing in force on a day (an offer's, a repricing date) from the bank's
record of fixings; the journey that reads it is kept on the fixing, which from then on a
supervisor no longer corrects (journey/lpr_record.py)."""

from __future__ import annotations

from temporalio import activity

from journey.lpr import READ_LPR_FIXING, LprFixingInput, LprFixingResult
from journey.settings import Settings
from store.lpr import read_in_force


class LprActivities:
    def __init__(self, settings: Settings) -> None:
        self._url = settings.db_url

    @activity.defn(name=READ_LPR_FIXING)
    def read_lpr_fixing(self, request: LprFixingInput) -> LprFixingResult:
        reader = activity.info().workflow_id if activity.in_activity() else None
        return LprFixingResult(fixing=read_in_force(self._url, request.on, reader or "-"))
