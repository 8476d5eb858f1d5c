"""Every booking of a payout, through one helper: `book`.

A loan's payout to the borrower (workflows/loan_journey.py), to its counterparties
(workflows/payee_instructions.py) and a project's drawdowns (workflows/drawdowns.py) book
through `book`. The ledger books each idempotency key once; a key it booked before with other
content fails the booking (journey/booking_conflicts.py). Since BOOKING_CONFLICT_HELD the
journey does not fail on it: it records why the payout is held, puts the case on operations'
queue, tells operations, and waits for their `resolve_booking_conflict`: the ledger's booking
taken as the payout (booked for this journey only), or the payout booked again under a new key,
asked by one operations person and confirmed by a second, neither the case's submitter (four
eyes: money goes out again).
"""

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from journey import contracts
    from journey.actors import Actor, Role
    from journey.booking_conflicts import (
        CONFLICT,
        BookingConflict,
        BookingResolution,
        HeldBooking,
        Settlement,
        again_refusal,
        take_refusal,
    )
    from journey.contracts import BookingInput
    from journey.decisions import UpdateResult
    from journey.entrusted_payment import OPERATIONS_TEAM
    from journey.policy import DecisionRefused
    from journey.policy.authority import authorize_booking_again, authorize_staff
    from journey.status import Disbursement
    from workflows.activity_options import BOOKING_RETRY, QUICK
    from workflows.post_loan_handlers import PostLoanHandlers

# workflow.patched marker: before it, a payout whose idempotency key the ledger had booked
# with other content failed the journey; since, the payout is held on operations' queue until
# they settle it. Taken at such a conflict only.
BOOKING_CONFLICT_HELD = "booking-conflict-held"
LEDGER = Actor(id="ledger", role=Role.SYSTEM)  # who records a payout held on a conflict


