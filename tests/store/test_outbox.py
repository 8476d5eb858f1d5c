from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from store.outbox import (
    CLAIM_LEASE,
    Dispatched,
    OutboxMessage,
    OutboxOnlySender,
    claim,
    dispatch,
    dispatch_all,
    enqueue,
    mark_sent,
    messages_for,
    pending,
    release,
)


def test_a_key_is_queued_once_and_sent_once(db_url: str) -> None:
    for expected in (True, False):
        queued_now = enqueue(
            db_url, "loan-1:supplement:1", "loan-1", "sms", "+8613800000000", "supplement", "P&L?"
        )
        assert queued_now is expected
    assert enqueue(db_url, "loan-1:offer:1", "loan-1", "email", "cfo@acme.cn", "offer", "...")

    queued = pending(db_url)
    assert [m.key for m in queued] == ["loan-1:supplement:1", "loan-1:offer:1"]
    assert queued[0].channel == "sms" and queued[0].created_at.tzinfo is not None

    assert mark_sent(db_url, queued[0].id) is True
    assert mark_sent(db_url, queued[0].id) is False
    assert [m.key for m in pending(db_url)] == ["loan-1:offer:1"]

    sender = OutboxOnlySender()
    assert dispatch(db_url, sender) == 1
    assert [m.key for m in sender.sent] == ["loan-1:offer:1"]
    assert pending(db_url) == [] and dispatch(db_url, sender) == 0
    assert all(m.sent_at is not None for m in messages_for(db_url, "loan-1"))


def test_an_unknown_channel_is_refused(db_url: str) -> None:
    with pytest.raises(ValueError, match="sms"):
        enqueue(db_url, "k", "loan-1", "fax", "x", "t", "b")  # type: ignore[arg-type]


def _queue(db_url: str, count: int) -> None:
    for n in range(count):
        assert enqueue(db_url, f"loan-1:n:{n}", "loan-1", "email", "ops-li", "offer", f"#{n}")


@dataclass
class Counting:
    """A sender that counts each message it is given. The first send of each of `passes`
    waits for the other passes' first send (a barrier), so that the passes surely overlap:
    without claims both would then have read, and sent, the same first message."""

    passes: int
    sends: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    barrier: threading.Barrier = field(init=False)
    waited: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.barrier = threading.Barrier(self.passes, timeout=30)

    def send(self, message: OutboxMessage) -> None:
        with self.lock:
            self.sends[message.key] += 1
            first = threading.get_ident() not in self.waited
            self.waited.add(threading.get_ident())
        if first:
            self.barrier.wait()


def test_two_notifiers_at_once_send_each_message_once(db_url: str) -> None:
    """Two passes on one database at the same time (two replicas of the notifier): each
    message is claimed by one and sent by it alone; the other is told it was elsewhere."""
    _queue(db_url, 12)
    sender = Counting(passes=2)
    with ThreadPoolExecutor(2) as pool:
        passes = list(pool.map(lambda by: dispatch_all(db_url, sender, page=5, by=by),
                               ["notifier-a", "notifier-b"]))
    assert sender.sends == Counter({f"loan-1:n:{n}": 1 for n in range(12)})
    assert sorted(m.id for p in passes for m in p.sent) == [m.id for m in
                                                           messages_for(db_url, "loan-1")]
    assert all(p.sent for p in passes)  # both sent some: the barrier made them overlap
    assert pending(db_url) == []


def test_a_claim_holds_until_its_lease_lapses(db_url: str) -> None:
    """A message another notifier claimed is not sent while its claim holds, and is sent by
    the next pass once that claim lapses (its notifier killed mid-send), or at once when it
    released it (held, with why)."""
    _queue(db_url, 3)
    first, second, third = pending(db_url)
    assert claim(db_url, first.id, "killed-mid-send", now=datetime.now(UTC) - CLAIM_LEASE * 2)
    assert claim(db_url, second.id, "sending-now")
    assert not claim(db_url, second.id, "another")  # one claim at a time
    assert claim(db_url, third.id, "held-it")
    assert release(db_url, third.id, "held-it") and not release(db_url, third.id, "held-it")

    sender = OutboxOnlySender()
    done = dispatch_all(db_url, sender, by="notifier-b")
    assert [m.key for m in sender.sent] == [first.key, third.key]
    assert [m.key for m in done.sent] == [first.key, third.key]
    assert [m.key for m in done.elsewhere] == [second.key]
    assert [m.key for m in pending(db_url)] == [second.key]
    assert not release(db_url, second.id, "notifier-b")  # not its claim to end

    assert mark_sent(db_url, second.id)  # its notifier finished
    assert not claim(db_url, second.id, "notifier-b")  # sent: never claimed again
    assert dispatch_all(db_url, sender, by="notifier-b") == Dispatched()


def test_a_message_held_is_released_for_the_next_pass(db_url: str) -> None:
    """A send that raises leaves its message pending and unclaimed: the next pass, of this
    notifier or another, tries it at once, not a lease later."""
    _queue(db_url, 1)

    class Refusing:
        def send(self, message: OutboxMessage) -> None:
            raise RuntimeError("the gateway answered 503")

    done = dispatch_all(db_url, Refusing(), by="notifier-a")
    assert [(m.key, why) for m, why in done.held] == [("loan-1:n:0", "the gateway answered 503")]
    sender = OutboxOnlySender()
    assert [m.key for m in dispatch_all(db_url, sender, by="notifier-b").sent] == ["loan-1:n:0"]
