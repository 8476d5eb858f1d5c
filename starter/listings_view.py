"""Journeys as listed (`list`) and the loan book (`book`)."""

from __future__ import annotations

from decimal import Decimal

from rich.markup import escape
from rich.table import Table

from journey.classification import RiskClass
from journey.loan_book import BookLine, by_class, non_performing_ratio, owed_total
from journey.policy.calendar import moment_at
from journey.repayment import money
from starter.activity_waits import StuckJourney
from starter.bank_clock import bank_offset
from starter.work_lists import JourneyRow


def counted(n: int, noun: str) -> str:
    """"1 loan", "2 loans": a list's count with its noun."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")

def book_title(risk_class: RiskClass | None) -> str:
    """The loan book's title: "loan book: running loans", of one class when asked."""
    return "loan book: running loans" + (f", class {risk_class.label_zh}" if risk_class else "")


def amount_cell(r: JourneyRow) -> str:
    """The amount applied for, from the journey store; its band where the store has none."""
    return money(r.amount) if r.amount is not None else r.amount_band


def caption(rows: list[JourneyRow], total: int | None, order: str | None) -> str:
    """"N journeys", or "the newest N of M (--limit for more)" when `total` is more ("the
    first N of M by `order`" when given)."""
    if not rows:
        return "no journey matches"
    if total is not None and total > len(rows):
        which = f"first {len(rows):,} of {total:,} by {order}" if order \
            else f"newest {len(rows):,} of {total:,}"
        return f"the {which} (--limit for more)"
    return counted(len(rows), "journey")


def book_table(lines: list[BookLine], title: str, shown: int | None = None) -> Table:
    """The loan book, worst first, with the totals by class under it; the first `shown`
    lines only when given, and the totals still the whole book's."""
    total = owed_total(lines)
    table = Table(title=title, caption=_book_caption(lines, shown), show_footer=bool(lines))
    table.add_column("journey", no_wrap=True, footer=f"total, {counted(len(lines), 'loan')}")
    footers = {"arrears": total.arrears, "principal left": total.principal,
               "interest accrued": total.accrued, "to settle today": total.to_settle,
               "paid ahead": total.paid_ahead}
    for name in ("borrower", "credit code", "product", "class", "days past due", "arrears",
                 "principal left", "interest accrued", "to settle today", "paid ahead",
                 "next instalment", "open warnings", "last review", "next review"):
        table.add_column(name, justify="right" if name in _FIGURES else "left",
                         footer=money(footers[name]) if name in footers else "",
                         no_wrap=name in _WHOLE_IN_BOOK, overflow="fold")
    for b in lines[:shown]:
        table.add_row(b.workflow_id, escape(b.borrower or "-"), b.credit_code or "-", b.product,
                      f"{b.risk_class.label_zh} {b.risk_class}",
                      str(b.days_past_due), money(b.arrears), money(b.principal),
                      money_or_dash(b.accrued), money_or_dash(b.to_settle),
                      money_or_dash(b.paid_ahead or None),
                      b.next_instalment, str(b.open_warnings or "-"),
                      str(b.last_review or "none yet"), next_review_cell(b))
    return table


def next_review_cell(b: BookLine) -> str:
    """The next review on the bank's clock ("-": no schedule lists one); marked late, with
    the day it was due by, when reviews are late."""
    shown = moment_at(b.next_review, bank_offset()) if b.next_review else "-"
    return f"{shown} [red]late: due {b.review_due}[/]" if b.reviews_late else shown


_FIGURES = {"days past due", "arrears", "principal left", "interest accrued",
            "to settle today", "paid ahead", "open warnings"}
_WHOLE_IN_BOOK = _FIGURES | {"credit code", "product", "class"}  # names wrap, these never


def money_or_dash(amount: Decimal | None) -> str:
    return "-" if amount is None else money(amount)


def _book_caption(lines: list[BookLine], shown: int | None) -> str:
    if not lines:
        return "no running loan matches"
    totals = "; ".join(f"{t.risk_class.label_zh} {t.risk_class} {t.loans} ({money(t.principal)})"
                       for t in by_class(lines))
    ratio = non_performing_ratio(lines)
    npl = "-" if ratio is None else f"{ratio:.2%}"
    late = sum(1 for b in lines if b.reviews_late)
    caption = (f"{counted(len(lines), 'loan')} by class (principal left): {totals}\nreviews late: "
               f"{late:,} (not run a cadence after the last review, or the payout; or the next "
               f"one scheduled is past)\nnon-performing: {npl}")
    if unquoted := owed_total(lines).unquoted:
        caption += (f"\nto settle today: {money(unquoted)} drawing since before quarterly interest "
                    "are quoted at their close only, not in the total")
    if shown is not None and shown < len(lines):
        caption += f"\nlisted: the worst {shown:,} of {len(lines):,} (--limit for more)"
    return caption


def journeys_table(rows: list[JourneyRow], title: str, total: int | None = None) -> Table:
    """Journeys as listed, each started when on the bank's clock, with the amount applied for
    where the journey store has it; `total` is how many match when that is more than the rows
    (the newest). A queue's lists: starter/queue_view.py."""
    table = Table(title=title, caption=caption(rows, total, None))
    table.add_column("journey", no_wrap=True)
    named = any(r.applicant for r in rows)  # kept by `start` in the journey store
    if named:
        table.add_column("applicant", no_wrap=True)
    for name in ("status", "stage", "team", "SLA", "product", "amount", "started"):
        table.add_column(name, justify="right" if name == "amount" else "left",
                         no_wrap=name in _WHOLE)  # names and figures whole; times wrap
    for r in rows:
        table.add_row(r.workflow_id, *([escape(r.applicant or "-")] if named else []),
                      r.status, r.stage, r.team, r.sla, r.product, amount_cell(r),
                      moment_at(r.started, bank_offset()))
    return table


_WHOLE = {"status", "stage", "team", "SLA", "product", "amount"}


def stuck_table(found: list[StuckJourney], total: int, described: int) -> Table:
    """The running journeys stuck on an activity (`list --stuck`), each with its stage, SLA
    and why: `total` of the `described` running journeys (when more than listed, the newest)."""
    table = Table(title="journeys stuck on an activity", caption=(
        f"{counted(total, 'journey')} stuck of {described:,} running"
        + (f", the newest {len(found):,} listed (--limit for more)" if total > len(found)
           else "")))
    table.add_column("journey", no_wrap=True)
    for name in ("stage", "SLA"):
        table.add_column(name, no_wrap=True)
    table.add_column("stuck on", overflow="fold")
    for s in found:
        table.add_row(s.workflow_id, s.stage, s.sla, escape("; ".join(s.reasons)))
    return table
