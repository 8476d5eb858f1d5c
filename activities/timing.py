"""The timing sink: journey-stage events into SQL, idempotent by (workflow id, sequence),
sealed with the archive key where the worker has it (kept unsealed with another: `records
verify` names them inserted)."""

from __future__ import annotations

from temporalio import activity

from activities.metrics import observe_timing_events
from journey import contracts
from journey.contracts import RecordTimingInput, RecordTimingResult
from journey.settings import Settings
from store.seal_key import SealingOnce
from store.sealed_records import STAGED
from store.timing import record_new_events


class TimingActivities:
    def __init__(self, settings: Settings) -> None:
        self._url = settings.db_url
        # the worker's key when the stage events were sealed with it (or none yet), else None
        self._sealing_key = SealingOnce(self._url, settings.archive_seal_key, STAGED)

    @activity.defn(name=contracts.RECORD_TIMING)
    def record_timing_events(self, request: RecordTimingInput) -> RecordTimingResult:
        fresh = record_new_events(self._url, request.events, self._sealing_key())
        observe_timing_events(fresh)  # only the new ones: a retried batch counts once
        return RecordTimingResult(inserted=len(fresh))
