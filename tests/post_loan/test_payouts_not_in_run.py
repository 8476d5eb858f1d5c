"""What `status` tells of a payout the ledger holds and a run reset to before it records not
(starter/money_not_in_run.py): the borrower's payout is taken again by the signature alone;
an entrusted payout's (受托支付) bookings, one per counterparty keyed by its place in the
instruction, only by the instruction entered again as it was."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from journey.stages import Party, Stage
from journey.status import JourneyStatus
from starter.money_not_in_run import payouts_said
from store.ledger import Booking

JOURNEY = "loan-APP-RESET-1"
AT_OFFER = JourneyStatus(workflow_id=JOURNEY, application_id="APP-RESET-1", stage=Stage.OFFER,
                         attempt=1, waits_on=Party.CUSTOMER)


def booking(key: str, payee: str, amount: str) -> Booking:
    return Booking(booking_id=f"BK-{key[-1]}", key=key, workflow_id=JOURNEY,
                   amount=Decimal(amount), payee=payee, purpose="loan payout",
                   booked_at=datetime(2026, 12, 7, 2, 0, tzinfo=UTC), value_on=date(2026, 12, 7))


def test_the_borrowers_payout_is_taken_again_by_the_signature() -> None:
    told = payouts_said(AT_OFFER, [booking(f"{JOURNEY}:disbursement", "华东精密", "5000000")])
    assert told[-1].endswith("sent again, it takes the same booking, nothing is booked twice")


def test_an_entrusted_payout_is_taken_again_only_by_the_instruction_entered_as_it_was() -> None:
    told = payouts_said(AT_OFFER, [booking(f"{JOURNEY}:disbursement:1", "上海钢材", "3000000"),
                                   booking(f"{JOURNEY}:disbursement:2", "苏州模具", "2000000")])
    assert [line.split(":")[0] for line in told[:2]] == [
        f"the ledger holds payout BK-{n} of this journey" for n in (1, 2)]
    assert told[-1].endswith(
        "sent again, with its payment instruction entered again as it was (the counterparties "
        "and amounts above, in the same order), each payment takes its booking, nothing is "
        "booked twice; an instruction split otherwise is held on a booking conflict"), told[-1]
    assert "it takes the same booking" not in told[-1]
