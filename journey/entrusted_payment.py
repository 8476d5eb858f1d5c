"""Entrusted payment (受托支付) of a fixed-asset or working-capital loan's payout.

Above the pinned policy's figure for its product (journey/policy/entrusted.py) the bank does
not pay the loan into the borrower's account: operations record a `PaymentInstruction`
before the disbursement, naming each counterparty of the borrower's commercial contracts
(the supplier, the contractor: its name, account and bank, the contract's reference and the
amount it is paid), and the ledger books the payout to them, one booking each. The
instruction pays the whole payout, never the borrower itself; it may name several
counterparties, each account once. Maker-checker: one operations person enters it, a second
confirms it by its number (`PaymentConfirmation`), and only then is it paid; neither may be
the case's submitter, and the maker may replace it until it is confirmed. A project's
drawdowns name their counterparty in the request (journey/drawdowns.py), with the same `Payee`
and the same borrower check; once one is approved, operations enter and confirm its
instruction the same way (`EntrustedPayout.drawdown`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, Field, computed_field

from journey.actors import Actor
from journey.application import LoanApplication
from journey.bank_accounts import account_refusal
from journey.drawdowns import Payee, borrower_as_payee
from journey.policy.calendar import moment_at
from journey.policy.entrusted import OPERATIONS_TEAM as OPERATIONS_TEAM  # its work list
from journey.repayment import money


class Counterparty(Payee):
    """One payee of an entrusted payout and what it is paid under."""

    bank: str = Field(min_length=2, max_length=200)  # where its account is kept (开户行)
    contract: str = Field(min_length=1, max_length=64)  # the commercial contract's reference
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2)


class BookedCounterparty(Counterparty):
    """A counterparty once the ledger booked its payment."""

    booking_id: str


class PaymentInstruction(BaseModel):
    """Operations' instruction: to whom the bank pays the payout, and under which contract."""

    actor: Actor
    counterparties: list[Counterparty] = Field(min_length=1, max_length=20)

    @property
    def total(self) -> Decimal:
        return sum((c.amount for c in self.counterparties), Decimal("0.00"))


class PaymentConfirmation(BaseModel):
    """A second operations person's confirmation of the instruction numbered `instruction`,
    as `status` shows it: naming it, so that nobody confirms a replaced one unseen."""

    actor: Actor
    instruction: int = Field(ge=1)


class EntrustedPayout(BaseModel):
    """What status shows of an entrusted payout: the threshold it is above, the instruction
    entered and awaiting its confirmation (its number, who entered it, when), the instruction
    paid on once confirmed (and by whom), and a booking per counterparty once paid."""

    amount: Decimal
    over: Decimal
    drawdown: str | None = None  # a project's drawdown of this tranche, not the loan's payout
    # what the payout is paid on: confirmed (or, recorded before maker-checker, as entered)
    instruction: PaymentInstruction | None = None
    recorded_at: datetime | None = None  # when its maker entered it
    entered: int = 0  # instructions entered so far: the latest one's number
    awaiting: PaymentInstruction | None = None  # the latest, entered and not confirmed yet
    confirmed_by: Actor | None = None
    confirmed_at: datetime | None = None
    bookings: list[str] = Field(default_factory=list)  # booking ids, in counterparty order

    def enter(self, instruction: PaymentInstruction, at: datetime) -> None:
        """`instruction` entered by its maker at `at`: numbered, awaiting its confirmation
        (replacing an unconfirmed one)."""
        self.awaiting, self.recorded_at, self.entered = instruction, at, self.entered + 1

    def confirm(self, checker: Actor, at: datetime) -> PaymentInstruction:
        """The awaiting instruction confirmed by `checker`: the one the payout is paid on."""
        assert self.awaiting is not None, "an instruction awaits its confirmation"
        self.instruction, self.awaiting = self.awaiting, None
        self.confirmed_by, self.confirmed_at = checker, at
        return self.instruction

    @computed_field  # type: ignore[prop-decorator]
    @property
    def payments(self) -> list[BookedCounterparty]:
        """Each counterparty with the booking of its payment, once paid (status shows them)."""
        if self.instruction is None:
            return []
        return [BookedCounterparty.model_validate(c.model_dump() | {"booking_id": booking})
                for c, booking in zip(self.instruction.counterparties, self.bookings,
                                      strict=False)]

    def waiting_for(self, bank_utc_offset: int | None = None) -> str:
        """What the payout waits for; its moments on the bank's clock `bank_utc_offset`
        hours from UTC when given (status), else in UTC (as notices kept in histories say)."""
        if self.awaiting is not None:
            return (f"confirmation of payment instruction {self.entered}, entered by "
                    f"{self.awaiting.actor.id} at {at_clock(self.recorded_at, bank_utc_offset)}"
                    ", by a second "
                    "operations person (受托支付): `confirm-payees` with its number")
        if self.drawdown is not None:
            return (f"payment instruction from operations (受托支付) for drawdown "
                    f"{self.drawdown}: {money(self.amount)} is paid to the counterparty its "
                    "request names, once checked against the contract (`pay-to`)")
        return (f"payment instruction from operations (受托支付): {money(self.amount)} is "
                f"above {money(self.over)}, so the bank pays the borrower's counterparties, not "
                "the borrower")


def at_clock(at: datetime | None, bank_utc_offset: int | None) -> str:
    """`at` on the bank's clock `bank_utc_offset` hours from UTC ("2026-12-06 19:51
    (UTC+8)"); in UTC to the second without one, as texts kept in histories say it."""
    if at is None:
        return "-"
    return (moment_at(at, bank_utc_offset) if bank_utc_offset is not None
            else f"{at:%Y-%m-%d %H:%M:%S} UTC")


def instruction_refusal(instruction: PaymentInstruction, payout: Decimal,
                        borrower: LoanApplication) -> str | None:
    """Why `instruction` cannot pay `payout`: it names the borrower (`borrower_as_payee`),
    an account that is no bank account's number (`account_refusal`), names an account twice
    (accounts as `account_number` writes them), or its amounts do not add up to the
    payout."""
    accounts: dict[str, int] = {}
    for n, counterparty in enumerate(instruction.counterparties, start=1):
        if (refusal := borrower_as_payee(counterparty, borrower)) is not None:
            return f"{refusal}: the contract's supplier or contractor"
        if (wrong := account_refusal(counterparty.account)) is not None:
            return f"counterparty {n} ({counterparty.name}): {wrong}"
        if (first := accounts.setdefault(counterparty.account, n)) != n:
            # not the account itself: a refusal travels unencrypted (starter/codec.py)
            return (f"counterparties {first} and {n} name the same account: give each "
                    "counterparty once, with the whole amount it is paid")
    if instruction.total != payout:
        return (f"the instruction pays {money(instruction.total)}, the payout is "
                f"{money(payout)}: the counterparties' amounts must add up to the payout")
    return None


def paid_to(counterparties: Sequence[Counterparty]) -> str:
    """To whom an instruction pays, for people: name, account, bank, contract and amount,
    and the booking of each once paid (`EntrustedPayout.payments`)."""
    return "; ".join(
        f"{c.name} ({c.account}, {c.bank}, contract {c.contract}) {money(c.amount)}"
        + (f", booking {c.booking_id}" if isinstance(c, BookedCounterparty) else "")
        for c in counterparties)
