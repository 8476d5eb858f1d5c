"""Rich renderings of a journey for people at a terminal: `status`."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from journey.actors import Role
from journey.availability_interest import InterestPosition
from journey.entrusted_payment import paid_to
from journey.loan_account import ZERO
from journey.owed_figures import OwedFigures
from journey.policy import Policy
from journey.repayment import money
from journey.review_dates import ReviewDates
from journey.stages import Stage
from journey.status import JourneyStatus
from starter.bank_clock import noted, when
from starter.offer_view import covenant_terms, rate_basis, signature
from starter.post_loan_view import post_loan_view
from starter.reading_view import reading_check, reading_text
from store.ledger import Booking


def status_view(s: JourneyStatus, owed: OwedFigures | None = None,
                refunded: Decimal = ZERO, formerly: Sequence[str] = (),
                pinned: Policy | None = None, reviews: ReviewDates | None = None,
                ledger: Sequence[Booking] = ()) -> Group:
    """The journey's status; a running loan's with `owed`, its figures on its day, and its
    `reviews`' dates; a loan paid beyond its whole plan with `refunded`, what was refunded of
    it; the applicant's company renamed, with the names it had `formerly`; with the policy it
    `pinned`, each approver's vote with their authority by it; a project's drawdowns paid
    with the accounts their bookings in the `ledger` paid into."""
    head = Table.grid(padding=(0, 2))
    head.add_row("journey", s.workflow_id)
    if s.applicant:
        was = f" (formerly {', '.join(formerly)})" if formerly else ""
        head.add_row("applicant", escape(
            f"{s.applicant}{was} ({s.customer}): {s.product} {money(s.amount)} for "
            f"{s.term_months} months"))
    if s.submitted_by is not None:  # left out of its four-eyes acts
        head.add_row("submitted by", escape(f"{s.submitted_by.id} ({s.submitted_by.role})"))
    head.add_row("stage", f"[bold]{s.stage}[/]" + (
        f", ended {when(s, s.timeline[-1].entered_at if s.timeline else None)}"
        if s.stage.terminal else f" (attempt {s.attempt}), waits on {s.waits_on}"))
    if s.waiting_for:
        head.add_row("waiting for", escape("; ".join(s.waiting_for)))
    if s.team:
        head.add_row(
            "team", f"{s.team}" + (f", assigned to {s.assigned_to}" if s.assigned_to else "")
        )
    head.add_row("SLA", s.sla_state + (
        f" on the wait since {when(s, s.wait.since)}: "
        f"{s.wait.sla_text(s.bank_utc_offset or 0)}" if s.wait is not None else ""))
    if s.route:
        head.add_row("route", f"{s.route.team} / {s.route.tier}: {s.route.explanation}")
        if s.route.exposure is not None:  # the borrower's, which the tier was chosen on
            head.add_row("exposure", escape(s.route.why_tier()))
        if s.exposure_told:
            head.add_row("exposure now", escape(s.exposure_told))
    if s.policy_version:
        head.add_row("policy", escape(pinned_policy(s)))
    if s.post_loan_policy_version:
        head.add_row("post-loan policy", escape(
            versioned(s.post_loan_policy_version, s.post_loan_policy_sha256)))
    if s.offer:
        head.add_row(
            "offer",
            f"{s.offer.annual_rate:.4%}{rate_basis(s.offer)} for {s.offer.term_months} months, "
            f"{s.offer.method} {s.offer.frequency}, {len(s.offer.schedule)} instalments",
        )
        head.add_row("covenants", covenant_terms(s.offer))
        if (signed := signature(s)) is not None:
            head.add_row("signed", escape(signed))
    if s.cautions:
        head.add_row("[red]cautions[/]", escape("; ".join(s.cautions)))
    if breached := [c for c in s.covenants_on_file if c.breached]:
        head.add_row("[red]covenants on file[/]", escape(
            "; ".join(c.detail for c in breached)
            + ": breached on the statements this loan is decided on"))
    if s.disbursement:
        d = s.disbursement
        drawn = [r.booking_id for r in s.drawdowns if r.booking_id]
        paid = [p.booking_id for p in s.entrusted.payments] if s.entrusted else []
        bookings = drawn or paid or [d.booking_id]
        head.add_row(
            "disbursed",
            escape(f"{money(d.amount)} to {d.payee} ({', '.join(bookings)}) at "
                   f"{when(s, d.booked_at)}"
                   # the day the money moved and interest runs from: booked on a non-working
                   # day, the next working day (none: paid out before value dates were kept)
                   + (f", value date {d.value_on}" if d.value_on is not None else "")
                   + (f", in {len(drawn)} drawdowns" if len(drawn) > 1 else
                      f", to {len(paid)} counterparties" if len(paid) > 1 else "")),
        )
        if d.account is not None and not (drawn or paid):  # the borrower's, as entrusted
            head.add_row("paid to", escape(paid_into(d.payee, d.account, d.bank)))
    for line in drawdowns_paid(s, ledger):
        head.add_row("paid to", escape(line))
    # a drawdown's entrusted payout, once booked, is that drawdown's row above (the journey
    # lets it go a moment later, as the drawdown's stage ends)
    drawn_paid = {d.booking_id for d in s.drawdowns if d.booking_id}
    if ((entrusted := s.entrusted) is not None and entrusted.instruction is not None
            and drawn_paid.isdisjoint(entrusted.bookings)):
        checked = entrusted.confirmed_by
        head.add_row("paid to", escape(
            f"entrusted payment (受托支付, above {money(entrusted.over)}) instructed by "
            f"{entrusted.instruction.actor.id} at {when(s, entrusted.recorded_at)}"
            + (f", confirmed by {checked.id} at {when(s, entrusted.confirmed_at)}"
               if checked is not None else "") + ": "
            + paid_to(entrusted.payments or entrusted.instruction.counterparties)))
    if (entrusted := s.entrusted) is not None and entrusted.awaiting is not None:
        head.add_row("to confirm", escape(
            f"payment instruction {entrusted.entered} entered by "
            f"{entrusted.awaiting.actor.id} at {when(s, entrusted.recorded_at)}, awaiting a "
            f"second operations person: {paid_to(entrusted.awaiting.counterparties)}"))
    if (drawing := s.availability_interest) is not None:
        head.add_row("drawn", f"{money(drawing.drawn)}, undrawn {money(drawing.undrawn)}")
        head.add_row("interest", interest_text(drawing))
    if (waived := s.fee_waiver) is not None:
        head.add_row("fee waived", escape(f"{waived.text()}, at {when(s, waived.at)}"))
    if s.outcome_reason:
        head.add_row("outcome", escape(s.outcome_reason))

    timeline = Table("stage", "attempt", "waits on", "entered", "exited", "to",
                     title="timeline")
    for v in s.timeline:
        timeline.add_row(
            v.stage,
            str(v.attempt),
            "-" if v.stage.terminal else v.waits_on,  # an end waits on nobody
            when(s, v.entered_at),
            when(s, v.exited_at),
            v.outcome or "",
        )
    parts: list[RenderableType] = [Panel(head, title="journey"), timeline]
    if s.readings:
        docs = Table("document", "sha256", "kind", "status", "what was read", "check",
                     title="documents")
        not_needed = s.completeness.not_needed if s.completeness else {}
        for r in s.readings:
            superseded = s.standing is not None and r.ref.sha256 not in s.standing
            foreign = s.not_the_borrowers.get(r.ref.sha256)
            docs.add_row(escape(r.ref.filename), r.ref.sha256[:12], r.kind,
                         f"{r.status}, not the borrower's" if foreign
                         else f"{r.status}, superseded" if superseded else r.status,
                         escape(reading_text(r, s.applicant)),
                         escape(foreign or not_needed.get(r.ref.sha256)
                                or noted(s, reading_check(r))))
        parts.append(docs)
    if s.received:
        parts.append(Text.assemble(
            ("received, not read yet" + (" (read at the next review)"
                                        if s.reviewed() else "") + ": ", "bold"),
            ", ".join(f"{d.filename} ({d.sha256[:12]})" for d in s.received)))
    parts += post_loan_view(s, owed, refunded, reviews)
    if s.decisions:
        decisions = Table("when", "stage", "actor", "role", "decision", "reason",
                          title="decisions")
        for made in s.decisions:
            decisions.add_row(
                when(s, made.at), made.stage, escape(made.actor.id), made.actor.role,
                made.verdict + (f", grade {made.grade}" if made.grade else "")
                + (f", for: {made.category}" if made.category else "")
                + (f" ({escape(authority(pinned, made.actor.id))})"
                   if pinned is not None and made.stage is Stage.APPROVAL
                   and made.actor.role is Role.APPROVER else ""),
                escape(made.reason),
            )
        parts.append(decisions)
    return Group(*parts)


def paid_into(payee: str, account: str, bank: str | None) -> str:
    """Where money was paid, as `status` shows a payee: the whole account (finance matches
    the bank's payment by it) and its bank."""
    return f"{payee}, account {account}" + (f", {bank}" if bank else "")


def drawdowns_paid(s: JourneyStatus, bookings: Sequence[Booking]) -> list[str]:
    """Each drawdown of project `s` paid, a line each: into which account, as its ledger
    booking (of `bookings`) keeps it (`paid_into`, as the borrower's payout is shown), or,
    paid to counterparties (受托支付), to whom operations confirmed it pays, each with its
    account and booking. A booking kept before accounts were names its payee alone."""
    kept = {b.booking_id: b for b in bookings}
    lines = []
    for d in (d for d in s.drawdowns if d.booking_id):
        paid = f"drawdown #{d.number} {d.request.tranche_id} {money(d.request.amount)}: "
        if d.paid_to:  # entrusted, on operations' confirmed instruction
            lines.append(f"{paid}entrusted payment (受托支付) to {d.paid_to} at "
                         f"{when(s, d.booked_at)}")
            continue
        booking, payee = kept.get(d.booking_id or ""), d.request.payee
        account = booking.account if booking is not None else None
        bank = booking.bank if booking is not None else None
        if account is None and payee is not None:  # booked before accounts: its request's
            account, bank = payee.account, payee.bank
        name = d.payee or s.applicant or "the borrower"
        into = (paid_into(name, account, bank) if account is not None
                else f"{name}, no account kept with its booking")
        lines.append(f"{paid}{'entrusted payment (受托支付) to ' if payee else ''}{into} "
                     f"({d.booking_id}) at {when(s, d.booked_at)}")
    return lines


def pinned_policy(s: JourneyStatus) -> str:
    """The policy the journey pinned: its version, a short hash of its content (one pinned
    before the hash was kept has none) and the routing rule that fired on it."""
    return versioned(s.policy_version or "", s.policy_sha256,
                     [f"rule {s.route.rule}"] if s.route else [])


def versioned(version: str, sha256: str | None, more: Sequence[str] = ()) -> str:
    """A pinned policy's version with a short hash of its content (one pinned before the
    hash was kept has none) and `more` said of it."""
    said = [f"sha256 {sha256[:12]}"] if sha256 else []
    return version + (f" ({', '.join([*said, *more])})" if said or more else "")


def authority(pinned: Policy, approver: str) -> str:
    """`approver`'s tier and limit as the policy the journey `pinned` gives them."""
    member = pinned.member(approver)
    if member is None:
        return f"not in policy {pinned.version}"
    limit = "no limit set" if member.limit is None else f"limit {money(member.limit)}"
    return f"{member.tier or 'no tier'}, {limit}"


def interest_text(i: InterestPosition) -> str:
    """A drawing project's quarterly interest and commitment fee: accrued, next due, paid,
    past due (in red), what settles it today; or, closed with nothing drawn, the commitment
    fee it owes."""
    return i.text(late="[red]{}[/]")
