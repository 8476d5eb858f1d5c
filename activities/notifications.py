"""Notifications go to the outbox, keyed so the same message is never queued twice."""

from __future__ import annotations

from temporalio import activity

from journey import contracts
from journey.contracts import NotifyInput, NotifyResult
from journey.settings import Settings
from store.outbox import enqueue


class NotificationActivities:
    def __init__(self, settings: Settings) -> None:
        self._url = settings.db_url

    @activity.defn(name=contracts.NOTIFY)
    def notify(self, request: NotifyInput) -> NotifyResult:
        queued = enqueue(
            self._url,
            request.key,
            request.workflow_id,
            request.channel,
            request.recipient,
            request.template,
            request.body,
        )
        return NotifyResult(queued=queued)
