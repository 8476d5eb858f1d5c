"""Rich renderings of a journey for people at a terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from journey.availability_interest import InterestPosition, Payoff
from journey.classification import RiskClass
from journey.documents import (
    LOW_CONFIDENCE,
    UNITS,
    BusinessLicense,
    DocumentReading,
    FinancialStatement,
)
from journey.entrusted_payment import paid_to
from journey.loan_account import ZERO, Account
from journey.loan_book import BookLine, by_class, non_performing_ratio, owed_total
from journey.lpr import RateChange, floats
from journey.owed_back import credit_said
from journey.owed_figures import OwedFigures
from journey.policy.calendar import WorkingCalendar, moment_at
from journey.policy.completeness import (
    FIGURE_LABELS,
    FIGURE_NAMES,
    REQUIRED_FIGURES,
    company_not_the_borrower,
    unsure_company,
)
from journey.policy.pricing import spread_text
from journey.post_loan_warnings import open_numbers
from journey.repayment import money
from journey.status import JourneyStatus, Offer
from starter.work_lists import JourneyRow

SUPPORTING_SHOWN = 200  # the characters of a supporting document's text `status` shows


def _when(s: JourneyStatus, moment: datetime | None) -> str:
    """`moment` on the bank's clock (the pinned calendar's zone; UTC before one is pinned),
    labelled with its zone."""
    return moment_at(moment, s.bank_utc_offset or 0) if moment else "-"


def status_view(s: JourneyStatus, owed: OwedFigures | None = None,
                refunded: Decimal = ZERO) -> Group:
    """The journey's status; a running loan's with `owed`, its figures on its day; a loan
    paid beyond its whole plan with `refunded`, what was refunded of it."""
    head = Table.grid(padding=(0, 2))
    head.add_row("journey", s.workflow_id)
    if s.applicant:
        head.add_row("applicant", escape(
            f"{s.applicant} ({s.customer}): {s.product} {money(s.amount)} for "
            f"{s.term_months} months"))
    head.add_row("stage", f"[bold]{s.stage}[/] (attempt {s.attempt}), waits on {s.waits_on}")
    if s.waiting_for:
        head.add_row("waiting for", escape("; ".join(s.waiting_for)))
    if s.team:
        head.add_row(
            "team", f"{s.team}" + (f", assigned to {s.assigned_to}" if s.assigned_to else "")
        )
    head.add_row("SLA", s.sla_state)
    if s.route:
        head.add_row("route", f"{s.route.team} / {s.route.tier}: {s.route.explanation}")
        if s.route.exposure is not None:  # the borrower's, which the tier was chosen on
            head.add_row("exposure", escape(s.route.why_tier()))
        if s.exposure_told:
            head.add_row("exposure now", escape(s.exposure_told))
        head.add_row("policy", f"{s.policy_version} (rule {s.route.rule})")
    if s.offer:
        head.add_row(
            "offer",
            f"{s.offer.annual_rate:.4%}{rate_basis(s.offer)} for {s.offer.term_months} months, "
            f"{s.offer.method} {s.offer.frequency}, {len(s.offer.schedule)} instalments",
        )
        head.add_row("covenants", covenant_terms(s.offer))
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
                   f"{_when(s, d.booked_at)}"
                   + (f", in {len(drawn)} drawdowns" if len(drawn) > 1 else
                      f", to {len(paid)} counterparties" if len(paid) > 1 else "")),
        )
    if (entrusted := s.entrusted) is not None and entrusted.instruction is not None:
        head.add_row("paid to", escape(
            f"entrusted payment (受托支付, above {money(entrusted.over)}) instructed by "
            f"{entrusted.instruction.actor.id} at {_when(s, entrusted.recorded_at)}: "
            + paid_to(entrusted.payments or entrusted.instruction.counterparties)))
    if (drawing := s.availability_interest) is not None:
        head.add_row("drawn", f"{money(drawing.drawn)}, undrawn {money(drawing.undrawn)}")
        head.add_row("interest", interest_text(drawing))
    if (waived := s.fee_waiver) is not None:
        head.add_row("fee waived", escape(f"{waived.text()}, at {_when(s, waived.at)}"))
    if s.outcome_reason:
        head.add_row("outcome", escape(s.outcome_reason))

    timeline = Table("stage", "attempt", "waits on", "entered", "exited", "to",
                     title="timeline")
    for v in s.timeline:
        timeline.add_row(
            v.stage,
            str(v.attempt),
            v.waits_on,
            _when(s, v.entered_at),
            _when(s, v.exited_at),
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
                                or reading_check(r)))
        parts.append(docs)
    if s.received:
        parts.append(Text.assemble(
            ("received, not read yet" + (" (read at the next review)"
                                        if s.reviewed() else "") + ": ", "bold"),
            ", ".join(f"{d.filename} ({d.sha256[:12]})" for d in s.received)))
    parts += post_loan_view(s, owed, refunded)
    if s.decisions:
        decisions = Table("when", "stage", "actor", "role", "decision", "reason",
                          title="decisions")
        for made in s.decisions:
            decisions.add_row(
                _when(s, made.at), made.stage, escape(made.actor.id), made.actor.role, made.verdict,
                escape(made.reason),
            )
        parts.append(decisions)
    return Group(*parts)


def interest_text(i: InterestPosition) -> str:
    """A drawing project's quarterly interest and commitment fee: accrued, next due, paid,
    past due (in red), what settles it today; or, closed with nothing drawn, the commitment
    fee it owes."""
    return i.text(late="[red]{}[/]")


def reading_text(r: DocumentReading, borrower: str) -> str:
    """What the OCR read that the file is checked on, for people to compare with the page:
    every field the file is checked on and every field a check note names, each with how
    sure the reader was ([0.95]), unsure ones marked "low: check against the paper"."""
    if r.license:
        lic = r.license
        if not lic.name and not lic.credit_code:
            return "the licence could not be read: rescan it"
        names = ["name", "credit_code", "valid_until", *lic.problems, *lic.low_confidence()]
        return "; ".join(_field(lic, n) for n in dict.fromkeys(names) if n in LICENCE_LABELS)
    if r.statement:
        st = r.statement
        company = ("company unread: check against the paper" if not st.company
                   else f"company {st.company}" + _sure(st, "company")
                   + (": close to the borrower's name, unsure: check against the paper"
                      if unsure_company(st, borrower) else ""))
        unit = (f"unit not printed (read as 元){_sure(st, 'unit')}" if "unit" in st.problems
                else f"unit {_unit_name(st.unit)}{_sure(st, 'unit')}" if st.unit else "")
        named = [*REQUIRED_FIGURES.get(st.kind, ()), *st.problems, *st.low_confidence(),
                 *st.corrected]
        figures = [_field(st, n) for n in dict.fromkeys(named)
                   if n in FIGURE_NAMES.get(st.kind, ())]
        period = f"period {st.period_end or 'unread'}" + _sure(st, "period_end")
        return "; ".join(p for p in [company, period, unit, *figures] if p)
    if r.supporting:  # the whole text is in --json
        text = " / ".join(r.supporting.text.splitlines())
        other = company_not_the_borrower(r.supporting.text, borrower)
        return f"supporting document: {text[:SUPPORTING_SHOWN]}" + (
            " …" if len(text) > SUPPORTING_SHOWN else "") + (
            f"; names {other}, not the borrower: check whose it is" if other else "")
    return r.reason or ""


LICENCE_LABELS = {"name": "name", "credit_code": "credit code", "valid_until": "term to"}


def _field(read: BusinessLicense | FinancialStatement, name: str) -> str:
    """One field as read, labelled, with how sure the reader was."""
    value = getattr(read, name)
    label = LICENCE_LABELS.get(name) or FIGURE_LABELS.get(name, name).split(" (")[0]
    if name == "valid_until" and value is None:
        return "term " + ("unread" if "term" in read.problems else "长期 (no end)")
    shown = "unread" if value is None else f"{value:,}" if isinstance(value, Decimal) else value
    return f"{label} {shown}{_sure(read, name)}"


def _sure(read: BusinessLicense | FinancialStatement, name: str) -> str:
    """How sure the reader was of a field: [1.00 corrected], [0.95], [0.00 low: check against
    the paper]; nothing when the reading does not say."""
    if name in read.corrected:
        return " [corrected]"
    conf = read.confidence.get(name)
    if conf is None:
        return ""
    return f" [{conf:.2f}" + (" low: check against the paper]" if conf < LOW_CONFIDENCE else "]")


def _unit_name(unit: Decimal) -> str:
    return next((name for name, u in UNITS.items() if u == unit), f"{unit:,} yuan")


def reading_check(r: DocumentReading) -> str:
    """What to check by eye: fields read with low confidence, the reader's notes, and what a
    clerk corrected against the paper."""
    read = r.license or r.statement or r.supporting
    if read is None:
        return ""
    low = read.low_confidence()
    notes = [f"{field}: {problem}" for field, problem in read.problems.items()]
    fixed = [f"{field} {note}" for field, note in read.corrected.items()]
    return "; ".join(([f"low confidence: {', '.join(low)}"] if low else []) + notes + fixed)


def covenant_terms(offer: Offer) -> str:
    if offer.covenants is None:
        return "the post-loan policy's defaults (offered before covenants were loan terms)"
    return "; ".join(c.describe() for c in offer.covenants) or "none"


def post_loan_view(s: JourneyStatus, owed: OwedFigures | None = None,
                   refunded: Decimal = ZERO) -> list[RenderableType]:
    """Classification, what the loan owes (`owed`, its figures on its day), arrears, what it
    owes back (`refunded` of it refunded), the next instalment, early warnings, the last
    review."""
    account = s.account
    if account is None:
        return drawing_review_view(s)
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
    parts: list[RenderableType] = [Panel(head, title="post-loan")]
    if s.payments:
        paid = Table("value date", "kind", "reference", "amount", "recorded by", "channel",
                     title="payments")
        for p in s.payments:
            paid.add_row(str(p.paid_on), p.kind, escape(p.reference), money(p.amount),
                         escape(p.recorded_by), p.channel)
        parts.append(paid)
    if len(s.rate_changes) > 1:
        repricings = Table("repricing date", "rate", "was", "fixing", title="LPR repricings")
        for c in s.rate_changes:
            fixing = "none recorded" if c.fixing_on is None else (
                f"{c.base} {c.fixing_rate:.2%} of {c.fixing_on}")
            repricings.add_row(str(c.on), f"{c.new_rate:.2%}", f"{c.old_rate:.2%}", fixing)
        parts.append(repricings)
    return parts + review_tables(s)


def drawing_review_view(s: JourneyStatus) -> list[RenderableType]:
    """A project reviewed while it draws: its class and warnings, and its last review (what
    it owes is the journey panel's drawn and interest); nothing for a journey not reviewed."""
    if s.account is not None or not s.reviewed():
        return []
    head = class_rows(s)
    head.add_row("open warnings", open_warnings(s))
    return [Panel(head, title="reviewed while drawing"), *review_tables(s)]


def class_rows(s: JourneyStatus) -> Table:
    head = Table.grid(padding=(0, 2))
    if s.risk_class is not None:  # an ended loan's is history: no class runs any more
        head.add_row("class at closing" if s.stage.terminal else "classification",
                     f"[bold]{s.risk_class.label_zh}[/] ({s.risk_class})")
    if s.risk_class_reason:
        head.add_row("why", escape(s.risk_class_reason))
    return head


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
                escape(f"{ack.by} {_when(s, ack.at)}: {ack.action}, {ack.note}")
                if ack else "[bold]open[/]"
            )
            warnings.add_row(str(n), str(w.at), w.kind, escape(w.detail), done)
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


