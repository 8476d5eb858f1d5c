"""Read the LPR fixing in force on a day (an offer's, a repricing date) from the bank's
record of fixings; the journey that reads it is kept on the fixing, which from then on a
supervisor no longer corrects (journey/lpr_record.py). A fixing that fails its seal fails the
read, to be retried (FIXING_RETRY) until operations restore or correct it; so does one this
worker cannot check, its archive key not the one the fixings were sealed with, until a worker
with that key reads it (FixingKeyWrong)."""

from __future__ import annotations

from temporalio import activity

from journey.lpr import READ_LPR_FIXING, LprFixingInput, LprFixingResult
from journey.settings import Settings
from store.lpr_in_force import read_in_force


class LprActivities:
    def __init__(self, settings: Settings) -> None:
        self._url, self._key = settings.db_url, settings.archive_seal_key

    @activity.defn(name=READ_LPR_FIXING)
    def read_lpr_fixing(self, request: LprFixingInput) -> LprFixingResult:
        reader = activity.info().workflow_id if activity.in_activity() else None
        fixing = read_in_force(self._url, request.on, reader or "-", self._key)
        return LprFixingResult(fixing=fixing)
