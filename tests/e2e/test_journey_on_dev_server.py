"""End to end on the real dev server: the command line starts a journey, real OCR reads the
sample scans, people decide through the CLI, the loan is disbursed once and repaid, and
Temporal's own visibility lists the journey for the team it waits on."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.testing import WorkflowEnvironment

from journey.classification import RiskClass
from journey.documents import ReadStatus
from journey.figures_checked import AS_READ
from journey.repayment import money
from journey.settings import Settings
from journey.stages import Party, Stage
from starter import operations, work_lists
from starter.demo_team import OPERATIONS, paper_checks, the_paper
from starter.embedded import temporal_cli
from store.ledger import bookings_for
from tests.e2e.conftest import SAMPLES, case_of, env_for, new_settings, server_and_worker
from tests.e2e.forked_cli import FORKER
from workflows.loan_journey import LoanJourneyWorkflow

pytestmark = pytest.mark.e2e
CLI = [sys.executable, "-m", "starter.cli"]


async def cli(
    settings: Settings, *args: str, ok: bool = True, columns: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run the command line, a process of its own (tests/e2e/forked_cli.py); `columns=False`
    leaves COLUMNS unset, as a script's pipe has it."""
    env = env_for(settings)
    if not columns:
        del env["COLUMNS"]
    done = await asyncio.to_thread(FORKER.run, args, env, timeout=120)
    if ok:
        assert done.returncode == 0, done.stderr
    return done


def approving_opinion(journey: str, reason: str, *by: str) -> list[str]:
    """`opinion` arguments: approve at grade 3, given by `by` (`--as` and maybe `--role`)."""
    return ["opinion", journey, "--verdict", "approve", "--grade", "3", "--reason", reason, *by]


