"""The loan book's sections after its loans (starter/listings_view.py `book_table`): the undrawn
commitments of the projects still drawing, the money received and not booked, the money
received in a period, reconciled (starter/money_received.py), the money paid out in it, tied
to the ledger (starter/money_paid_out.py), and the loans at its start and end
(starter/month_end.py)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from rich.markup import escape
from rich.table import Table

from journey.loan_account import ZERO
from journey.policy.calendar import moment_at
from journey.repayment import money
from journey.undrawn_commitments import CommitmentLine, commitments_total
from starter.bank_clock import bank_offset
from starter.listings_view import money_or_dash
from starter.money_paid_out import MoneyPaidOut, value_day
from starter.money_received import MoneyReceived
from starter.month_end import MonthEnd, totals
from starter.pending_return import ReceivedMoney

money_of = money  # where a table's `money` names the money received
# interest paid on instalments not due yet, by one name in the money received and the loans
RECEIVED_IN_ADVANCE = "interest received in advance (预收利息)"
IN_ADVANCE = "received in advance"


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
                         footer="" if footer is None else money(footer))
    for c in lines:
        table.add_row(c.workflow_id, money(c.commitment), money(c.drawn), money(c.undrawn),
                      str(c.available_until), _counted(c.fee_accrued, c.lent),
                      _counted(c.paid_ahead or None, c.lent))
    return table


def _counted(amount: Decimal | None, lent: bool) -> str:
    """A facility's figure, marked when the loans' total counts it, not this table's."""
    shown = money_or_dash(amount)
    return f"{shown} in loans" if lent and amount is not None else shown


def unbooked_table(received: list[ReceivedMoney]) -> Table:
    """Money received, refused at delivery and neither booked nor returned yet, oldest first,
    with its total: what operations must book under its reference or return; received when,
    on the bank's clock."""
    total = sum((m.amount for m in received), Decimal(0))
    caption = ("book each under its reference as the loan takes it (`repay`), or return it "
               "to the payer (`loan-journey pending return N`)" if received
               else "none: every repayment received is booked or returned")
    table = Table(title="unbooked money (received, refused at delivery, not booked)",
                  caption=caption, show_footer=bool(received))
    table.add_column("journey", no_wrap=True, footer=f"total, {len(received):,} payments")
    table.add_column("amount", justify="right", footer=money(total))
    for name in ("reference", "paid on", "received (typed) at", "typed by", "pending #"):
        table.add_column(name)
    for m in received:
        table.add_row(m.workflow_id, money(m.amount), escape(m.reference), str(m.paid_on),
                      moment_at(m.typed_at, bank_offset()), escape(m.typed_by),
                      str(m.instruction))
    return table


def received_table(money: MoneyReceived) -> Table:
    """The money received with a value date in the period and where it went: booked to the
    loans by kind, not booked, returned to the payer (money not booked, and money owed back
    and refunded), kept and not delivered yet; the total their sum to the fen, and under it
    what does not reconcile."""
    k, period = money.kinds, money.period
    payments = sum(len(b.payments) for b in money.booked)
    rows = [
        ("booked: principal", k.principal, ""),
        ("booked: interest", k.interest, f"of instalments due by {period.last}"),
        (f"booked: {RECEIVED_IN_ADVANCE}", k.paid_ahead,
         f"interest of instalments due after {period.last}: not earned yet (the loans' "
         f"\"{IN_ADVANCE}\" at the end)"),
        ("booked: penalty interest", k.penalty, ""),
        ("booked: prepayment fees", k.fees, ""),
        ("booked: paid beyond the whole plan", k.beyond_plan,
         "owed back to the customer, not refunded yet (`loan-journey pending refunds`)"),
        ("booked: project quarters", k.quarters,
         "interest and commitment fee while drawing, or the fee of one that drew nothing"),
        ("booked: not allocated by kind", k.not_allocated, "see below"),
        ("booked", k.total, f"{payments:,} payments to {len(money.booked):,} journeys, as "
                            "their accounts allocate them today"),
        *((name, sum((m.amount for m in kept), Decimal(0)), f"{len(kept):,} payments{more}")
          for name, kept, more in (
              ("not booked", money.unbooked, ", refused at delivery (listed above)"),
              ("returned to the payer", money.returned, ""),
              ("kept, not delivered yet", money.waiting, ": `loan-journey pending deliver`"))),
    ]
    rows.insert(-1, ("returned to the payer: owed back, refunded",
                     sum((r.amount for r in money.refunded), Decimal(0)),
                     f"{len(money.refunded):,} refunds of money paid beyond the whole plan "
                     "(`loan-journey pending refund`)"))
    caption = "\n".join(f"does not reconcile: {escape(w)}" for w in money.not_reconciled) or (
        "booked, not booked, returned and kept add up to the money received, to the fen")
    if later := money.typed_later:
        caption += (f"\nof it, typed after {period.last} (not in a month closed that day): "
                    f"{len(later):,} payments, {money_of(sum((t.amount for t in later), ZERO))}"
                    + "".join(f"\n  {escape(t.reference)} ({t.workflow_id}, "
                              f"{money_of(t.amount)}, valued {t.paid_on}, typed "
                              f"{moment_at(t.typed_at, bank_offset())}, {t.where})"
                              for t in later))
    table = Table(title=f"money received, valued {period.first} to {period.last} (--month, "
                        "--from, --to)", caption=caption, show_footer=True)
    table.add_column("where it went", footer="money received")
    table.add_column("amount", justify="right", footer=f"{money.total:,.2f}")
    table.add_column("of what")
    for name, amount, note in rows:
        table.add_row(name, f"{amount:,.2f}", note)
    return table


