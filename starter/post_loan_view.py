"""The post-loan part of `status`: classification, what the loan owes, payments,
repricings, early warnings and the last review."""

from __future__ import annotations

from decimal import Decimal

from rich.console import RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from journey.loan_account import ZERO
from journey.owed_back import credit_said
from journey.owed_figures import OwedFigures
from journey.post_loan_warnings import open_numbers
from journey.repayment import money
from journey.review_dates import ReviewDates
from journey.status import JourneyStatus
from starter.bank_clock import when
from starter.offer_view import rate_now


def post_loan_view(s: JourneyStatus, owed: OwedFigures | None = None,
                   refunded: Decimal = ZERO, reviews: ReviewDates | None = None
                   ) -> list[RenderableType]:
    """Classification, what the loan owes (`owed`, its figures on its day), arrears, what it
    owes back (`refunded` of it refunded), the next instalment, early warnings, the last and
    next review (`reviews`) and whether reviews are late, the last review's covenants."""
    account = s.account
    if account is None:
        return drawing_review_view(s, reviews)
    head = class_rows(s)
    if s.offer is not None:
        head.add_row("rate", escape(rate_now(s.offer, s)))
    head.add_row("days past due", f"{s.days_past_due} (most so far {s.max_days_past_due})")
    head.add_row("arrears", money(owed.past_due if owed else s.arrears or 0))
    if owed is not None:
        for label, text in owed_rows(owed):
            head.add_row(label, text)
    if account.credit:
        head.add_row("credit", credit_said(account.credit, refunded))
    head.add_row("next instalment",
                 account.next_instalment(of_plan=True)
                 + (" (past due)" if s.days_past_due else ""))
    head.add_row("open warnings", open_warnings(s))
    reviews_row(s, head)
    review_rows(head, s, reviews)
    parts: list[RenderableType] = [Panel(head, title="post-loan")]
    if s.payments:
        # "from account": the payer's, where a refund or a return goes back ("-": none named)
        paid = Table("value date", "kind", "reference", "amount", "recorded by", "channel",
                     "from account", title="payments")
        for p in s.payments:
            paid.add_row(str(p.paid_on), p.kind, escape(p.reference), money(p.amount),
                         escape(p.recorded_by), p.channel, escape(p.from_account or "-"))
        parts.append(paid)
    if len(s.rate_changes) > 1:
        repricings = Table("repricing date", "rate", "was", "fixing", title="LPR repricings")
        for c in s.rate_changes:
            fixing = "none recorded" if c.fixing_on is None else (
                f"{c.base} {c.fixing_rate:.2%} of {c.fixing_on}")
            repricings.add_row(str(c.on), f"{c.new_rate:.2%}", f"{c.old_rate:.2%}", fixing)
        parts.append(repricings)
    return parts + review_tables(s)


def drawing_review_view(s: JourneyStatus, reviews: ReviewDates | None = None
                        ) -> list[RenderableType]:
    """A project reviewed while it draws: its class and warnings, its review dates, and its
    last review (what it owes is the journey panel's drawn and interest); nothing for a
    journey not reviewed."""
    if s.account is not None or not s.reviewed():
        return []
    head = class_rows(s)
    head.add_row("open warnings", open_warnings(s))
    reviews_row(s, head)
    review_rows(head, s, reviews)
    return [Panel(head, title="reviewed while drawing"), *review_tables(s)]


def review_rows(head: Table, s: JourneyStatus, reviews: ReviewDates | None) -> None:
    """The last review's day, the next review on the bank's clock ("none scheduled": no
    schedule lists one, paused or gone), and whether reviews are late, by when due."""
    if reviews is None:
        return
    head.add_row("last review", str(reviews.last or "none yet"))
    head.add_row("next review", when(s, reviews.next) if reviews.next else "none scheduled")
    if reviews.late:
        head.add_row("reviews", f"[red]late: a review was due by {reviews.due}[/]")


