"""Journey commands for operations: thin functions over the library API (starter/applications.py,
starter/operations.py, starter/work_lists.py, starter/loan_figures.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.markup import escape

from journey.actors import Actor, Role
from journey.application import Channel
from journey.classification import RiskClass
from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    Reassignment,
    Repayment,
    RiskGrade,
    RiskOpinion,
    Signature,
    UpdateResult,
    Verdict,
    Withdrawal,
    WriteOff,
    WrittenAnswer,
)
from journey.decline_reasons import DeclineReason
from journey.documents import DocumentKind
from journey.post_loan_warnings import AcknowledgeWarning, WarningAction
from journey.reading_corrections import ReadingCorrection
from journey.review_contracts import FOR_THE_NEXT_REVIEW
from journey.settings import Settings
from starter import (
    applications,
    book_sections,
    loan_figures,
    operations,
    pending,
    pinned_policy,
    quotes,
    schedules,
    work_lists,
)
from starter.attempts import Attempt, acting
from starter.book_json import book_json
from starter.boundary import run
from starter.connect import connect
from starter.errors import BadInput, EndedOutside, SealBroken, plain_errors
from starter.listings_view import book_table, book_title, journeys_table, queue_title
from starter.lpr import bank_day
from starter.money_received import (
    closed_since,
    drawn_up_today,
    money_received,
    received_period,
)
from starter.pending_return import not_booked, received_money, returned_to_payer, status_json
from starter.pending_send import DOCUMENTS
from starter.refunds import credit_refunded, owed_said
from starter.repayment_view import payoff_text, plan_table, prepayment_text, settlement_text
from starter.status_view import status_view
from starter.terminal import BOOK_WIDTH, wide_console
from store.pending import Delivery

console = wide_console()

As = Annotated[str, typer.Option("--as", help="your staff id, or the customer's credit code")]
RoleOpt = Annotated[Role, typer.Option("--role", help="the role you act in")]


def _staff_role(usual: Role) -> Any:  # a typer option
    def role_of(ctx: typer.Context, role: Role | None) -> Role:
        """`--role` as typed (checked as typed where the act is authorised), else the role
        the staff directory gives the `--as` person, else `usual`, the command's. Click reads
        a typed option before one left out, so `--as` is known here."""
        if role is not None:
            return role
        return pinned_policy.directory_role(Settings(), str(ctx.params.get("actor") or "")) or usual

    return typer.Option("--role", callback=role_of, help="the role you act in (default: yours "
                        f"in the staff directory, else {usual})")


# a role the staff directory knows the person's by: operations', or the risk team's
StaffRole = Annotated[Role | None, _staff_role(Role.OPERATIONS)]
RiskTeamRole = Annotated[Role | None, _staff_role(Role.RISK_OFFICER)]
JourneyId = Annotated[str, typer.Argument(help="journey (workflow) id, e.g. loan-APP-0001")]
Reason = Annotated[str, typer.Option("--reason", help="why; kept in the audit trail")]
Shorten = Annotated[
    bool, typer.Option(help="a prepayment repays the last instalments first: the plan ends "
                            "sooner (default: every later instalment shrinks)")
]
AskKinds = Annotated[
    list[DocumentKind] | None,
    typer.Option("--ask", metavar="business_license|balance_sheet|income_statement",
                 help="with --verdict request_info: a document asked for (repeat it for "
                      "several); none: the reason is a question, answered in writing"),
]
AskPeriods = Annotated[
    list[datetime] | None,
    typer.Option("--period", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                 help="with --verdict request_info: the statements of the period ending that "
                      "day, a month's last day that has passed (repeat it for several); "
                      "without --ask, both statements"),
]
Category = Annotated[
    DeclineReason | None,
    typer.Option(help="with --verdict reject: the category of the reason, which the customer "
                      "is told (the reason is not); none: the bank's overall assessment"),
]
Day = Annotated[
    datetime | None,
    typer.Option(formats=["%Y-%m-%d"],
                 help="the day it would be paid (default: today, by the loan's days)"),
]


def _actor(actor_id: str, role: Role) -> Actor:
    return Actor(id=actor_id, role=role)


def _asks(kinds: list[DocumentKind] | None, periods: list[datetime] | None) -> object:
    """What a request for information names, as its model takes it; None: nothing named."""
    if not kinds and not periods:
        return None
    return {"kinds": kinds or [], "periods": [p.date() for p in periods or []]}


def _request(model: type[BaseModel], **fields: object) -> BaseModel:
    try:
        return model.model_validate(fields)
    except ValidationError as err:
        raise typer.BadParameter(plain_errors(err)) from None


def _application(params: Mapping[str, Any]) -> Attempt:
    """Who starts which journey, as far as the application file says: a start refused before
    its journey exists is kept under the journey id the application would have had."""
    try:
        data = json.loads(Path(params["application"]).read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        data = None
    data = data if isinstance(data, dict) else {}
    application_id = data.get("application_id")
    by = data.get("submitted_by")
    by = by if isinstance(by, dict) else {}
    return Attempt(
        workflow_id=applications.journey_id(application_id)
        if isinstance(application_id, str) and application_id else "-",
        actor=str(by.get("id") or "-"), role=str(by.get("role") or "-"))


def send_update(workflow_id: str, update: str, request: BaseModel) -> None:
    """Send an act; one no worker takes in time is kept until delivered (starter/pending.py)."""
    settings = Settings()

    async def go() -> None:
        _said(update, await pending.act_or_keep(None, settings, workflow_id, update, request))

    run(go())


def _said(update: str, result: UpdateResult) -> None:
    console.print(f"{update}: accepted; journey at [bold]{result.stage}[/] "
                  f"{escape(result.message)}")


@acting("start", named=_application)
def start(
    application: Annotated[Path, typer.Argument(help="application JSON")],
    documents: Annotated[list[Path] | None, typer.Argument(help="document scans")] = None,
) -> None:
    """Start a journey for an application, with its documents."""
    settings = Settings()

    async def go() -> None:
        refs = applications.store_documents(settings, documents or [])
        app = applications.load_application(application, refs)
        handle = await applications.start_journey(None, settings, app)  # connects once startable
        console.print(f"started [bold]{handle.id}[/] with {len(app.documents)} document(s)")

    run(go())


def status(
    workflow_id: JourneyId,
    as_json: Annotated[bool, typer.Option("--json", help="print the raw status JSON")] = False,
) -> None:
    """Where a journey stands: stage, what it waits for, timeline, documents, decisions."""

    async def go() -> None:
        client = await connect()
        try:
            s = await operations.status(client, workflow_id)
        except EndedOutside as ended:  # how the server ended it, then the message, exit 3
            if as_json:
                print(ended.end.model_dump_json(indent=2))
            raise
        settings = Settings()
        if as_json:
            print(json.dumps(status_json(s, settings), indent=2, ensure_ascii=False))
        else:
            try:
                owed, unquoted = loan_figures.owed_on(s, quotes.fixings_for(s, settings)), None
            except SealBroken as err:  # the rest of the status stands
                owed, unquoted = None, f"what it owes not shown: {err}"
            console.print(status_view(s, owed, credit_refunded(settings, workflow_id)))
            if unquoted:
                console.print(f"[red]{escape(unquoted)}[/]")
            for line in not_booked(settings, workflow_id):
                console.print(f"[red]{escape(line)}[/]")
            for line in returned_to_payer(settings, workflow_id):
                console.print(escape(line))
            for line in owed_said(settings, s, bank_day()):
                console.print(escape(line))
            if (reviews := await schedules.reviews_said(client, s)) is not None:
                said, warning = reviews
                console.print(f"[yellow]{escape(said)}[/]" if warning else escape(said))

    run(go())


def plan(workflow_id: JourneyId) -> None:
    """The repayment plan of an offered or running loan."""

    async def go() -> None:
        s = await operations.status(await connect(), workflow_id)
        if s.offer is None:
            raise BadInput(f"{workflow_id} has no offer yet: it is at {s.stage}")
        console.print(plan_table(s))

    run(go())


def list_(
    query: Annotated[
        str | None, typer.Option(help="a visibility query, e.g. \"JourneyStage='offer'\"")
    ] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
) -> None:
    """Journeys from Temporal visibility, newest first."""

    async def go() -> None:
        client = await connect()
        rows = await work_lists.list_journeys(client, query, limit)
        total = await work_lists.count_journeys(client, query) if len(rows) == limit else None
        console.print(journeys_table(rows, "journeys", total))

    run(go())


ShowQuery = Annotated[bool, typer.Option(
    "--show-query", help="print the Temporal visibility query the list was read with (the "
                         "Web UI lists the same with it)")]


def queue(
    team: Annotated[str, typer.Option(help="e.g. sme_risk, corporate_risk, branch")],
    show_query: ShowQuery = False,
) -> None:
    """What waits on a team now, most urgent first (the same list as the Web UI with the
    query `--show-query` prints)."""

    async def go() -> None:
        rows = await work_lists.waiting_on(await connect(), team)
        console.print(journeys_table(rows, queue_title(team),
                                     waits=work_lists.queue_clock(datetime.now(UTC))))
        if show_query:
            console.print(escape(f"visibility query: {work_lists.queue_query(team)}"))
        if not rows and team not in (known := pinned_policy.team_names(Settings())):
            console.print(escape(f"{team!r} is no team of the policy: {', '.join(known)}"))

    run(go())


def book(
    risk_class: Annotated[
        RiskClass | None, typer.Option("--class", parser=RiskClass.named,
                                       help="one class only, e.g. special_mention or 关注")
    ] = None,
    limit: Annotated[
        int, typer.Option(help="list at most this many loans, worst first; the totals count all")
    ] = 500,
    month: Annotated[str | None, typer.Option(
        help="the money received valued in this month, YYYY-MM (default: the current one, to "
             "today)")] = None,
    first: Annotated[datetime | None, typer.Option(
        "--from", formats=["%Y-%m-%d"], help="the money received valued from this day")] = None,
    last: Annotated[datetime | None, typer.Option(
        "--to", formats=["%Y-%m-%d"], help="... to this day (default: today)")] = None,
    on: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="the day the book is drawn up on: today only (the loans' "
                                   "figures are the journeys' today)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the same figures as JSON, money as "
                                                         "strings to the fen, and the query "
                                                         "the loans were read with")] = False,
    show_query: ShowQuery = False,
) -> None:
    """The loan book: running loans by five-tier class (五级分类), worst first, with totals;
    then the undrawn commitments of projects still drawing, the money received and not
    booked, and (the whole book only) the money received in a period, reconciled: booked to
    the loans by kind, not booked, returned to the payer, kept and not delivered."""

    async def go() -> None:
        today = bank_day()
        period = received_period(today, month, first.date() if first else None,
                                 last.date() if last else None)
        drawn_up_today(today, on.date() if on else None)
        settings = Settings()
        client = await connect()
        whole = risk_class is None
        query = work_lists.book_query(risk_class)
        if whole:
            query = f"({query}) OR ({closed_since(period.first)})"
        reads = await work_lists.journey_reads(client, query)
        book = work_lists.book_of(reads, risk_class, quotes.recorded(settings))
        unbooked = received_money(settings, Delivery.UNBOOKED)
        received = money_received([s for _, s in reads], settings, period) if whole else None
        if as_json:
            print(json.dumps(book_json(book, unbooked, today, received) | {"query": query},
                             indent=2, ensure_ascii=False))
            return
        out = wide_console(BOOK_WIDTH)
        out.print(book_table(book.lines, book_title(risk_class), shown=limit))
        if show_query:
            out.print(escape(f"visibility query: {query}"))
        if whole:
            out.print(book_sections.commitments_table(book.commitments))
        out.print(book_sections.unbooked_table(unbooked))
        if received is not None:
            out.print(book_sections.received_table(received))

    run(go())


@acting("add_documents")
def documents(
    workflow_id: JourneyId,
    files: Annotated[list[Path], typer.Argument(help="document scans")],
    actor: As,
    role: RoleOpt = Role.CUSTOMER,
    channel: Channel = Channel.WEB,
) -> None:
    """Add documents to a journey: supplements while it is decided; once the loan runs,
    newer financial statements, which its next review reads. Typed while no worker answers,
    they are kept (stored) and delivered later (`pending`)."""
    settings = Settings()
    refs = applications.store_documents(settings, files)  # stored first: a kept act refers to them
    body = _request(AddDocuments, actor=_actor(actor, role), documents=refs, channel=channel)

    async def go() -> None:
        result = await pending.act_or_keep(None, settings, workflow_id, DOCUMENTS, body)
        # taken as newer statements, or as supplements: the journey's answer says which
        _said("add_statements" if result.message.endswith(FOR_THE_NEXT_REVIEW)
              else "add_documents", result)

    run(go())


@acting("answer_question")
def answer(
    workflow_id: JourneyId,
    text: Annotated[str, typer.Option("--text", help="the answer, as the customer gives it")],
    actor: As,
    role: RoleOpt = Role.CUSTOMER,
    channel: Channel = Channel.WEB,
) -> None:
    """Answer in writing a decider's question (a request for information that names no
    documents): the customer, or the case's own relationship manager (who submitted it)
    typing what the customer said."""
    send_update(workflow_id, "answer_question",
                _request(WrittenAnswer, actor=_actor(actor, role), text=text, channel=channel))


@acting("record_risk_opinion")
def opinion(
    workflow_id: JourneyId,
    verdict: Annotated[Verdict, typer.Option()],
    reason: Reason,
    actor: As,
    grade: Annotated[RiskGrade | None, typer.Option(
        help="obligor grade 1 (best) to 10; a request for information may leave it out")] = None,
    role: RoleOpt = Role.RISK_OFFICER,
    ask: AskKinds = None,
    period: AskPeriods = None,
    category: Category = None,
) -> None:
    """Record the risk team's opinion."""
    send_update(
        workflow_id,
        "record_risk_opinion",
        _request(RiskOpinion, actor=_actor(actor, role), verdict=verdict, grade=grade,
                 reason=reason, asks=_asks(ask, period), category=category),
    )


