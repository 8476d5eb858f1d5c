"""A simulated operations team for the demo: it acts on journeys the way people would,
through the same updates and validators, choosing staff from the policy's directory."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from temporalio.client import Client

from journey.actors import Actor, Role
from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    Capacity,
    Repayment,
    RiskGrade,
    RiskOpinion,
    Signature,
    Verdict,
    Withdrawal,
)
from journey.documents import UNITS, DocumentReading
from journey.entrusted_payment import Counterparty, PaymentConfirmation, PaymentInstruction
from journey.figures_checked import FigureToCheck, to_check
from journey.policy import Policy, Route, StaffMember
from journey.reading_corrections import ReadingCorrection
from journey.repayment import cents
from journey.settings import Settings
from journey.signatories import borrowers_licence
from journey.stages import Party, Stage
from journey.status import JourneyStatus
from starter import applications, loan_figures, operations

OPERATIONS = Actor(id="ops-wang", role=Role.OPERATIONS)
CHECKER = Actor(id="ops-li", role=Role.OPERATIONS)  # confirms what OPERATIONS entered
# what the demo's scans print, as generated (samples/demo): the paper its clerk checks against
PAPER = Path(__file__).resolve().parents[1] / "samples" / "demo" / "labels.json"


def the_paper(labels: Path = PAPER) -> dict[str, dict[str, str]]:
    """What each of the demo's scans prints, by file name."""
    return {page["file"]: page for page in json.loads(labels.read_text(encoding="utf-8"))}


_PEOPLE_ACT = {Stage.RISK_REVIEW, Stage.APPROVAL, Stage.OFFER, Stage.POST_LOAN}


@dataclass
class Scenario:
    """One sample application and how the people around it behave."""

    title: str
    application: Path
    documents: list[Path]
    supplements: list[Path] = field(default_factory=list)
    ending: str = "closed"  # closed | active | rejected | withdrawn
    prepays: Decimal = Decimal(0)  # the share of the loan repaid ahead of the plan once it runs
    # an entrusted payout's counterparties (受托支付), as operations read them from the
    # borrower's commercial contracts; their amounts add up to the loan
    paid_to: list[Counterparty] = field(default_factory=list)


def _actor(member: StaffMember) -> Actor:
    return Actor(id=member.id, role=member.role)


def risk_officer(policy: Policy, team: str) -> Actor:
    return _actor(next(m for m in policy.staff if m.role is Role.RISK_OFFICER and m.team == team))


def approvers(policy: Policy, route: Route, amount: Decimal) -> list[Actor]:
    """As many approvers at the route's tier as it needs, each with a limit that covers the
    `amount`, or the borrower's exposure when routing weighed it."""
    weighed = route.decided_on or amount
    found = [
        m
        for m in policy.staff
        if m.role is Role.APPROVER
        and m.tier == route.tier
        and m.active
        and (m.limit is None or m.limit >= weighed)
    ]
    return [_actor(m) for m in found[:route.approvals_required]]


def paper_checks(s: JourneyStatus, paper: dict[str, dict[str, str]], clerk: Actor
                 ) -> list[ReadingCorrection]:
    """What `clerk` does with the figures the journey holds for operations, holding the paper
    (`paper`, by file name, as labels.json): checks each as read where the paper says what was
    read, else corrects it to what the paper prints."""
    on_file = [r for r in s.readings if s.standing is None or r.ref.sha256 in s.standing]
    return [_checked(f, next(r for r in on_file if r.ref.sha256 == f.document),
                     paper.get(f.filename, {}), clerk) for f in to_check(on_file)]


def _checked(figure: FigureToCheck, reading: DocumentReading, paper: dict[str, str],
             clerk: Actor) -> ReadingCorrection:
    read = reading.license or reading.statement
    unit = getattr(read, "unit", None) or Decimal(1)
    printed, was = paper.get(figure.field), getattr(read, figure.field, None)
    typed = None  # what the paper prints where it differs from what was read
    if figure.field in ("company", "name", "credit_code"):
        typed = printed if (printed or None) != was else None
    elif figure.field == "unit":
        typed = printed if printed and UNITS[printed] != unit else None
    elif figure.field == "period_end":
        typed = printed if printed and printed != str(was) else None
    elif printed is not None and Decimal(printed) != was:
        typed = f"{Decimal(printed) / unit:,}"  # in the paper's unit
    return ReadingCorrection(actor=clerk, document=figure.document, field=figure.field,
                             value=typed or "", as_read=typed is None,
                             reason="checked against the paper")


async def _until_ended(client: Client, workflow_id: str) -> JourneyStatus:
    while not (s := await operations.status(client, workflow_id)).stage.terminal:
        await asyncio.sleep(0.2)
    return s


async def _prepay(
    client: Client, workflow_id: str, s: JourneyStatus, share: Decimal, on_stage: object
) -> JourneyStatus:
    """The customer repays `share` of the loan ahead of the plan, as operations record it."""
    if not share or s.disbursement is None:
        return s
    today = loan_figures.payment_day(s)
    amount = cents(s.disbursement.amount * share)
    loan_figures.prepayment(s, amount, today)  # the quote's checks, as `loan-journey prepayment`
    await operations.act(
        client, workflow_id, "record_repayment",
        Repayment(actor=OPERATIONS, reference=f"PRE-{workflow_id}", amount=amount,
                  paid_on=today, prepays=True),
    )
    after = await operations.status(client, workflow_id)
    on_stage(after)  # type: ignore[operator]
    return after


