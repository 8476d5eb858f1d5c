"""The timing sink: journey-stage events into SQL, idempotent by (workflow id, sequence)."""

from __future__ import annotations

from temporalio import activity

from activities.metrics import observe_timing_events
from journey import contracts
from journey.contracts import RecordTimingInput, RecordTimingResult
from journey.settings import Settings
from store.timing import record_new_events


class TimingActivities:
    def __init__(self, settings: Settings) -> None:
        self._url = settings.db_url

    @activity.defn(name=contracts.RECORD_TIMING)
    def record_timing_events(self, request: RecordTimingInput) -> RecordTimingResult:
        fresh = record_new_events(self._url, request.events)
        observe_timing_events(fresh)  # only the new ones: a retried batch counts once
        return RecordTimingResult(inserted=len(fresh))
