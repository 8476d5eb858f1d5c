"""Commands while an application is decided: start it, add documents, answer a question,
the risk team's opinion, the approval, the signature, withdrawal, an amendment of the amount
or term, reassignment, reading corrections. Thin functions over `starter.operations`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel
from rich.markup import escape

from journey.actors import Role
from journey.application import Channel
from journey.decisions import (
    AddDocuments,
    Amendment,
    ApprovalDecision,
    Capacity,
    Reassignment,
    RiskGrade,
    RiskOpinion,
    Signature,
    Verdict,
    Withdrawal,
    WrittenAnswer,
)
from journey.decline_reasons import DeclineReason
from journey.documents import DocumentKind
from journey.info_request import refuse_unasked
from journey.policy.errors import DecisionRefused
from journey.reading_corrections import ReadingCorrection
from journey.review_contracts import FOR_THE_NEXT_REVIEW
from journey.settings import Settings
from starter import applications, pending, workers
from starter.attempts import Attempt, acting
from starter.boundary import run
from starter.connect import connect
from starter.journey_cli import (
    As,
    JourneyId,
    Reason,
    RoleOpt,
    StaffRole,
    as_actor,
    console,
    said,
    send_update,
    validated,
)
from starter.pending_send import DOCUMENTS
from starter.typed_values import day

AskKinds = Annotated[
    list[DocumentKind] | None,
    typer.Option("--ask", metavar="business_license|balance_sheet|income_statement",
                 help="with --verdict request_info: a document asked for (repeat it for "
                      "several); none: the question is answered in writing"),
]
AskPeriods = Annotated[
    list[datetime] | None,
    typer.Option("--period", parser=day, metavar="YYYY-MM-DD",
                 help="with --verdict request_info: the statements of the period ending that "
                      "day, a month's last day that has passed (repeat it for several); "
                      "without --ask, both statements"),
]
Category = Annotated[
    DeclineReason | None,
    typer.Option(help="with --verdict reject: the category of the reason, which the customer "
                      "is told (the reason is not); none: the bank's overall assessment"),
]


Question = Annotated[str | None, typer.Option(
    help="with --verdict request_info, and required there: the question the customer is "
         "sent, in words for them (--reason stays in the bank's record)")]


def _asks(kinds: list[DocumentKind] | None, periods: list[datetime] | None) -> object:
    """What a request for information names, as its model takes it; None: nothing named."""
    if not kinds and not periods:
        return None
    return {"kinds": kinds or [], "periods": [p.date() for p in periods or []]}


def _decision(model: type[BaseModel], *, verdict: Verdict, question: str | None,
              **fields: object) -> BaseModel:
    """A decider's verdict; a request for information without its question is bad input."""
    try:
        refuse_unasked(verdict, question)
    except DecisionRefused as err:
        raise typer.BadParameter(str(err)) from None
    return validated(model, verdict=verdict, question=question, **fields)


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


@acting("start", named=_application)
def start(
    application: Annotated[Path, typer.Argument(help="application JSON")],
    documents: Annotated[list[Path] | None, typer.Argument(help="document scans")] = None,
    renamed_from: Annotated[str | None, typer.Option(
        "--renamed-from", metavar="OLD NAME",
        help="the applicant is the company the bank holds its credit code for under OLD NAME, "
             "renamed (名称变更): recorded, declared by the submitter")] = None,
) -> None:
    """Start a journey for an application, with its documents."""
    settings = Settings()

    async def go() -> None:
        refs = applications.store_documents(settings, documents or [])
        app = applications.load_application(application, refs)
        handle = await applications.start_journey(  # connects once startable
            None, settings, app, renamed_from=renamed_from)
        console.print(f"started [bold]{handle.id}[/] with {len(app.documents)} document(s)")
        polled = await workers.polled(await connect(settings), settings.task_queue)
        # what the submitter does next: it said no more, and the tour is in docs/ alone
        read = "its documents are read now: " if app.documents and polled else ""
        console.print(escape(f"{read}`loan-journey status {handle.id}` "
                             "says what it waits for, on whom; `loan-journey queue --rm "
                             f"{app.submitted_by.id}` lists the cases {app.submitted_by.id} "
                             "submitted, waiting on the customer or on the bank"))
        if not polled:
            console.print(f"[yellow]no worker polls task queue {settings.task_queue}: nothing "
                          "moves until one runs (`loan-journey worker`, `loan-journey up`, "
                          "compose's `worker`)[/]")

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
    body = validated(AddDocuments, actor=as_actor(actor, role), documents=refs, channel=channel)

    async def go() -> None:
        result = await pending.act_or_keep(None, settings, workflow_id, DOCUMENTS, body)
        # taken as newer statements, or as supplements: the journey's answer says which
        said("add_statements" if result.message.endswith(FOR_THE_NEXT_REVIEW)
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
                validated(WrittenAnswer, actor=as_actor(actor, role), text=text, channel=channel))


