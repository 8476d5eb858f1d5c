"""The feedback sink: customer feedback scores into SQL, idempotent by (workflow id, sequence)."""

from __future__ import annotations

from temporalio import activity

from journey.settings import Settings
from journey.touchpoints import (
    COUNT_LATE_TOUCHPOINTS,
    STORE_FEEDBACK,
    RecordFeedbackInput,
    RecordFeedbackResult,
)
from store.feedback import late_touchpoints_taken, record_feedback


class FeedbackActivities:
    def __init__(self, settings: Settings) -> None:
        self._url = settings.db_url

    @activity.defn(name=STORE_FEEDBACK)
    def store_feedback(self, request: RecordFeedbackInput) -> RecordFeedbackResult:
        return RecordFeedbackResult(inserted=record_feedback(self._url, request))

    @activity.defn(name=COUNT_LATE_TOUCHPOINTS)
    def count_late_touchpoints(self, workflow_id: str) -> int:
        return late_touchpoints_taken(self._url, workflow_id)
