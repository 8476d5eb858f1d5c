"""Notification outbox: each message is queued at most once per key, then sent by a Sender.

With the archive key, each is sealed as it is queued, next in the outbox's chain
(store/seals.py), over what it says to whom: a notice's text, recipient or template changed,
or one inserted or deleted, in the database is reported (`loan-journey records verify`). When
it was sent is not sealed: sending sets it.

Notifiers claim each message before they send it (`claim`): two of them on one database (the
compose service scaled to two, or an old one still running through a deploy) never send one
message both at once. A claim lapses (`CLAIM_LEASE`), so that a notifier killed mid-send
holds up its message only until then: another sends it again (at least once; the SMS
gateway's key and the mail's Message-ID let them drop the repeat).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from store._dialect import affected
from store.db import ready
from store.models import OutboxRow
from store.seals import add_sealed, sealing

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=5)
"""How long a notifier's claim on a message holds. Longer than one send can take (each of
the mail server's or the gateway's steps times out after 30 s, starter/notifier.py, and a
send is a few: connect, TLS, login, data; a number each for a team's SMS), so that a live
notifier's claim never lapses while it sends and another sends the message too; short enough
that a message whose notifier was killed mid-send waits minutes, not hours, for another."""

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
    """Mark a message sent, its claim (if any) ended; False if it was already sent or does
    not exist. Whoever holds the claim: a message sent is sent, even by a notifier whose claim
    lapsed mid-send."""
    with Session(ready(url)) as s, s.begin():
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.id == id, OutboxRow.sent_at.is_(None))
            .values(sent_at=datetime.now(UTC), claimed_by=None, claimed_until=None)
        )
        return affected(s, stmt) == 1


def notifier_id() -> str:
    """This notifier's name in its claims: the host (a container's id under compose), the
    process, and a part of its own, so that a notifier restarted in its container (pid 1
    again) is not taken for the one before it."""
    return f"{socket.gethostname()} pid {os.getpid()} {uuid.uuid4().hex[:8]}"


def claim(url: str, id: int, by: str, lease: timedelta = CLAIM_LEASE,
          now: datetime | None = None) -> bool:
    """Claim a message for notifier `by` until `lease` from `now`: True when it is now this
    notifier's to send; False when it is sent, gone, or another's claim on it holds.

    One conditional UPDATE, where the message is not sent and unclaimed or its claim has
    lapsed: the database lets one of two notifiers racing for it change the row, and its
    rowcount says which (no SELECT ... FOR UPDATE, which SQLite has not)."""
    now = now or datetime.now(UTC)
    with Session(ready(url)) as s, s.begin():
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.id == id, OutboxRow.sent_at.is_(None),
                   or_(OutboxRow.claimed_until.is_(None), OutboxRow.claimed_until < now))
            .values(claimed_by=by, claimed_until=now + lease)
        )
        return affected(s, stmt) == 1


def release(url: str, id: int, by: str) -> bool:
    """End notifier `by`'s claim on a message it could not send, so that the next pass (any
    notifier's) tries it again without waiting out the lease; False if the claim is no longer
    its own (it lapsed and another took it) or the message was sent."""
    with Session(ready(url)) as s, s.begin():
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.id == id, OutboxRow.sent_at.is_(None),
                   OutboxRow.claimed_by == by)
            .values(claimed_by=None, claimed_until=None)
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
    """One pass over the outbox: the messages sent, those left pending with why, and those
    another notifier was sending (its claim on them held)."""

    sent: list[OutboxMessage] = field(default_factory=list)
    held: list[tuple[OutboxMessage, str]] = field(default_factory=list)
    elsewhere: list[OutboxMessage] = field(default_factory=list)


def dispatch_all(url: str, sender: Sender, page: int = 100, by: str | None = None,
                 lease: timedelta = CLAIM_LEASE) -> Dispatched:
    """Send every pending message with `sender`, oldest first, a page at a time, and mark
    each sent. Each is claimed for notifier `by` (a name of its own when not given) just
    before its send, never a page ahead (a page's sends could outlast the lease): one another
    notifier holds is left to it. A message whose send raises stays pending, kept with the
    error's text, its claim released, and the pass goes on: one customer without an address,
    or a gateway refusing one, holds up no other; and the pages go past the held ones, so
    that a hundred of them never stop newer messages from going out."""
    by = by or notifier_id()
    done, after = Dispatched(), 0
    while batch := pending(url, page, after):
        for message in batch:
            if not claim(url, message.id, by, lease):
                done.elsewhere.append(message)
                continue
            try:
                sender.send(message)
            except Exception as err:  # the sender's to say; never the pass's end
                release(url, message.id, by)
                done.held.append((message, str(err) or type(err).__name__))
                continue
            if mark_sent(url, message.id):
                done.sent.append(message)
        after = batch[-1].id
    return done


def dispatch(url: str, sender: Sender | None = None, limit: int = 100) -> int:
    """Send pending messages with `sender` and mark each sent; return how many were sent.
    One whose send raises stays pending; the others are sent all the same. Each is claimed
    first, as `dispatch_all` does."""
    sender, by = sender or OutboxOnlySender(), notifier_id()
    sent = 0
    for message in pending(url, limit):
        if not claim(url, message.id, by):
            continue
        try:
            sender.send(message)
        except Exception:
            release(url, message.id, by)
            log.warning("outbox: %s left pending", message.key, exc_info=True)
            continue
        sent += mark_sent(url, message.id)
    return sent