def payments_table(money: MoneyReceived) -> Table:
    """Each payment of the money received in the period, `book --payments`: its journey,
    reference, amount, value date and where it went (booked, with what of it was owed back
    and refunded; not booked, returned to the payer, kept and not delivered yet), by value
    date; their total under them, the money received, to the fen."""
    back: dict[tuple[str, str], Decimal] = {}
    for r in money.refunded:
        back[r.workflow_id, r.payment] = back.get((r.workflow_id, r.payment), ZERO) + r.amount
    rows = sorted([
        *((b.workflow_id, p.reference, p.amount, p.paid_on,
           "booked" + (": not allocated by kind" if b.why else "")
           + (f"; of it {money_of(x)} owed back, refunded to the payer"
              if (x := back.get((b.workflow_id, p.reference))) else ""))
          for b in money.booked for p in b.payments),
        *((m.workflow_id, m.reference, m.amount, m.paid_on, where)
          for where, kept in (("not booked", money.unbooked),
                              ("returned to the payer", money.returned),
                              ("kept, not delivered yet", money.waiting))
          for m in kept),
    ], key=lambda r: (r[3], r[0], r[1]))
    period = money.period
    table = Table(title=f"payments received, valued {period.first} to {period.last} "
                        "(--payments)", show_footer=True,
                  caption="each payment once, where it went: they add up to the money "
                          "received, to the fen")
    table.add_column("journey", no_wrap=True, footer=f"{len(rows):,} rows")
    table.add_column("reference")
    table.add_column("amount", justify="right", footer=money_of(money.total))
    table.add_column("value date")
    table.add_column("where it went", footer="money received")
    for workflow_id, reference, amount, paid_on, where in rows:
        table.add_row(workflow_id, escape(reference), money_of(amount), str(paid_on), where)
    return table


def paid_out_table(paid: MoneyPaidOut) -> Table:
    """The ledger's payouts value dated in the period, each with its journey, payee, account
    and days (its value date; booked when, on the bank's clock), their total under them, and
    under it what does not tie the ledger to the journeys."""
    caption = "\n".join(f"does not reconcile: {escape(w)}" for w in paid.not_reconciled) or (
        "the ledger's bookings and what each journey records it lent agree")
    period = paid.period
    table = Table(title=f"money paid out, valued {period.first} to {period.last} (the ledger; "
                        "--month, --from, --to)", caption=caption, show_footer=True)
    table.add_column("journey", no_wrap=True, footer=f"total, {len(paid.bookings):,} bookings")
    table.add_column("amount", justify="right", footer=money(paid.total))
    for name in ("payee", "account", "value date", "booked at"):
        table.add_column(name)
    for b in paid.bookings:
        table.add_row(b.workflow_id, money(b.amount), escape(b.payee),
                      escape(" ".join(x for x in (b.account, b.bank) if x) or "-"),
                      str(value_day(b)), moment_at(b.booked_at, bank_offset()))
    return table


def month_end_table(end: MonthEnd) -> Table:
    """Each loan's principal and interest earned and not paid at the start of the period and
    at its end (of which due, accrued, received in advance, and the penalty interest), the
    totals the rows' sums, and under them what does not roll forward; a project drawing then
    by its quarters (journey/month_end.py)."""
    first, last = end.opening, end.closing
    before = end.period.first - timedelta(days=1)
    opening = {p.workflow_id: p for p in first}
    closing = {p.workflow_id: p for p in last}
    ins, outs = totals(first), totals(last)
    caption = "\n".join(f"does not reconcile: {escape(w)}" for w in end.not_reconciled) or (
        "each loan's principal at the start, plus what the ledger paid out to it, less the "
        "principal its payments repaid, is its principal at the end")
    table = Table(title=f"loans at the end of {before} and of {end.period.last}: principal, "
                        f"interest earned and not paid (due, accrued, less {RECEIVED_IN_ADVANCE})",
                  caption=caption + "\nwith the payments valued by each day; a project "
                  "drawing then: what it had drawn, its quarters' interest and commitment fee",
                  show_footer=True)
    table.add_column("journey", no_wrap=True, footer=f"total, {len(last):,} loans at the end")
    for name, footer in ((f"principal {before}", ins.principal),
                         (f"interest earned {before}", ins.interest_earned),
                         (f"principal {end.period.last}", outs.principal),
                         ("interest due", outs.interest_due), ("accrued", outs.accrued),
                         (IN_ADVANCE, outs.paid_ahead),
                         (f"interest earned {end.period.last}", outs.interest_earned),
                         ("penalty interest", outs.penalty)):
        table.add_column(name, justify="right", footer=money(footer))
    for w in dict.fromkeys([*opening, *closing]):
        a, z = opening.get(w), closing.get(w)
        table.add_row(w, *(money(x) if x is not None else "-" for x in (
            a and a.principal, a and a.interest_earned, z and z.principal,
            z and z.interest_due, z and z.accrued, z and z.paid_ahead, z and z.interest_earned,
            z and z.penalty)))
    return table
