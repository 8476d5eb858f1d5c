from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import text

from store.db import engine_for
from store.ledger import IdempotencyConflictError, book, bookings_for


def _count(url: str) -> int:
    with engine_for(url).connect() as c:
        return c.execute(text("select count(*) from ledger_bookings")).scalar_one()


def test_the_same_key_books_exactly_once(db_url: str) -> None:
    amount = Decimal("12345678901234.56")  # more digits than a float keeps
    first = book(db_url, "loan-1:disburse:1", "loan-1", amount, "ACME Ltd", "drawdown 1")
    second = book(db_url, "loan-1:disburse:1", "loan-1", amount, "ACME Ltd", "drawdown 1")

    assert not first.was_duplicate and second.was_duplicate
    assert second.booking_id == first.booking_id and second.booked_at == first.booked_at
    assert first.amount == amount and isinstance(first.amount, Decimal)
    assert first.booked_at.tzinfo is not None
    assert _count(db_url) == 1
    assert [b.booking_id for b in bookings_for(db_url, "loan-1")] == [first.booking_id]
    assert bookings_for(db_url, "loan-1")[0].amount == amount


def test_different_keys_book_separately(db_url: str) -> None:
    a = book(db_url, "k1", "loan-1", Decimal("100"), "ACME", "drawdown 1")
    b = book(db_url, "k2", "loan-1", Decimal("50.5"), "ACME", "drawdown 2")
    assert a.booking_id != b.booking_id
    amounts = [x.amount for x in bookings_for(db_url, "loan-1")]
    assert amounts == [Decimal("100.00"), Decimal("50.50")]


def test_a_reused_key_with_another_amount_is_refused(db_url: str) -> None:
    book(db_url, "k1", "loan-1", Decimal("100"), "ACME", "drawdown 1")
    with pytest.raises(IdempotencyConflictError, match="k1"):
        book(db_url, "k1", "loan-1", Decimal("999"), "ACME", "drawdown 1")
    assert _count(db_url) == 1


def test_a_non_positive_amount_is_refused(db_url: str) -> None:
    with pytest.raises(ValueError, match="positive"):
        book(db_url, "k0", "loan-1", Decimal("0"), "ACME", "drawdown")


def test_a_conflict_names_the_booking_and_what_differs(db_url: str) -> None:
    """What operations settle a held payout on (journey/booking_conflicts.py): the ledger's
    booking under the key, and each field of it that differs, its account among them."""
    first = book(db_url, "k1", "loan-1", Decimal("100"), "ACME", "payout", account="6222001",
                 bank="ICBC")
    with pytest.raises(IdempotencyConflictError) as err:
        book(db_url, "k1", "loan-1", Decimal("100"), "ACME", "payout", account="6222002",
             bank="ICBC")
    assert err.value.booked.booking_id == first.booking_id
    assert err.value.differs == ["account 6222001, not 6222002"]
    with pytest.raises(IdempotencyConflictError) as err:
        book(db_url, "k1", "loan-2", Decimal("99"), "ACME", "payout", account="6222001",
             bank="ICBC")
    assert err.value.differs == ["journey loan-1, not loan-2", "amount 100.00, not 99.00"]
    assert f"booking {first.booking_id}" in str(err.value)
    assert _count(db_url) == 1


def test_a_booking_kept_before_accounts_conflicts_on_its_figures_alone(db_url: str) -> None:
    """A row booked before accounts were kept names none: the same payout into an account
    now is the same booking, as it was."""
    first = book(db_url, "k1", "loan-1", Decimal("100"), "ACME", "payout")
    again = book(db_url, "k1", "loan-1", Decimal("100"), "ACME", "payout", account="6222001",
                 bank="ICBC")
    assert again.was_duplicate and again.booking_id == first.booking_id