@acting("decide")
def decide(
    workflow_id: JourneyId,
    verdict: Annotated[Verdict, typer.Option()],
    reason: Reason,
    actor: As,
    role: RoleOpt = Role.APPROVER,
    ask: AskKinds = None,
    period: AskPeriods = None,
    category: Category = None,
) -> None:
    """Approve, reject or ask for more information at the approval stage."""
    send_update(
        workflow_id,
        "decide",
        _request(ApprovalDecision, actor=_actor(actor, role), verdict=verdict, reason=reason,
                 asks=_asks(ask, period), category=category),
    )


@acting("sign", role=Role.CUSTOMER)
def sign(workflow_id: JourneyId, actor: As, channel: Channel = Channel.APP) -> None:
    """The customer signs the offer (--as the company's credit code)."""
    send_update(
        workflow_id,
        "sign",
        _request(Signature, actor=_actor(actor, Role.CUSTOMER), channel=channel),
    )


@acting("withdraw")
def withdraw(
    workflow_id: JourneyId, reason: Reason, actor: As, role: RoleOpt = Role.CUSTOMER,
    channel: Annotated[Channel | None, typer.Option(
        help="where the customer said it (branch, phone, ...): the touchpoint of a project's "
             "drawdowns closed keeps it [default: not stated]")] = None,
) -> None:
    """Withdraw the application (before disbursement), or a project between drawdowns; once
    signed, as the customer or the supervisor of the loan's risk team, with the reason."""
    send_update(workflow_id, "withdraw",
                _request(Withdrawal, actor=_actor(actor, role), reason=reason, channel=channel))


