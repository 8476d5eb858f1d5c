"""The loan book's sections of what binds the bank to each borrower (`book`, the whole book):
the loans signed and not paid out (the pipeline), and the book by borrower, its loans and
what is committed to it besides (journey/borrower_exposure.py)."""

from __future__ import annotations

from rich.markup import escape
from rich.table import Table

from journey.borrower_exposure import BorrowerExposure, exposure_total
from journey.policy.calendar import moment_at
from journey.repayment import money
from journey.signed_pipeline import PipelineLine, pipeline_total
from starter.bank_clock import bank_offset
from starter.listings_view import counted


def pipeline_table(lines: list[PipelineLine]) -> Table:
    """Each loan signed and not paid out, the largest first: whose, how much, since when it
    waits at disbursement and for what; the total under them."""
    caption = ("the bank is bound to pay these out: counted as committed by borrower below; "
               "a project's signed facility is in undrawn commitments" if lines
               else "none: every signed loan is paid out")
    table = Table(title="signed, not paid out (offer signed, waiting at disbursement)",
                  caption=caption, show_footer=bool(lines))
    table.add_column("journey", no_wrap=True, footer=f"total, {counted(len(lines), 'loan')}")
    table.add_column("borrower")
    table.add_column("credit code", no_wrap=True)
    table.add_column("product")
    table.add_column("amount", justify="right", footer=money(pipeline_total(lines)))
    table.add_column("waiting since")
    table.add_column("waiting for")
    for p in lines:
        table.add_row(p.workflow_id, escape(p.borrower or "-"), p.credit_code or "-", p.product,
                      money(p.amount),
                      moment_at(p.waiting_since, bank_offset()) if p.waiting_since else "-",
                      escape(p.waiting_for))
    return table


def borrowers_table(borrowers: list[BorrowerExposure]) -> Table:
    """The book by borrower, the largest exposure first: its loans, their principal left and
    what settles them, the worst class among them, and what is committed to it (signed and
    not paid out, undrawn), with the exposure, principal and committed together."""
    table = Table(title="by borrower (exposure: principal left and committed)",
                  caption=("committed: loans signed and not paid out, and what projects may "
                           "still draw" if borrowers else "no borrower"),
                  show_footer=bool(borrowers))
    table.add_column("credit code", no_wrap=True,
                     footer=f"total, {len(borrowers):,} borrowers")
    table.add_column("borrower")
    for name in ("loans", "principal left", "to settle today", "worst class", "committed",
                 "exposure"):
        table.add_column(name, justify="left" if name == "worst class" else "right",
                         footer=money(exposure_total(borrowers)) if name == "exposure" else "")
    for e in borrowers:
        worst = f"{e.worst_class.label_zh} {e.worst_class}" if e.worst_class else "-"
        settle = money(e.to_settle) + (f" ({e.unquoted} unquoted)" if e.unquoted else "")
        signed = f" ({e.signed_not_paid} signed)" if e.signed_not_paid else ""
        table.add_row(e.credit_code, escape(e.borrower or "-"), str(e.loans),
                      money(e.principal), settle, worst, money(e.committed) + signed,
                      money(e.exposure))
    return table
