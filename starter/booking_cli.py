"""`loan-journey resolve-booking ...`: operations settle a payout the journey holds because
the ledger already booked its idempotency key with other content (journey/booking_conflicts.py).

    loan-journey resolve-booking loan-APP-DEMO-001 --take-booked \\
        --reason "booking 5f0c... is this payout, entered by hand on the core system" --as ops-wang

    loan-journey resolve-booking loan-APP-DEMO-001 --book-again \\
        --reason "the key's booking is the loan before its reset and amendment" --as ops-wang

`--take-booked` takes the ledger's booking as the payout (only one booked for this journey);
`--book-again` books the payout under a new key (`<key>:retry-<n>`). `--key` names the held
booking when several are (an entrusted payout's counterparties). A refusal exits 3 with the
reason.
"""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from journey.actors import Actor, Role
from journey.booking_conflicts import BookingResolution, Settlement
from starter.attempts import acting
from starter.errors import plain_errors
from starter.journey_cli import As, JourneyId, Reason, RoleOpt, send_update


@acting("resolve_booking_conflict")
def resolve_booking(
    workflow_id: JourneyId,
    take: Annotated[bool, typer.Option(
        "--take-booked/--book-again",
        help="the ledger's booking is this payout, or book the payout under a new key")],
    reason: Reason,
    actor: As,
    key: Annotated[str | None, typer.Option(
        help="the held booking's idempotency key, when several are held (`status` shows "
             "them)")] = None,
    role: RoleOpt = Role.OPERATIONS,
) -> None:
    """Operations settle a payout held on a ledger booking conflict: the journey then goes
    on with the booking taken, or booked again once."""
    try:
        resolution = BookingResolution(
            actor=Actor(id=actor, role=role), reason=reason, key=key,
            settlement=Settlement.TAKE_BOOKED if take else Settlement.BOOK_AGAIN)
    except ValidationError as err:
        raise typer.BadParameter(plain_errors(err)) from None
    send_update(workflow_id, "resolve_booking_conflict", resolution)


def register(app: typer.Typer) -> None:
    app.command("resolve-booking")(resolve_booking)
