"""What the journey database and the document store keep of a person beside the histories,
for `subject` (starter/subject.py):
- the pending instructions (store/pending.py): acts typed while no worker answered, kept
  until a journey takes them; a signature's signatory and a feedback's comment are set aside
  beside the document store until then (store/pending_aside.py), a repayment's payer's
  account is in the kept request itself, and stays there once delivered;
- the money going back to payers: refunds and returns entered and awaiting their checker or
  cancelled (`payer_outflows`, the account it goes to and the one the payment came from), and
  those paid (`payer_refunds`, `payer_returns`), each to the payer's account.
One read of each table; the acts compared as in a history (starter/subject_acts.py)."""

from __future__ import annotations

import json

from journey.settings import Settings
from starter.pending_request import ASIDE, whole
from starter.subject_acts import ACTS, in_act
from starter.subject_match import Held, Sought
from store.payer_outflows import OutflowState, outflows
from store.payer_returns import refunds, returns
from store.pending import instructions
from store.pending_aside import AsideMissing

Kept = list[tuple[str, Held]]  # by journey


async def in_store(settings: Settings, sought: Sought, full: bool = False) -> Kept:
    """Every pending instruction and every money-back row that holds the person."""
    kept = instructions(settings.db_url, every=True)
    held: Kept = []
    for instruction in kept:
        if instruction.update not in ACTS:
            continue
        aside = bool(json.loads(instruction.request).get(ASIDE))
        try:
            typed = await whole(settings, instruction, ACTS[instruction.update])
        except AsideMissing:  # settled: what was set aside is in the journey's history alone
            continue
        found = in_act(sought, instruction.update, typed.model_dump(mode="json"),
                       instruction.typed_at, full)
        if found is not None:
            beside = ", set aside beside the document store" if aside else ""
            held.append((instruction.workflow_id, Held(
                where="pending_instructions", **found.model_dump(),
                source=f"instruction {instruction.id}, {instruction.state}{beside}")))
    return held + _money_back(settings.db_url, sought, full, {
        i.id: json.loads(i.request).get("reference", "-") for i in kept if i.id is not None})


def _money_back(url: str, sought: Sought, full: bool, references: dict[int, str]) -> Kept:
    """The refunds and returns to the person's account: entered and not paid, and paid."""
    if sought.kind != "account":
        return []
    held: Kept = []

    def account(number: str | None) -> bool:
        return number is not None and sought.equals(number)

    for e in outflows(url, states=[s for s in OutflowState if s is not OutflowState.CONFIRMED]):
        paid = e.source_payment or e.payment or references.get(e.instruction_id or 0, "-")
        for number, what in ((e.account, "goes to"), (e.source_account, "came from")):
            if account(number):
                held.append((e.workflow_id, Held(
                    where="payer_outflows", field="payer_account",
                    about=f"payer of repayment {paid}", source=f"entry {e.id}, {e.state}",
                    value=f"account {sought.shown(number or '', full)}: the {e.kind} of "
                          f"{e.amount:,.2f} under {e.reference} {what} it")))
    for r in refunds(url):
        if account(r.account):
            held.append((r.workflow_id, Held(
                where="payer_refunds", field="payer_account",
                about=f"payer of repayment {r.payment}", source=f"refund {r.reference}",
                value=f"account {sought.shown(r.account, full)}: refunded {r.amount:,.2f}")))
    for number, back in returns(url, references).items():
        if account(back.account):
            held.append((back.workflow_id, Held(
                where="payer_returns", field="payer_account",
                about=f"payer of repayment {references[number]}",
                source=f"return {back.reference or '-'}",
                value=f"account {sought.shown(back.account or '', full)}: returned")))
    return held
