"""What a repayment refused at delivery, money received and not booked, needs: its steps."""

from __future__ import annotations

from journey.decisions import Repayment
from journey.repayment import money
from journey.settings import Settings
from journey.status import JourneyStatus
from starter.errors import Ended, NotFound, Refused
from starter.sentences import sentence
from starter.unbooked_steps import booking, on_its_loan
from store.pending import Instruction


def unbooked(kept: Instruction, err: Refused | NotFound, loan: JourneyStatus | None,
             settings: Settings) -> str:
    """What a repayment refused at delivery (`err`) needs: money was received and is not
    booked; the steps that settle it, and only those: booked on the loan it pays, where its
    journey has ended or never was; booked on its journey, of status `loan` (None: not read),
    as that journey takes it (starter/unbooked_steps.py); or returned to the payer (`pending
    return`)."""
    paid = Repayment.model_validate_json(kept.request)
    wid, gone = kept.workflow_id, isinstance(err, (Ended, NotFound))
    steps = [f"if it pays another loan, book it there (`loan-journey repay <journey> "
             f"{booking(paid, paid.paid_on)}`)"] if gone else []
    if loan is not None:
        steps += on_its_loan(loan, paid, kept.typed_at, settings)
    # it goes back to the account it came from where the payment named one (not written
    # out: this is logged; starter/payer_account.py)
    back_to = ("<the account it came from, as pending list shows it>" if paid.from_account
               else "<the payer's>")
    steps.append(f"return it to the payer, entered by one operations person and confirmed by "
                 f"a second (`loan-journey pending return {kept.id} --as <operations> --reason "
                 f"... --reference <the return's> --to-account {back_to}`)")
    shown = "`loan-journey pending list`" + ("" if isinstance(err, NotFound) else
                                             f" and `loan-journey status {wid}`")
    return (f"{sentence(str(err))} NOT BOOKED: {money(paid.amount)} received under "
            f"{paid.reference} needs action: {'; or '.join(steps)}. {shown} show it until then")