@acting("record_risk_opinion")
def opinion(
    workflow_id: JourneyId,
    verdict: Annotated[Verdict, typer.Option()],
    reason: Reason,
    actor: As,
    grade: Annotated[RiskGrade | None, typer.Option(
        help="obligor grade 1 (best) to 10; a request for information may leave it out")] = None,
    role: RoleOpt = Role.RISK_OFFICER,
    question: Question = None,
    ask: AskKinds = None,
    period: AskPeriods = None,
    category: Category = None,
) -> None:
    """Record the risk team's opinion."""
    send_update(
        workflow_id,
        "record_risk_opinion",
        _decision(RiskOpinion, actor=as_actor(actor, role), verdict=verdict, grade=grade,
                  reason=reason, question=question, asks=_asks(ask, period),
                  category=category),
    )


@acting("decide")
def decide(
    workflow_id: JourneyId,
    verdict: Annotated[Verdict, typer.Option()],
    reason: Reason,
    actor: As,
    role: RoleOpt = Role.APPROVER,
    question: Question = None,
    ask: AskKinds = None,
    period: AskPeriods = None,
    category: Category = None,
) -> None:
    """Approve, reject or ask for more information at the approval stage."""
    send_update(
        workflow_id,
        "decide",
        _decision(ApprovalDecision, actor=as_actor(actor, role), verdict=verdict,
                  reason=reason, question=question, asks=_asks(ask, period), category=category),
    )


@acting("sign", role=Role.CUSTOMER)
def sign(
    workflow_id: JourneyId,
    actor: As,
    signatory: Annotated[str, typer.Option(
        help="who signed for the company, by name (a legal representative's as the business "
             "licence names them)")],
    capacity: Annotated[Capacity, typer.Option(
        help="legal_representative (法定代表人) or authorised_agent (授权代表, with "
             "--power-of-attorney)")],
    evidence: Annotated[str, typer.Option(
        help="the e-signature or contract reference: the e-sign platform's certificate "
             "serial or signing record id, or \"wet ink, branch <name>, witnessed by <staff "
             "id>\"")],
    power_of_attorney: Annotated[str | None, typer.Option(
        help="an authorised agent's: the power of attorney's reference")] = None,
    channel: Channel = Channel.APP,
) -> None:
    """The customer signs the offer (--as the company's credit code), naming who signed for
    it, in what capacity, and the evidence."""
    send_update(
        workflow_id,
        "sign",
        validated(Signature, actor=as_actor(actor, Role.CUSTOMER), channel=channel,
                  signatory=signatory, capacity=capacity, evidence=evidence,
                  power_of_attorney=power_of_attorney),
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
                validated(Withdrawal, actor=as_actor(actor, role), reason=reason, channel=channel))


@acting("amend_application")
def amend(
    workflow_id: JourneyId,
    reason: Annotated[str, typer.Option(
        "--reason", help="what the customer asked and why (at least ten letters or four "
                         "Chinese characters); kept in the audit trail")],
    actor: As,
    amount: Annotated[Decimal | None, typer.Option(
        help="the amount the customer now asks for, in yuan")] = None,
    term: Annotated[int | None, typer.Option(
        "--term", help="the term the customer now asks for, in months")] = None,
    role: RoleOpt = Role.RELATIONSHIP_MANAGER,
    channel: Annotated[Channel | None, typer.Option(
        help="where the customer asked (branch, phone, ...) [default: not stated]")] = None,
) -> None:
    """Amend the amount or the term the customer asks for, before the approval is decided
    (the case's relationship manager or operations): at risk review or approval the case is
    routed again on it and its risk opinion given again."""
    send_update(workflow_id, "amend_application",
                validated(Amendment, actor=as_actor(actor, role), amount=amount,
                          term_months=term, reason=reason, channel=channel))


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
        validated(Reassignment, actor=as_actor(actor, role), to=to, reason=reason),
    )


@acting("correct_reading")
def correct(
    workflow_id: JourneyId,
    document: Annotated[str, typer.Option(help="the document's sha256, or its first 12 "
                                               "characters as `status` shows them")],
    field: Annotated[str, typer.Option(
        help="licence: name, credit_code, registered_capital (yuan); statement: company, "
             "unit, or a figure (cash, current_assets, total_assets, current_liabilities, "
             "total_liabilities, total_equity, revenue, operating_profit, net_profit)")],
    actor: As,
    value: Annotated[str, typer.Option(
        help="as the paper prints it: a figure in the statement's unit, a unit as 元, 千元 "
             "or 万元")] = "",
    as_read: Annotated[bool, typer.Option(
        "--as-read", help="the paper says what was read: recorded as checked, nothing typed "
                          "(a licence's term too: --field term)")] = False,
    role: StaffRole = None,
    reason: Annotated[str, typer.Option("--reason", help="what you checked; kept in the "
                                                         "audit trail")] = "",
    confirm: Annotated[bool, typer.Option(
        "--confirm", help="take a unit that makes the statement's figures implausible for "
                          "the loan, or a figure that makes the statement contradict itself "
                          "(a part above its total, a balance sheet that no longer balances): "
                          "you checked it on the paper")] = False,
) -> None:
    """Correct what OCR read of a document, typed against the paper, or check it as read
    (operations, while the file is checked): the file is checked again with it."""
    send_update(workflow_id, "correct_reading",
                validated(ReadingCorrection, actor=as_actor(actor, role or Role.OPERATIONS),
                         document=document, field=field, value=value, reason=reason,
                         confirmed=confirm, as_read=as_read))