def class_rows(s: JourneyStatus) -> Table:
    head = Table.grid(padding=(0, 2))
    if s.risk_class is not None:  # an ended loan's is history: no class runs any more
        head.add_row("class at closing" if s.stage.terminal else "classification",
                     f"[bold]{s.risk_class.label_zh}[/] ({s.risk_class})")
    if s.risk_class_reason:
        head.add_row("why", escape(s.risk_class_reason))
    if (proposed := s.class_proposal) is not None and not s.stage.terminal:
        head.add_row("proposed", escape(f"{proposed.said()} ({when(s, proposed.at)}), awaits "
                                        f"the {s.risk_team or 'risk'} supervisor's confirmation"))
    return head


def reviews_row(s: JourneyStatus, head: Table) -> None:
    """A running loan's reviews stopped (paused, or their schedule deleted), as the journey
    was told: since when and by whom, on its risk team's queue until they run again."""
    if s.reviews_stopped and not s.stage.terminal:
        head.add_row("reviews", f"[red]{escape(s.reviews_stopped)}[/] (on the "
                                f"{escape(s.risk_team or 'risk')} queue until they run again)")


def open_warnings(s: JourneyStatus) -> str:
    return ", ".join(f"#{n}" for n in open_numbers(s.warnings)) or "none"


def review_tables(s: JourneyStatus) -> list[RenderableType]:
    """The early warnings and the covenants at the last review."""
    parts: list[RenderableType] = []
    if s.warnings:
        warnings = Table("#", "raised", "kind", "detail", "acknowledged", title="early warnings")
        for n, w in enumerate(s.warnings, start=1):
            ack = w.acknowledged
            done = (
                escape(f"{ack.by} {when(s, ack.at)}: {ack.action}, {ack.note}")
                if ack else "[bold]open[/]"
            ) + (f"; cured: met at review {escape(w.cured_by)}" if w.cured_by else "")
            detail = w.detail + (f"; {w.latest.said()}" if w.latest else "")
            warnings.add_row(str(n), str(w.at), w.kind, escape(detail), done)
        parts.append(warnings)
    review = s.last_review
    if review is not None:
        checks = Table(
            "covenant", "limit", "value", "result",
            title=f"covenants at review {review.review_id} on {review.reviewed_on}",
        )
        for c in review.checks:
            result = "[bold]breached[/]" if c.breached else (
                "not available" if c.value is None else "met"
            )
            checks.add_row(c.covenant.id, c.covenant.requirement,
                           "-" if c.value is None else str(c.value), result)
        said = {"dscr": "DSCR", "statements": "statements"}
        caption = [f"{what}: {review.notes[key]}" for key, what in said.items()
                   if key in review.notes]
        if caption:
            checks.caption = escape("; ".join(caption))
        parts.append(checks)
    return parts


def owed_rows(o: OwedFigures) -> list[tuple[str, str]]:
    """What a running loan owes on its day, as the bank's ledger says it: principal left,
    due and unpaid, interest accrued, what settles it; and apart, the interest the plan
    still schedules, not owed until its periods run."""
    due = ("none" if o.due == 0 else
           f"{money(o.due)}: principal {money(o.due_principal)}, interest "
           f"{money(o.due_interest)}, penalty interest {money(o.penalty)}"
           + (f", prepayment fee {money(o.fee)}" if o.fee else "")
           )
    ahead = f", {money(o.paid_ahead)} paid ahead" if o.paid_ahead else ""
    fee = f", prepayment fee {money(o.settle_fee)} included" if o.settle_fee else ""
    return [
        ("principal left", money(o.principal)),
        ("due and unpaid", due),
        ("interest accrued", f"{money(o.accrued)} in the current period to {o.on}, not yet due"
         + ahead),
        ("to settle today", f"{money(o.to_settle)} on {o.on}{fee} (`settlement` quotes any day)"),
        ("plan's interest to come", f"{money(o.scheduled_interest)} scheduled for the periods not "
         "yet ended (the current one's in full), owed only as they run"),
    ]