def repricing_note(repricings: Sequence[RateChange]) -> str:
    """The repricings a quote applied that the journey has not reached yet, if any."""
    return "".join(f"\nQuoted as repriced on {c.on}, to the LPR fixings recorded now: rate "
                   f"{c.describe()}." for c in repricings)


def settlement_text(workflow_id: str, day: date, quote: Account, matured: bool,
                    repricings: Sequence[RateChange] = (), paid_ahead: Decimal = ZERO) -> str:
    """How to record what `quote` asks: a repayment once the plan has all fallen due
    (`matured`), else an early settlement (whose quote has brought every date to `day`),
    after the repricings it saw ahead of the journey (`repricings`); `paid_ahead`, the
    interest paid ahead today on instalments due by a later `day` (`interest_paid_ahead`),
    named as today's quote names it."""
    parts = quote.owed_parts(paid_ahead)
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


def book_title(risk_class: RiskClass | None) -> str:
    """The loan book's title: "loan book: running loans", of one class when asked."""
    return "loan book: running loans" + (f", class {risk_class.label_zh}" if risk_class else "")


def queue_title(team: str) -> str:
    return f"queue of {team}: cases waiting on the team"


def book_table(lines: list[BookLine], title: str, shown: int | None = None) -> Table:
    """The loan book, worst first, with the totals by class under it; the first `shown`
    lines only when given, and the totals still the whole book's."""
    total = owed_total(lines)
    table = Table(title=title, caption=_book_caption(lines, shown), show_footer=bool(lines))
    table.add_column("journey", no_wrap=True, footer=f"total, {len(lines):,} loans")
    footers = {"arrears": total.arrears, "principal left": total.principal,
               "interest accrued": total.accrued, "to settle today": total.to_settle,
               "paid ahead": total.paid_ahead}
    for name in ("product", "class", "days past due", "arrears", "principal left",
                 "interest accrued", "to settle today", "paid ahead", "next instalment",
                 "open warnings"):
        table.add_column(name, justify="right" if name in _FIGURES else "left",
                         footer=money(footers[name]) if name in footers else "")
    for b in lines[:shown]:
        table.add_row(b.workflow_id, b.product, f"{b.risk_class.label_zh} {b.risk_class}",
                      str(b.days_past_due), money(b.arrears), money(b.principal),
                      money_or_dash(b.accrued), money_or_dash(b.to_settle),
                      money_or_dash(b.paid_ahead or None),
                      b.next_instalment, str(b.open_warnings or "-"))
    return table