@acting("reassign")
def reassign(
    workflow_id: JourneyId,
    to: Annotated[str, typer.Option()],
    reason: Reason,
    actor: As,
    role: RoleOpt = Role.SUPERVISOR,
) -> None:
    """Reassign the risk review to another officer or a supervisor."""
    send_update(
        workflow_id,
        "reassign",
        _request(Reassignment, actor=_actor(actor, role), to=to, reason=reason),
    )


@acting("correct_reading")
def correct(
    workflow_id: JourneyId,
    document: Annotated[str, typer.Option(help="the document's sha256, or its first 12 "
                                               "characters as `status` shows them")],
    field: Annotated[str, typer.Option(
        help="licence: name, credit_code; statement: company, unit, or a figure (cash, "
             "current_assets, total_assets, current_liabilities, total_liabilities, "
             "total_equity, revenue, operating_profit, net_profit)")],
    value: Annotated[str, typer.Option(
        help="as the paper prints it: a figure in the statement's unit, a unit as 元, 千元 "
             "or 万元")],
    actor: As,
    role: StaffRole = None,
    reason: Annotated[str, typer.Option("--reason", help="what you checked; kept in the "
                                                         "audit trail")] = "",
    confirm: Annotated[bool, typer.Option(
        "--confirm", help="take a unit that makes the statement's figures implausible for "
                          "the loan: you checked it on the paper")] = False,
) -> None:
    """Correct what OCR read of a document, typed against the paper (operations, while the
    file is checked): the file is checked again with it."""
    send_update(workflow_id, "correct_reading",
                _request(ReadingCorrection, actor=_actor(actor, role or Role.OPERATIONS),
                         document=document, field=field, value=value, reason=reason,
                         confirmed=confirm))