class Bookings(PostLoanHandlers):
    def _init_updates(self) -> None:
        super()._init_updates()
        self._held: list[HeldBooking] = []
        self._team_unheld: str | None = None  # the team the case was with before a hold

    async def book(self, request: BookingInput) -> Disbursement:
        """Book `request` once; on a conflict under its key (since BOOKING_CONFLICT_HELD),
        held until operations settle it: the ledger's booking, or the booking under a new
        key (held again should that conflict too)."""
        original, retries = request.idempotency_key, 0
        while True:
            try:
                return await workflow.execute_activity(
                    contracts.BOOK_DISBURSEMENT, request, result_type=Disbursement,
                    start_to_close_timeout=QUICK, retry_policy=BOOKING_RETRY)
            except ActivityError as err:
                conflict = _conflict(err)
                if conflict is None or not workflow.patched(BOOKING_CONFLICT_HELD):
                    raise
            held = HeldBooking(key=request.idempotency_key, original=original, retries=retries,
                               conflict=conflict, held_at=workflow.now())
            if (await self._hold(held)).settlement is Settlement.TAKE_BOOKED:
                return conflict.as_disbursement()
            request = request.model_copy(update={"idempotency_key": held.next_key()})
            retries += 1

    async def _hold(self, held: HeldBooking) -> BookingResolution:
        """Hold the payout on `held`'s conflict: recorded, on operations' queue, operations
        told; until they settle it (the case back on the queue it was on once nothing is
        held: an entrusted payout's counterparties may be held together)."""
        if not self._held:
            self._team_unheld = self._team
        self._held.append(held)
        self.record_decision(LEDGER, "payout held", held.why())
        self._team = OPERATIONS_TEAM
        self._upsert()
        await self._behind(self.notify(f"{self._workflow_id}:booking-held:{held.key}",
                                       OPERATIONS_TEAM, "payout_held", held.why()))
        await workflow.wait_condition(lambda: held.resolution is not None)
        self._held = [h for h in self._held if h is not held]
        if not self._held:
            self._team = self._team_unheld
            self._upsert()
        assert held.resolution is not None
        return held.resolution

    # -- operations settle it --------------------------------------------------------------

    @workflow.update
    async def resolve_booking_conflict(self, resolution: BookingResolution) -> UpdateResult:
        held = self._held_by(resolution.key)
        taken = resolution.settlement is Settlement.TAKE_BOOKED
        if not taken and held.again_asked is None:  # the first pair of eyes
            held.again_asked = resolution
            self.record_decision(resolution.actor, "booking again asked", (
                f"under key {held.next_key()!r}, for a second operations person to confirm: "
                f"{resolution.reason}"))
            return UpdateResult(stage=self._stage, message=(
                f"booking again under key {held.next_key()!r} waits for a second operations "
                "person to confirm it (`resolve-booking --book-again` by another)"))
        held.resolution = resolution
        asked = held.again_asked
        self.record_decision(resolution.actor, "booking conflict settled", (
            f"booking {held.conflict.booking_id} under key {held.key!r} taken as the payout"
            if taken else f"booked again under key {held.next_key()!r}, asked by "
            f"{asked.actor.id if asked else '-'}") + f": {resolution.reason}")
        await workflow.wait_condition(lambda: all(h is not held for h in self._held))
        return UpdateResult(stage=self._stage, message=(
            f"booking {held.conflict.booking_id} taken as the payout" if taken
            else f"booked again under key {held.next_key()!r}"))

    @resolve_booking_conflict.validator
    def _validate_resolve_booking(self, resolution: BookingResolution) -> None:
        held = self._held_by(resolution.key)
        authorize_staff(self.policy, resolution.actor, {Role.OPERATIONS}, needs=(
            "only operations settle a payout held on a ledger booking conflict"))
        if resolution.settlement is Settlement.BOOK_AGAIN:
            authorize_booking_again(self.policy, resolution.actor,
                                    self._application.submitted_by.id)
        refusal = (take_refusal(held, self._workflow_id)
                   if resolution.settlement is Settlement.TAKE_BOOKED
                   else again_refusal(held, resolution.actor))
        if refusal is not None:
            raise DecisionRefused(refusal)

    def _held_by(self, key: str | None) -> HeldBooking:
        """The held booking under `key` (None: the only one held), or DecisionRefused."""
        open_ = [h for h in self._held if h.resolution is None]
        if not open_:
            raise DecisionRefused("no payout of this journey is held on a booking conflict: "
                                  "nothing to settle")
        found = [h for h in open_ if key in (None, h.key)]
        if len(found) == 1:
            return found[0]
        keys = ", ".join(h.key for h in open_)
        raise DecisionRefused(f"no held booking under key {key!r}: held are {keys}" if key
                              else f"several payouts are held ({keys}): name one with --key")

    def held_payout(self) -> str | None:
        held = [h for h in self._held if h.resolution is None]
        return held[0].why() if held else None

    def _awaited_step(self) -> str | None:
        if held := [h for h in self._held if h.resolution is None]:
            if (asked := held[0].again_asked) is not None:
                return (f"a second operations person to confirm booking again (key "
                        f"{held[0].key}, asked by {asked.actor.id})")
            return f"a payout held on a ledger booking conflict (key {held[0].key})"
        return super()._awaited_step()

    def _waiting_for(self) -> list[str]:
        held = [f"operations: {h.why()}" + (
            f"; booking again asked by {h.again_asked.actor.id}, for another to confirm"
            if h.again_asked else "") for h in self._held if h.resolution is None]
        return held + super()._waiting_for()


def _conflict(err: ActivityError) -> BookingConflict | None:
    """The ledger's booking a booking conflicted with, or None for any other failure (and a
    conflict raised by a worker from before it carried the booking)."""
    cause = err.cause
    if not isinstance(cause, ApplicationError) or cause.type != CONFLICT or not cause.details:
        return None
    return BookingConflict.model_validate(cause.details[0])