_FIGURES = {"days past due", "arrears", "principal left", "interest accrued",
            "to settle today", "paid ahead", "open warnings"}


def money_or_dash(amount: Decimal | None) -> str:
    return "-" if amount is None else money(amount)


def _book_caption(lines: list[BookLine], shown: int | None) -> str:
    if not lines:
        return "no running loan matches"
    totals = "; ".join(f"{t.risk_class.label_zh} {t.risk_class} {t.loans} ({money(t.principal)})"
                       for t in by_class(lines))
    ratio = non_performing_ratio(lines)
    npl = "-" if ratio is None else f"{ratio:.2%}"
    caption = f"{len(lines):,} loans by class (principal left): {totals}\nnon-performing: {npl}"
    if unquoted := owed_total(lines).unquoted:
        caption += (f"\nto settle today: {money(unquoted)} drawing since before quarterly interest "
                    "are quoted at their close only, not in the total")
    if shown is not None and shown < len(lines):
        caption += f"\nlisted: the worst {shown:,} of {len(lines):,} (--limit for more)"
    return caption


def journeys_table(rows: list[JourneyRow], title: str, total: int | None = None,
                   waits: tuple[datetime, WorkingCalendar] | None = None) -> Table:
    """Journeys as listed; `total` is how many match when that is more than the rows. With
    `waits` (now, and the bank's calendar), a team's queue: since when each case has waited
    on the team, how long by now, and its SLA on that wait, on the bank's clock."""
    if not rows:
        caption = "no journey matches"
    elif total is not None and total > len(rows):
        caption = f"the newest {len(rows):,} of {total:,} (--limit for more)"
    else:
        caption = f"{len(rows):,} journeys"
    table = Table(title=title, caption=caption)
    table.add_column("journey", no_wrap=True)
    why = any(r.why for r in rows)  # an approval work list: why each case is at its tier
    breached = any(r.breached for r in rows)  # and the covenants its file already breaches
    waited = waits is not None and any(r.waiting for r in rows)
    for name in ("status", "stage", "team", "SLA", "product", "amount", "started",
                 *(["waiting since", "waited", "SLA on the wait"] if waited else []),
                 *(["why this tier"] if why else []),
                 *(["[red]covenants already breached[/]"] if breached else [])):
        table.add_column(name)
    for r in rows:
        table.add_row(r.workflow_id, r.status, r.stage, r.team, r.sla, r.product,
                      r.amount_band, r.started.strftime("%Y-%m-%d %H:%M"),
                      *(wait_cells(r, *waits) if waited and waits else []),
                      *([escape(r.why or "-")] if why else []),
                      *([escape("; ".join(r.breached) or "-")] if breached else []))
    return table