@acting("record_repayment")
def repay(
    workflow_id: JourneyId,
    amount: Annotated[Decimal, typer.Option()],
    reference: Annotated[str, typer.Option()],
    actor: As,
    role: RoleOpt = Role.OPERATIONS,
    settle: Annotated[
        bool, typer.Option(help="settle the whole loan early: at least `settlement`'s quote")
    ] = False,
    prepay: Annotated[
        bool, typer.Option(help="repay part of the principal ahead of the plan (`prepayment`)")
    ] = False,
    shorten: Shorten = False,
    paid_on: Annotated[
        datetime | None,
        typer.Option("--paid-on", formats=["%Y-%m-%d"], metavar="YYYY-MM-DD",
                     help="the value date, the day the money arrived (default: today, the "
                          "bank's day, as typed: also when a worker books it later)"),
    ] = None,
    channel: Annotated[Channel, typer.Option(
        help="where the money came in: branch (the counter, by default), phone, "
             "relationship_manager, web, app; api is for system integrations")] = Channel.BRANCH,
) -> None:
    """Record a repayment (idempotent by reference), an early settlement or a prepayment."""
    send_update(
        workflow_id,
        "record_repayment",
        _request(Repayment, actor=_actor(actor, role), amount=amount, reference=reference,
                 settles=settle, prepays=prepay, shortens=shorten,
                 paid_on=paid_on.date() if paid_on else bank_day(), channel=channel),
    )


