"""Notification outbox: each message is queued at most once per key, then sent by a Sender."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Literal, Protocol

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from store._dialect import affected, insert_for, inserted
from store.db import ready
from store.models import OutboxRow

log = logging.getLogger(__name__)

OutboxChannel = Literal["sms", "email"]


class OutboxMessage(BaseModel):
    id: int
    key: str
    workflow_id: str
    channel: OutboxChannel
    recipient: str
    template: str
    body: str
    created_at: datetime
    sent_at: datetime | None = None


def _message(r: OutboxRow) -> OutboxMessage:
    return OutboxMessage.model_validate(r, from_attributes=True)


def enqueue(
    url: str,
    key: str,
    workflow_id: str,
    channel: OutboxChannel,
    recipient: str,
    template: str,
    body: str,
) -> bool:
    """Queue a message; False if a message with this key was queued before (nothing written)."""
    if channel not in ("sms", "email"):
        raise ValueError(f"outbox channel must be 'sms' or 'email', got {channel!r}")
    engine = ready(url)
    with Session(engine) as s, s.begin():
        stmt = (
            insert_for(engine, OutboxRow.__table__)
            .values(
                key=key,
                workflow_id=workflow_id,
                channel=channel,
                recipient=recipient,
                template=template,
                body=body,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        return inserted(s, stmt)


def pending(url: str, limit: int = 100) -> list[OutboxMessage]:
    """Messages not sent yet, oldest first."""
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(OutboxRow).where(OutboxRow.sent_at.is_(None)).order_by(OutboxRow.id).limit(limit)
        )
        return [_message(r) for r in rows]


def messages_for(url: str, workflow_id: str) -> list[OutboxMessage]:
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(OutboxRow).where(OutboxRow.workflow_id == workflow_id).order_by(OutboxRow.id)
        )
        return [_message(r) for r in rows]


def journeys_told(url: str, template: str) -> list[str]:
    """The journeys that queued a message of `template`, in the order they first did."""
    with Session(ready(url)) as s:
        rows = s.execute(select(OutboxRow.workflow_id).where(OutboxRow.template == template)
                         .group_by(OutboxRow.workflow_id).order_by(func.min(OutboxRow.id)))
        return [r[0] for r in rows]


def mark_sent(url: str, id: int) -> bool:
    """Mark a message sent; False if it was already sent or does not exist."""
    with Session(ready(url)) as s, s.begin():
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.id == id, OutboxRow.sent_at.is_(None))
            .values(sent_at=datetime.now(UTC))
        )
        return affected(s, stmt) == 1


class Sender(Protocol):
    """Delivers one message (SMS gateway, mail server). Raise to leave it pending."""

    def send(self, message: OutboxMessage) -> None: ...


class OutboxOnlySender:
    """The default: delivers nothing, only records what it would have sent."""

    def __init__(self) -> None:
        self.sent: list[OutboxMessage] = []

    def send(self, message: OutboxMessage) -> None:
        log.info("outbox only: %s to %s (%s)", message.template, message.recipient, message.key)
        self.sent.append(message)


def dispatch(url: str, sender: Sender | None = None, limit: int = 100) -> int:
    """Send pending messages with `sender` and mark each sent; return how many were sent."""
    sender = sender or OutboxOnlySender()
    sent = 0
    for message in pending(url, limit):
        sender.send(message)
        sent += mark_sent(url, message.id)
    return sent
