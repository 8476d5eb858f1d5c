"""A journey's notices to its customer, for auditors: every message the journey queued in
the journey database's outbox (activities/notifications.py), and whether and when it was
sent (`sent_at`, set by the bank's sender as it delivers it: store/outbox.py), on the bank's
clock. Read from the database alone: no server, no worker, also for a journey long ended."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pydantic import BaseModel

from journey.settings import Settings
from starter.bank_clock import bank_offset
from store.outbox import OutboxMessage, messages_for


class Notice(BaseModel):
    number: int  # the outbox row's
    kind: str  # its template: supplements_requested, application_declined, ...
    key: str  # what it is queued once under
    channel: str  # sms, email
    recipient: str
    queued_at: datetime  # on the bank's clock
    sent_at: datetime | None  # None: due, not sent yet
    text: str


def notices(settings: Settings, workflow_id: str) -> list[Notice]:
    """Every notice `workflow_id` queued for its customer, oldest first, its moments on the
    bank's clock."""
    zone = timezone(timedelta(hours=bank_offset()))
    return [_notice(m, zone) for m in messages_for(settings.db_url, workflow_id)]


def _notice(m: OutboxMessage, zone: timezone) -> Notice:
    return Notice(number=m.id, kind=m.template, key=m.key, channel=m.channel,
                  recipient=m.recipient, queued_at=m.created_at.astimezone(zone),
                  sent_at=m.sent_at.astimezone(zone) if m.sent_at else None, text=m.body)
