"""Read the LPR fixing in force on a repricing date from the bank's record of fixings."""

from __future__ import annotations

from temporalio import activity

from journey.lpr import READ_LPR_FIXING, LprFixingInput, LprFixingResult, fixing_in_force
from journey.settings import Settings
from store.lpr import fixings


class LprActivities:
    def __init__(self, settings: Settings) -> None:
        self._url = settings.db_url

    @activity.defn(name=READ_LPR_FIXING)
    def read_lpr_fixing(self, request: LprFixingInput) -> LprFixingResult:
        return LprFixingResult(fixing=fixing_in_force(fixings(self._url, request.on), request.on))
