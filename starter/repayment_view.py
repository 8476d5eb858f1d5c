"""The repayment plan, and what settling or prepaying a loan takes, in words for the
operator who records it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from rich.table import Table

from journey.availability_interest import Payoff
from journey.loan_account import ZERO, Account, Accrual
from journey.lpr import RateChange
from journey.repayment import money
from journey.status import JourneyStatus
from starter.offer_view import covenant_terms


def repricing_note(repricings: Sequence[RateChange]) -> str:
    """The repricings a quote applied that the journey has not reached yet, if any."""
    return "".join(f"\nQuoted as repriced on {c.on}, to the LPR fixings recorded now: rate "
                   f"{c.describe()}." for c in repricings)


def settlement_text(workflow_id: str, day: date, quote: Account, matured: bool,
                    repricings: Sequence[RateChange] = (), paid_ahead: Decimal = ZERO,
                    accrued: Accrual | None = None) -> str:
    """How to record what `quote` asks: a repayment once the plan has all fallen due
    (`matured`), else an early settlement (whose quote has brought every date to `day`),
    after the repricings it saw ahead of the journey (`repricings`); `paid_ahead`, the
    interest paid ahead today that the quote nets (`interest_paid_ahead`), named with what it
    gives back; `accrued`, the running period's interest to `day` and how it is counted."""
    parts = quote.owed_parts(paid_ahead, accrued)
    if matured:
        return (
            f"the whole plan of {workflow_id} has fallen due; on {day} "
            f"[bold]{money(quote.owed)}[/] clears it: {parts}, penalty interest accrued to that "
            "day.\n"
            f"Record it with `loan-journey repay {workflow_id} --amount {quote.owed} "
            "--reference <bank reference> --as <operations id>`."
        )
    return (
        f"settling {workflow_id} on {day} takes [bold]{money(quote.owed)}[/]: {parts}; "
        "instalments past due included, interest accrued to that day.\n"
        f"Record it with `loan-journey repay {workflow_id} --amount {quote.owed} "
        "--reference <bank reference> --as <operations id> --settle`."
        + repricing_note(repricings)
    )


def payoff_text(workflow_id: str, payoff: Payoff) -> str:
    """How to settle a project still drawing: withdraw the rest of its commitment, then
    settle at the quote (what the close leaves owed that day)."""
    return (
        f"settling {workflow_id} on {payoff.on} takes [bold]{money(payoff.total)}[/]: "
        f"{payoff.parts()}; interest and commitment fee accrued to that day. It is still "
        "drawing: withdraw the rest of its commitment first "
        f"(`loan-journey withdraw {workflow_id} --reason <why> --as <customer>`), then record "
        f"it with `loan-journey repay {workflow_id} --amount {payoff.total} "
        "--reference <bank reference> --as <operations id> --settle`."
    )


def prepayment_text(workflow_id: str, day: date, amount: Decimal, before: Account,
                    after: Account, shortens: bool = False,
                    repricings: Sequence[RateChange] = ()) -> str:
    ahead = before.principal_due_after(day) - after.principal_due_after(day)
    fee = after.fee_paid - before.fee_paid
    plan = (
        f"The plan ends on {after.ends_on()} (was {before.ends_on()}); the instalments before "
        f"keep their principal: next {after.next_instalment()}"
        if shortens else
        f"The instalments keep their dates and shrink: next {after.next_instalment()}"
    )
    return (
        f"prepaying {money(amount)} on {day} repays [bold]{money(ahead)}[/] of principal ahead "
        "of the plan, after what is due by then"
        + (f", and a prepayment fee of {money(fee)}" if fee else "")
        + f"; {money(after.principal_owed)} of principal is left. {plan} (was "
        f"{before.next_instalment()}).\n"
        f"Record it with `loan-journey repay {workflow_id} --amount {amount} "
        "--reference <bank reference> --as <operations id> --prepay"
        + (" --shorten`." if shortens else "`.") + repricing_note(repricings)
    )


def _plan_caption(s: JourneyStatus) -> str | None:
    if s.offer is None:
        return None
    caption = f"covenants: {covenant_terms(s.offer)}"
    if s.disbursement is None:
        caption += "\nindicative: the plan runs from the payout, and its dates move with it"
    starts = s.offer.starts_on
    unpaid = [i.number for i in s.offer.schedule if starts is not None and i.due_on < starts]
    if unpaid:
        which = (f"instalment {unpaid[0]}" if len(unpaid) == 1
                 else f"instalments {unpaid[0]}-{unpaid[-1]}")
        caption += (f"\n{which}: quarterly interest left unpaid while the project drew, past "
                    "due since their dates")
    first = next((i for i in s.offer.schedule if i.accrued_before > 0), None)
    if first is not None:
        quarterly = s.commitment is not None and s.commitment.interest_from is not None
        caption += (f"\ninstalment {first.number} includes {money(first.accrued_before)} of "
                    "interest the drawdowns earned "
                    + ("and commitment fee since the last quarterly interest date"
                       + ("" if unpaid else ", and any quarter left unpaid,") + " "
                       if quarterly else "")
                    + "before they closed")
    return caption


def plan_table(s: JourneyStatus) -> Table:
    """The plan as signed, or once the loan runs, as it stands after the payments recorded
    (prepayments shrink it, a settlement brings it forward), with the day each instalment
    was paid in full."""
    account = s.account
    table = Table("#", "due", "principal", "interest", "payment", "balance after",
                  title=f"repayment plan of {s.workflow_id}", caption=_plan_caption(s))
    if account is None:
        for i in s.offer.schedule if s.offer else []:
            table.add_row(str(i.number), str(i.due_on), money(i.principal), money(i.interest),
                          money(i.payment), money(i.balance_after))
        return table
    table.add_column("paid in full")
    signed = {i.number: i.due_on for i in s.offer.schedule} if s.offer else {}
    balance = sum((i.principal_planned for i in account.instalments), Decimal(0))
    for i in account.instalments:
        balance -= i.principal_planned
        was = signed.get(i.number, i.due_on)  # a settlement brings the due dates forward
        due = str(i.due_on) if was == i.due_on else f"{i.due_on} (signed {was})"
        table.add_row(str(i.number), due, money(i.principal_planned),
                      money(i.interest_due), money(i.principal_planned + i.interest_due),
                      money(balance), str(i.settled_on or "-"))
    return table
