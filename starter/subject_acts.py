"""What people's acts on a journey hold of a person, for `subject` (starter/subject.py): the
signatory of the offer (`sign`), the payer's account of a repayment (`record_repayment`), a
feedback's or complaint's comment (`record_feedback`, and the late feedback a
LateFeedbackWorkflow run keeps after the journey's end). The same for an act in a history and
one kept as a pending instruction (its signatory or comment set aside beside the document
store until it is delivered).

A signatory is compared by name; a payer's account by account (a repayment names no payer's
name, only the account the money came from); a comment is free text, looked in for any value.
The feedback's author is an actor id (the customer's credit code, its relationship manager's
staff id), no person's name, and is shown, not compared."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from journey.decisions import Repayment, Signature
from journey.touchpoints import Feedback, feedback_detail
from starter.subject_match import Sought

SIGN, REPAY, FEEDBACK = "sign", "record_repayment", "record_feedback"  # the updates
ACTS: dict[str, type[BaseModel]] = {SIGN: Signature, REPAY: Repayment, FEEDBACK: Feedback}


class InAct(BaseModel):
    """What one act holds of the person: its field, whose act it is, the value shown."""

    field: str  # "signatory", "payer_account", "comment"
    about: str  # "signatory of the offer", "payer of repayment R-1", "feedback of ..."
    value: str


def in_act(sought: Sought, update: str, fields: dict[str, Any], at: datetime | None,
           full: bool = False) -> InAct | None:
    """What the act `update` with `fields` (at `at`, when known) holds of the person; None
    when nothing, or it is no act that names people."""
    if update == SIGN:
        signed = Signature.model_validate(fields)
        if sought.kind == "name" and signed.signatory and sought.equals(signed.signatory):
            return InAct(field="signatory", about="signatory of the offer",
                         value=signed.signed_by())
    elif update == REPAY:
        paid = Repayment.model_validate(fields)
        if sought.kind == "account" and paid.from_account and sought.equals(paid.from_account):
            return InAct(field="payer_account", about=f"payer of {paid.kind} {paid.reference}",
                         value=f"account {sought.shown(paid.from_account, full)}, "
                               f"{paid.amount:,.2f}")
    elif update == FEEDBACK:
        said = Feedback.model_validate(fields)
        if said.comment and sought.within(said.comment):
            when = f" of {at:%Y-%m-%d %H:%M} UTC" if at is not None else ""
            return InAct(field="comment",
                         about=f"{'complaint' if said.complaint else 'feedback'}{when}",
                         value=f"{feedback_detail(said)}, by {said.actor.id} "
                               f"({said.actor.role}): {sought.shown(said.comment, full)}")
    return None
