"""Notification outbox: each message is queued at most once per key, then sent by a Sender.

With the archive key, each is sealed as it is queued, next in the outbox's chain
(store/seals.py), over what it says to whom: a notice's text, recipient or template changed,
or one inserted or deleted, in the database is reported (`loan-journey records verify`). When
it was sent is not sealed: sending sets it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

from pydantic import BaseModel
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from store._dialect import affected
from store.db import ready
from store.models import OutboxRow
from store.seals import add_sealed, sealing

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


def facts(row: OutboxRow) -> list[object]:
    """What a notice's seal covers: the whole row but when it was sent (which sending sets)
    and the seal."""
    return [row.id, row.key, row.workflow_id, row.channel, row.recipient, row.template,
            row.body, row.created_at.astimezone(UTC).isoformat()]


def enqueue(
    url: str,
    key: str,
    workflow_id: str,
    channel: OutboxChannel,
    recipient: str,
    template: str,
    body: str,
    seal_key: bytes | None = None,
) -> bool:
    """Queue a message, sealed with `seal_key` when given, next in the outbox's chain
    (store/seals.py); False if a message with this key was queued before (nothing written)."""
    if channel not in ("sms", "email"):
        raise ValueError(f"outbox channel must be 'sms' or 'email', got {channel!r}")
    with sealing(url, OutboxRow.__tablename__) as s:  # one writer at a time: queued once
        if s.scalars(select(OutboxRow.id).where(OutboxRow.key == key)).first() is not None:
            return False
        add_sealed(s, seal_key, OutboxRow(
            key=key, workflow_id=workflow_id, channel=channel, recipient=recipient,
            template=template, body=body, created_at=datetime.now(UTC)), facts,
            [OutboxRow.seal])
        return True


def pending(url: str, limit: int = 100, after: int = 0) -> list[OutboxMessage]:
    """Messages not sent yet, oldest first; those numbered above `after` (the next page)."""
    with Session(ready(url)) as s:
        rows = s.scalars(
            select(OutboxRow).where(OutboxRow.sent_at.is_(None), OutboxRow.id > after)
            .order_by(OutboxRow.id).limit(limit)
        )
        return [_message(r) for r in rows]


def backlog(url: str) -> tuple[int, datetime | None]:
    """How many messages are not sent yet, and when the oldest of them was queued (None when
    none is): what the notifier's gauges show, so that a pile-up pages someone."""
    with Session(ready(url)) as s:
        count, oldest = s.execute(select(func.count(OutboxRow.id), func.min(OutboxRow.created_at))
                                  .where(OutboxRow.sent_at.is_(None))).one()
        return count, oldest  # min() keeps the column's type: aware UTC on either database


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


@dataclass
class Dispatched:
    """One pass over the outbox: the messages sent, and those left pending with why."""

    sent: list[OutboxMessage] = field(default_factory=list)
    held: list[tuple[OutboxMessage, str]] = field(default_factory=list)


def dispatch_all(url: str, sender: Sender, page: int = 100) -> Dispatched:
    """Send every pending message with `sender`, oldest first, a page at a time, and mark
    each sent. A message whose send raises stays pending, kept with the error's text, and the
    pass goes on: one customer without an address, or a gateway refusing one, holds up no
    other; and the pages go past the held ones, so that a hundred of them never stop newer
    messages from going out."""
    done, after = Dispatched(), 0
    while batch := pending(url, page, after):
        for message in batch:
            try:
                sender.send(message)
            except Exception as err:  # the sender's to say; never the pass's end
                done.held.append((message, str(err) or type(err).__name__))
                continue
            if mark_sent(url, message.id):
                done.sent.append(message)
        after = batch[-1].id
    return done


def dispatch(url: str, sender: Sender | None = None, limit: int = 100) -> int:
    """Send pending messages with `sender` and mark each sent; return how many were sent.
    One whose send raises stays pending; the others are sent all the same."""
    sender = sender or OutboxOnlySender()
    sent = 0
    for message in pending(url, limit):
        try:
            sender.send(message)
        except Exception:
            log.warning("outbox: %s left pending", message.key, exc_info=True)
            continue
        sent += mark_sent(url, message.id)
    return sent