def signature(s: JourneyStatus, customer: Actor) -> Signature:
    """The customer's signature by the legal representative the borrower's licence names as
    read, on the e-sign platform; a licence naming none read: by an authorised agent."""
    on_file = [r for r in s.readings if s.standing is None or r.ref.sha256 in s.standing]
    licence = borrowers_licence(on_file, customer.id, s.applicant or "")
    if licence is not None and licence.legal_representative:
        return Signature(actor=customer, signatory=licence.legal_representative,
                         capacity=Capacity.LEGAL_REPRESENTATIVE, evidence=_esigned(customer))
    return agent_signature(customer)


def agent_signature(customer: Actor) -> Signature:
    """The customer's signature by an authorised agent under a power of attorney, on the
    e-sign platform: evidenced, and not checked against the licence as read."""
    return Signature(actor=customer, signatory="王敏", capacity=Capacity.AUTHORISED_AGENT,
                     power_of_attorney=f"POA-{customer.id[-6:]}", evidence=_esigned(customer))


def _esigned(customer: Actor) -> str:
    """The e-sign platform's certificate serial of the customer's signature, in the demo."""
    return f"e-sign certificate DEMO-{customer.id[-6:]}"


async def play(
    client: Client,
    settings: Settings,
    policy: Policy,
    scenario: Scenario,
    suffix: str,
    on_stage: object,
) -> JourneyStatus:
    """Start the scenario's journey and act at each stage until it ends or is left running."""
    refs = applications.store_documents(settings, scenario.documents)
    application = applications.load_application(scenario.application, refs)
    application.application_id = f"{application.application_id}-{suffix}"
    customer = Actor(id=application.credit_code, role=Role.CUSTOMER)
    handle = await applications.start_journey(client, settings, application)
    supplements = list(scenario.supplements)
    paper = the_paper()
    seen: tuple[Stage, int, Party] | None = None
    while True:
        s = await operations.status(client, handle.id)
        if (s.stage, s.attempt, s.waits_on) != seen:  # documents come to operations: shown
            seen = (s.stage, s.attempt, s.waits_on)
            on_stage(s)  # type: ignore[operator]
        if s.stage.terminal:
            return s
        asked = s.stage is Stage.COMPLETENESS and bool(s.waiting_for and supplements)
        instructing = (s.stage is Stage.DISBURSEMENT and s.entrusted is not None
                       and s.entrusted.instruction is None)
        checking = s.stage is Stage.DOCUMENTS and s.waits_on is Party.BANK  # unsure figures
        if not (asked or instructing or checking or s.stage in _PEOPLE_ACT):
            await asyncio.sleep(0.2)
            continue
        if checking:  # the clerk takes the paper before the risk review sees the figures
            for check in paper_checks(s, paper, OPERATIONS):
                await operations.act(client, handle.id, "correct_reading", check)
        elif instructing and s.entrusted is not None and s.entrusted.awaiting is not None:
            await operations.act(  # maker-checker: a second operations person confirms
                client, handle.id, "confirm_payment_instruction",
                PaymentConfirmation(actor=CHECKER, instruction=s.entrusted.entered),
            )
        elif instructing:
            await operations.act(
                client, handle.id, "record_payment_instruction",
                PaymentInstruction(actor=OPERATIONS, counterparties=scenario.paid_to),
            )
        elif s.stage is Stage.COMPLETENESS:
            refs = applications.store_documents(settings, [supplements.pop(0)])
            await operations.act(
                client, handle.id, "add_documents", AddDocuments(actor=customer, documents=refs)
            )
        elif s.stage is Stage.RISK_REVIEW and s.route:
            rejected = scenario.ending == "rejected"
            await operations.act(
                client,
                handle.id,
                "record_risk_opinion",
                RiskOpinion(
                    actor=risk_officer(policy, s.route.team),
                    verdict=Verdict.REJECT if rejected else Verdict.APPROVE,
                    grade=RiskGrade.G7 if rejected else RiskGrade.G3,
                    reason="leverage too high for the cash flow"
                    if rejected
                    else "cash flow covers the debt service",
                ),
            )
        elif s.stage is Stage.APPROVAL and s.route:
            for approver in approvers(policy, s.route, application.amount):
                await operations.act(
                    client,
                    handle.id,
                    "decide",
                    ApprovalDecision(
                        actor=approver, verdict=Verdict.APPROVE, reason="within appetite"
                    ),
                )
        elif s.stage is Stage.OFFER:
            if scenario.ending == "withdrawn":
                await operations.act(
                    client,
                    handle.id,
                    "withdraw",
                    Withdrawal(actor=customer, reason="the customer found cheaper funding"),
                )
            else:
                await operations.act(client, handle.id, "sign", signature(s, customer))
        elif s.stage is Stage.POST_LOAN:
            today = loan_figures.payment_day(s)
            if scenario.ending != "closed":
                return await _prepay(client, handle.id, s, scenario.prepays, on_stage)
            quote = loan_figures.settlement(s, today)
            await operations.act(
                client,
                handle.id,
                "record_repayment",
                Repayment(actor=OPERATIONS, reference=f"EARLY-{handle.id}", amount=quote.owed,
                          paid_on=today, settles=True),
            )
            return await _until_ended(client, handle.id)
