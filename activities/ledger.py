"""The core-banking adapter: book a disbursement exactly once per idempotency key, sealed
with the archive key where the worker has it (kept unsealed with another: `records verify`
names it inserted). A key booked before with other content fails non-retryable, the ledger's
booking in its details (journey/booking_conflicts.py): the journey holds the payout on it."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from journey import contracts
from journey.booking_conflicts import CONFLICT, BookingConflict
from journey.contracts import BookingInput
from journey.settings import Settings
from journey.status import Disbursement
from store.ledger import IdempotencyConflictError, book
from store.seal_key import sealing_key
from store.sealed_records import BOOKED


class LedgerActivities:
    def __init__(self, settings: Settings) -> None:
        self._url, self._key = settings.db_url, settings.archive_seal_key

    @activity.defn(name=contracts.BOOK_DISBURSEMENT)
    def book_disbursement(self, request: BookingInput) -> Disbursement:
        try:
            booking = book(
                self._url,
                request.idempotency_key,
                request.workflow_id,
                request.amount,
                request.payee,
                request.purpose,
                sealing_key(self._url, self._key, BOOKED),
                request.value_on,
                request.account,
                request.bank,
            )
        except IdempotencyConflictError as err:
            booked = err.booked
            raise ApplicationError(  # the booking in its details: the journey holds on it
                str(err), BookingConflict(
                    key=booked.key, booking_id=booked.booking_id,
                    workflow_id=booked.workflow_id, amount=booked.amount, payee=booked.payee,
                    booked_at=booked.booked_at, value_on=booked.value_on,
                    account=booked.account, bank=booked.bank, differs=err.differs),
                type=CONFLICT, non_retryable=True,
            ) from err
        return Disbursement(
            booking_id=booking.booking_id,
            amount=booking.amount,
            payee=booking.payee,
            booked_at=booking.booked_at,
            value_on=booking.value_on,
            account=booking.account,
            bank=booking.bank,
        )