def wait_cells(r: JourneyRow, now: datetime, calendar: WorkingCalendar) -> list[str]:
    """A queue row's wait: since when (the bank's clock), how long by `now`, its SLA."""
    if r.waiting is None:  # listed before the journey said (QueueWait)
        return ["-", "-", "-"]
    w, offset = r.waiting, calendar.utc_offset_hours
    return [moment_at(w.since, offset), w.waited(now, calendar), w.sla_text(offset)]


def rate_basis(offer: Offer) -> str:
    """" (1y LPR 3.10% + 0.75%)", " (1y LPR 3.00% of 2026-11-20 + 0.75%)": how the offered
    rate was set (over the pinned policy's LPR, or a recorded fixing), when the offer kept it."""
    b = offer.rate_basis
    if b is None:
        return ""
    agreed = ", agreed in the application" if b.agreed else ""
    fixing = f" of {b.fixed_on}" if b.fixed_on else ""
    return f" ({escape(b.base)} {b.base_rate:.2%}{fixing} {spread_text(b.spread)}{agreed})"


def rate_now(offer: Offer, s: JourneyStatus) -> str:
    """The loan's rate as it stands: the last repricing's, or the offer's, fixed or floating."""
    if s.rate_changes:
        return s.rate_changes[-1].describe()
    if floats(offer.rate_basis):
        assert offer.rate_basis is not None
        return (f"{offer.annual_rate:.2%}, floating: repriced to the {offer.rate_basis.base} "
                f"{spread_text(offer.rate_basis.spread)} on each anniversary of the payout")
    return f"{offer.annual_rate:.2%}, fixed for the term"


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
