"""The loan book's sections after its loans (starter/render.py `book_table`): the undrawn
commitments of the projects still drawing, and the money received and not booked."""

from __future__ import annotations

from decimal import Decimal

from rich.markup import escape
from rich.table import Table

from journey.undrawn_commitments import CommitmentLine, commitments_total
from starter.pending_return import ReceivedMoney
from starter.render import money_or_dash


def commitments_table(lines: list[CommitmentLine]) -> Table:
    """Each facility still drawing: committed, drawn, undrawn, until when, the commitment fee
    accrued since its last quarter and what was paid ahead; the totals under them, each
    figure counted once in the book: one that drew has its fee and paid ahead in the loans'
    totals, marked so, not in these."""
    total = commitments_total(lines)
    caption = (f"{len(lines):,} projects still drawing; what they drew is lent, in the loans "
               "above too; the fee accrued since the last quarterly interest date, not yet "
               "charged; the fee and paid ahead of a project that drew are in its loan line "
               "(\"in loans\": in the loans' interest accrued and paid ahead totals, not in "
               "these)" if lines else "no project is drawing")
    table = Table(title="undrawn commitments (signed facilities, drawdowns open)",
                  caption=caption, show_footer=bool(lines))
    table.add_column("journey", no_wrap=True, footer=f"total, {len(lines):,} facilities")
    for name, footer in (("commitment", total.commitment), ("drawn", total.drawn),
                         ("undrawn", total.undrawn), ("available until", None),
                         ("commitment fee accrued", total.fee_accrued),
                         ("paid ahead", total.paid_ahead)):
        table.add_column(name, justify="left" if footer is None else "right",
                         footer="" if footer is None else f"{footer:,}")
    for c in lines:
        table.add_row(c.workflow_id, f"{c.commitment:,}", f"{c.drawn:,}", f"{c.undrawn:,}",
                      str(c.available_until), _counted(c.fee_accrued, c.lent),
                      _counted(c.paid_ahead or None, c.lent))
    return table


def _counted(amount: Decimal | None, lent: bool) -> str:
    """A facility's figure, marked when the loans' total counts it, not this table's."""
    shown = money_or_dash(amount)
    return f"{shown} in loans" if lent and amount is not None else shown


def unbooked_table(money: list[ReceivedMoney]) -> Table:
    """Money received, refused at delivery and neither booked nor returned yet, oldest first,
    with its total: what operations must book under its reference or return."""
    total = sum((m.amount for m in money), Decimal(0))
    caption = ("book each under its reference as the loan takes it (`repay`), or return it "
               "to the payer (`loan-journey pending return N`)" if money
               else "none: every repayment received is booked or returned")
    table = Table(title="unbooked money (received, refused at delivery, not booked)",
                  caption=caption, show_footer=bool(money))
    table.add_column("journey", no_wrap=True, footer=f"total, {len(money):,} payments")
    table.add_column("amount", justify="right", footer=f"{total:,}")
    for name in ("reference", "paid on", "received (typed) at", "typed by", "pending #"):
        table.add_column(name)
    for m in money:
        table.add_row(m.workflow_id, f"{m.amount:,}", escape(m.reference), str(m.paid_on),
                      f"{m.typed_at:%Y-%m-%d %H:%M} UTC", escape(m.typed_by),
                      str(m.instruction))
    return table