async def until(client, workflow_id: str, stage: Stage, seconds: float = 120, *,  # noqa: ANN001
                checked: bool = False):
    """The journey's status once at `stage`; `checked`: on the way, figures its scans read
    unsure are checked against the paper (samples/demo/labels.json) by a clerk, as the demo's
    does, where the test is not about them."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        s = await operations.status(client, workflow_id)
        if s.stage is stage:
            return s
        if checked and s.stage is Stage.DOCUMENTS and s.waits_on is Party.BANK:
            for check in paper_checks(s, the_paper(), OPERATIONS):
                await operations.act(client, workflow_id, "correct_reading", check)
            continue
        assert asyncio.get_running_loop().time() < deadline, f"still at {s.stage}: {s.waiting_for}"
        await asyncio.sleep(0.3)


@pytest.fixture(scope="module")
def own_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return new_settings(tmp_path_factory, "book")


@pytest.fixture(scope="module")
async def own_server(own_settings: Settings) -> AsyncIterator[WorkflowEnvironment]:
    """A server of this module's own, not the one the e2e files of its pytest process share:
    `book` reads every running loan on the server from its journey, and the test holds it to
    what the whole book holds (none drawing, none unbooked, no loan of another class). A loan
    an earlier file left running on a queue no worker polls any more (test_history_cross_check
    pays out its journeys on a worker of its own) has no one to answer its status: the book
    gave up on it after 30 s, as it should, which failed this test when the two files shared
    a process."""
    async with server_and_worker(own_settings) as env:
        yield env


async def test_a_loan_from_application_to_closed(
    own_server: WorkflowEnvironment, own_settings: Settings
) -> None:
    client, settings = own_server.client, own_settings
    labels = {d["file"]: d for d in json.loads((SAMPLES / "demo/labels.json").read_text())}
    docs = [
        SAMPLES / "demo" / f"company1_{k}.jpg"
        for k in ("business_license", "balance_sheet", "income_statement")
    ]
    started = await cli(
        settings, "start", str(SAMPLES / "applications/demo-001.json"), *map(str, docs)
    )
    journey = "loan-APP-DEMO-001"
    assert journey in started.stdout

    # its balance sheet prints the company only in its seal, read unsure: held at documents for
    # operations, not the customer, until a clerk checks it against the paper (its figures,
    # which a seal's red lowers, add up: taken as read)
    for _ in range(400):
        held = await operations.status(client, journey)
        if held.waits_on is Party.BANK:
            break
        await asyncio.sleep(0.3)
    assert (held.stage, held.team) == (Stage.DOCUMENTS, "operations"), held.waiting_for
    assert held.waiting_for == [
        "operations: 1 figure to check against the paper: company1_balance_sheet.jpg company "
        "unread (read at 0.50)"], held.waiting_for
    checks = paper_checks(held, the_paper(), OPERATIONS)
    assert all(c.as_read for c in checks)  # the paper says what was read
    for check in checks:
        await cli(settings, "correct", journey, "--document", check.document[:12], "--field",
                  check.field, "--as-read", "--as", "ops-wang")
    waiting = await until(client, journey, Stage.RISK_REVIEW)
    assert [d.actor.id for d in waiting.decisions if d.verdict == AS_READ] == ["ops-wang"]
    license = next(r.license for r in waiting.readings if r.license)
    truth = labels["company1_business_license.jpg"]
    assert all(r.status is ReadStatus.READ for r in waiting.readings)
    assert (license.name, license.credit_code) == (truth["name"], truth["credit_code"])
    assert waiting.route and waiting.route.team == "sme_risk"

    # Temporal's own visibility: the team's queue, through our CLI and through `temporal`
    queue = await cli(settings, "queue", "--team", "sme_risk", columns=False)
    case = case_of(queue.stdout, journey)
    # every cell whole in a pipe (a script, a log: 80 columns), none cut to "ru…"
    # the applicant and the amount from the journey store, whom it is assigned to (the team)
    assert "…" not in queue.stdout and max(map(len, queue.stdout.splitlines())) <= 80
    assert case[0][:4] == [journey, truth["name"], "risk_review, sme_risk",
                           "assigned to - (the whole team)"], queue.stdout
    assert (case[1][0], case[2]) == ("ok", ["3,000,000.00", "working_capital"]), queue.stdout
    listed = await asyncio.to_thread(
        subprocess.run,
        [
            temporal_cli(),
            "workflow",
            "list",
            "--address",
            settings.temporal_address,
            "--query",
            "JourneyTeam='sme_risk' AND JourneyStage='risk_review'",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert journey in listed.stdout, listed.stderr

    # the wrong person is refused before the history
    refused = await cli(
        settings,
        *approving_opinion(journey, "looks fine", "--as", "appr-branch-1", "--role", "approver"),
        ok=False,
    )
    assert refused.returncode == 3 and "refused" in refused.stderr
    kept = (await cli(settings, "refusals", journey)).stdout
    row = [c.strip() for c in next(ln for ln in kept.splitlines() if journey in ln).split("│")]
    assert row[2:6] == [journey, "record_risk_opinion", "appr-branch-1", "approver"]
    # risk-sme-1 is away: the supervisor hands the case on, and it is on risk-sme-2's list
    await cli(settings, "reassign", journey, "--to", "risk-sme-2", "--reason",
              "risk-sme-1 on leave", "--as", "sup-sme")
    theirs = (await cli(settings, "queue", "--person", "risk-sme-2")).stdout
    assert case_of(theirs, journey)[0][3] == "assigned to risk-sme-2", theirs
    assert journey not in (await cli(settings, "queue", "--person", "risk-sme-1")).stdout
    await cli(
        settings,
        *approving_opinion(journey, "cash flow covers the debt service", "--as", "risk-sme-2"),
    )
    await cli(
        settings,
        "decide",
        journey,
        "--verdict",
        "approve",
        "--reason",
        "within limit",
        "--as",
        "appr-branch-1",
    )
    await until(client, journey, Stage.OFFER)
    # signed by the legal representative the licence names, as real OCR read it
    await cli(settings, "sign", journey, "--as", truth["credit_code"],
              "--signatory", truth["legal_representative"], "--capacity",
              "legal_representative", "--evidence", "wet ink, branch 福田, witnessed by rm-chen")
    running = await until(client, journey, Stage.POST_LOAN)
    assert running.disbursement is not None
    assert [b.booking_id for b in bookings_for(settings.db_url, journey)] == [
        running.disbursement.booking_id
    ]
    # the risk team's loan book: from visibility (LoanClass), each account from its journey
    for _ in range(20):
        book = await cli(settings, "book", columns=False)
        if journey in book.stdout:
            break
        await asyncio.sleep(0.3)
    row = next(line for line in book.stdout.splitlines() if journey in line)
    cells = [cell.strip() for cell in row.split("│")[1:-1]]
    # the sample was approved with covenants its statements breach: 关注 from the payout; the
    # borrower named by its credit code (its name, which may wrap, begins the cell)
    assert [cells[0], *cells[2:8]] == [journey, running.customer, "working_capital",
                                       "关注 special_mention", "0", "0.00",
                                       money(running.disbursement.amount)], book.stdout
    assert cells[1] and (running.applicant or "").startswith(cells[1][:4]), book.stdout
    assert "non-performing: 0.00%" in book.stdout  # 关注 is performing
    assert "loan book: running loans" in book.stdout and "ExecutionStatus" not in book.stdout
    # under the loans, the facilities still drawing (none here) and the money not booked
    assert "no project is drawing" in book.stdout, book.stdout
    assert "none: every repayment received is booked or returned" in book.stdout
    watched = await cli(settings, "book", "--class", "关注", "--show-query")  # either name
    assert journey in watched.stdout, watched.stdout
    assert "loan book: running loans, class 关注" in watched.stdout
    assert f"visibility query: {work_lists.book_query(RiskClass.SPECIAL_MENTION)}" in " ".join(
        watched.stdout.split())
    assert "undrawn commitments" not in watched.stdout  # a class: loans only
    clean = await cli(settings, "book", "--class", "normal")
    assert journey not in clean.stdout and "no running loan matches" in clean.stdout

    # a quarter prepaid, the day it was paid out: the later instalments shrink
    prepaid = (running.disbursement.amount / 4).quantize(Decimal("0.01"))
    quoted = await cli(settings, "prepayment", journey, "--amount", str(prepaid))
    assert f"--amount {prepaid} " in quoted.stdout and "--prepay" in quoted.stdout
    await cli(settings, "repay", journey, "--amount", str(prepaid), "--reference", "TX-E2E-0",
              "--as", "ops-li", "--prepay")
    plan = await cli(settings, "plan", journey)
    first = running.offer.schedule[0]
    assert f"{first.principal * 3 / 4:,.2f}" in plan.stdout, plan.stdout
    # then settled early, the same day: the principal left, no interest yet
    quoted = await cli(settings, "settlement", journey)
    amount = re.search(r"--amount ([0-9.]+)", quoted.stdout)
    assert amount is not None, quoted.stdout
    assert Decimal(amount[1]) == running.disbursement.amount - prepaid
    assert Decimal(amount[1]) < sum(i.payment for i in running.offer.schedule)
    assert "--settle`" in quoted.stdout  # the command it prints settles, as followed here
    await cli(settings, "repay", journey, "--amount", amount[1], "--reference", "TX-E2E-1",
              "--as", "ops-li", "--settle")
    result = await client.get_workflow_handle_for(LoanJourneyWorkflow.run, journey).result()
    assert (result.outcome, result.reason) == (Stage.CLOSED, "settled early")

    history = await client.get_workflow_handle(journey).fetch_history()
    accepted = [
        e
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
    ]
    # one check against the paper, reassignment, opinion, decision, signature, prepayment,
    # settlement: the refusal left none
    assert len(accepted) == 7
    status = await cli(settings, "status", journey)
    assert "closed" in status.stdout
    # the money received this month: the closed loan's two payments, booked by kind, from
    # the journeys ended since the month began too, adding up to the fen
    for _ in range(20):
        book = json.loads((await cli(settings, "book", "--json")).stdout)
        if book["money_received"]["booked"]:
            break
        await asyncio.sleep(0.3)
    received = book["money_received"]
    assert book["query"].startswith(f"({work_lists.book_query()}) OR ("), book["query"]
    (loan,) = [b for b in received["booked"] if b["workflow_id"] == journey]
    paid = prepaid + Decimal(amount[1])
    assert [p["reference"] for p in loan["payments"]] == ["TX-E2E-0", "TX-E2E-1"]
    assert sum(Decimal(v) for v in loan["kinds"].values()) == paid, loan
    assert loan["kinds"]["principal"] == f"{running.disbursement.amount:.2f}", loan
    assert [w for w in received["not_reconciled"] if journey in w] == [], received
    # the money paid out this month: the loan's payout, the ledger's booking, tied to the
    # journey (a payout value dated on the next bank day is not out yet, nor in the book)
    paid_out, period = book["money_paid_out"], book["money_received"]["period"]
    value_on = running.disbursement.value_on or running.disbursement.booked_at.date()
    moved = period["first"] <= value_on.isoformat() <= period["last"]
    assert [b["amount"] for b in paid_out["bookings"] if b["workflow_id"] == journey] == (
        [f"{running.disbursement.amount:.2f}"] if moved else []), paid_out
    assert [w for w in paid_out["not_reconciled"] if journey in w] == [], paid_out