def settlement(workflow_id: JourneyId, on: Day = None) -> None:
    """What settles a running loan on a day: early, the principal left, interest to the day
    and arrears; once the plan has all fallen due, everything owed with penalty interest; a
    project still drawing, today: its drawn principal, interest and commitment fee."""

    async def go() -> None:
        s = await operations.status(await connect(), workflow_id)
        if (payoff := loan_figures.payoff_while_drawing(s, on.date() if on else None)) is not None:
            console.print(payoff_text(workflow_id, payoff))
            return
        day = on.date() if on else loan_figures.loan_day(s)
        s, ahead = quotes.as_on(s, day, Settings())
        quote = loan_figures.settlement(s, day)
        console.print(settlement_text(workflow_id, day, quote,
                                      loan_figures.matured(s, day), ahead,
                                      loan_figures.paid_ahead_by(s, day)))

    run(go())


def prepayment(
    workflow_id: JourneyId,
    amount: Annotated[Decimal, typer.Option(help="what the customer would pay")],
    on: Day = None,
    shorten: Shorten = False,
) -> None:
    """What prepaying part of a running loan does: principal repaid, the plan after it."""

    async def go() -> None:
        s = await operations.status(await connect(), workflow_id)
        day = on.date() if on else loan_figures.loan_day(s)
        s, ahead = quotes.as_on(s, day, Settings())
        after = loan_figures.prepayment(s, amount, day, shorten)
        console.print(prepayment_text(workflow_id, day, amount, s.account, after,
                                      shorten, ahead))

    run(go())


@acting("acknowledge_warning")
def acknowledge(
    workflow_id: JourneyId,
    action: Annotated[WarningAction, typer.Option(help="what the risk team did about it")],
    note: Annotated[str, typer.Option(help="what was found and done; kept in the audit trail")],
    actor: As,
    role: RiskTeamRole = None,
    warning: Annotated[
        list[int] | None,
        typer.Option(help="an early warning's number from `status` (repeat); none: every open one"),
    ] = None,
) -> None:
    """Acknowledge a loan's early warnings (its risk team); none open: off the team's queue."""
    send_update(
        workflow_id,
        "acknowledge_warning",
        _request(
            AcknowledgeWarning, actor=_actor(actor, role or Role.RISK_OFFICER),
            numbers=warning or [], action=action,
            note=note,
        ),
    )


@acting("write_off")
def write_off(
    workflow_id: JourneyId,
    reason: Reason,
    actor: As,
    role: RoleOpt = Role.APPROVER,
) -> None:
    """A credit-committee member's vote to write a non-performing loan off (核销)."""
    send_update(workflow_id, "write_off",
                _request(WriteOff, actor=_actor(actor, role), reason=reason))


def register(app: typer.Typer) -> None:
    for command in (
        start,
        status,
        plan,
        queue,
        book,
        documents,
        answer,
        opinion,
        decide,
        sign,
        withdraw,
        reassign,
        correct,
        repay,
        settlement,
        prepayment,
        acknowledge,
    ):
        app.command()(command)
    app.command("write-off")(write_off)
    app.command("list")(list_)
