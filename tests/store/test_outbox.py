from __future__ import annotations

import pytest

from store.outbox import OutboxOnlySender, dispatch, enqueue, mark_sent, messages_for, pending


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
