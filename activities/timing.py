"""The timing sink: journey-stage events into SQL, idempotent by (workflow id, sequence),
sealed with the archive key where the worker has it (kept unsealed with another: `records
verify` names them inserted)."""

from __future__ import annotations

from temporalio import activity

from activities.metrics import observe_timing_events
from journey import contracts
from journey.contracts import RecordTimingInput, RecordTimingResult
from journey.settings import Settings
from store.seal_key import sealing_key
from store.sealed_records import STAGED
from store.timing import record_new_events


class TimingActivities:
    def __init__(self, settings: Settings) -> None:
        self._url, self._key = settings.db_url, settings.archive_seal_key
        self._sealing: tuple[bytes | None] | None = None  # the key to seal with, once confirmed

    @activity.defn(name=contracts.RECORD_TIMING)
    def record_timing_events(self, request: RecordTimingInput) -> RecordTimingResult:
        fresh = record_new_events(self._url, request.events, self._sealing_key())
        observe_timing_events(fresh)  # only the new ones: a retried batch counts once
        return RecordTimingResult(inserted=len(fresh))

    def _sealing_key(self) -> bytes | None:
        """The worker's key when the stage events were sealed with it (or none yet), else
        None: confirmed once per worker, not on every batch of the hot path (a wrong key's
        check reads the whole chain)."""
        if self._sealing is None:
            self._sealing = (sealing_key(self._url, self._key, STAGED),)
        return self._sealing[0]
