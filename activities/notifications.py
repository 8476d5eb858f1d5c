"""Notifications go to the outbox, keyed so the same message is never queued twice, sealed
with the archive key where the worker has it."""

from __future__ import annotations

from temporalio import activity

from journey import contracts
from journey.contracts import NotifyInput, NotifyResult
from journey.settings import Settings
from store.outbox import enqueue
from store.seal_key import sealing_key
from store.sealed_records import NOTIFIED


class NotificationActivities:
    def __init__(self, settings: Settings) -> None:
        self._url, self._key = settings.db_url, settings.archive_seal_key

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
            sealing_key(self._url, self._key, NOTIFIED),
        )
        return NotifyResult(queued=queued)
