"""The relationship manager's view on the real dev server, with real OCR of the sample scans:
the cases waiting on their customers, a relationship manager's own, each with its applicant,
what the customer owes, since and by when; `list` names the applicant; and `status` of a
re-application names the borrower's application declined before it, with the decline's
category (the bank's record: the customer is not told)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.policy.calendar import short_moment
from journey.settings import Settings
from journey.stages import Party, Stage
from starter import operations
from tests.e2e.conftest import SAMPLES, case_of, notes_of, row_of
from tests.e2e.test_journey_on_dev_server import approving_opinion, cli, until

pytestmark = pytest.mark.e2e

LABELS = {d["file"]: d for d in json.loads((SAMPLES / "demo/labels.json").read_text())}


def application(tmp_path: Path, company: int, rm: str, role: str = "relationship_manager"
                ) -> tuple[str, Path]:
    """An application of sample company `company`, submitted by `rm` (a relationship manager
    unless `role` says otherwise)."""
    licence = LABELS[f"company{company}_business_license.jpg"]
    app_id = f"APP-RM-{uuid.uuid4().hex[:8]}"
    path = tmp_path / f"{app_id}.json"
    path.write_text(json.dumps({
        "application_id": app_id, "applicant_name": licence["name"],
        "credit_code": licence["credit_code"], "product": "working_capital",
        "amount": "3000000", "term_months": 12, "industry": "environmental_services",
        "submitted_by": {"id": rm, "role": role},
        "settlement_account": {"name": licence["name"], "account": "1001020309000067890",
                               "bank": "中国工商银行上海浦东支行"}}, ensure_ascii=False))
    return f"loan-{app_id}", path


def scans(company: int, *kinds: str) -> list[str]:
    return [str(SAMPLES / "demo" / f"company{company}_{k}.jpg") for k in kinds]


ALL = ("business_license", "balance_sheet", "income_statement")


async def test_a_relationship_manager_sees_what_each_customer_owes_and_a_decline_before(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    client, settings = dev_server.client, e2e_settings
    name = LABELS["company1_business_license.jpg"]["name"]
    # declined for leverage, then applied for again without the income statement
    declined, first = application(tmp_path, 1, "rm-zhang")
    await cli(settings, "start", str(first), *scans(1, *ALL))
    await until(client, declined, Stage.RISK_REVIEW, checked=True)
    await cli(settings, "opinion", declined, "--verdict", "reject", "--grade", "8",
              "--category", "leverage",
              "--reason", "debt to equity 4.1 against 2.5 at most", "--as", "risk-sme-1")
    await until(client, declined, Stage.REJECTED)
    again, second = application(tmp_path, 1, "rm-zhang")
    await cli(settings, "start", str(second), *scans(1, "business_license", "balance_sheet"))
    await until(client, again, Stage.COMPLETENESS, checked=True)
    # another customer's case at the offer, of another relationship manager
    offered, third = application(tmp_path, 2, "rm-chen")
    await cli(settings, "start", str(third), *scans(2, *ALL))
    await until(client, offered, Stage.RISK_REVIEW, checked=True)
    await cli(settings, *approving_opinion(offered, "cash flow covers", "--as", "risk-sme-1"))
    await cli(settings, "decide", offered, "--verdict", "approve", "--reason", "within limit",
              "--as", "appr-ho-1")  # its figures route it there
    offer = (await until(client, offered, Stage.OFFER)).offer
    assert offer is not None

    mine = (await cli(settings, "queue", "--rm", "rm-zhang")).stdout
    assert offered not in mine and declined not in mine
    case = case_of(mine, again)
    assert case[0][1:] == [name, "completeness",
                           "submitted by rm-zhang (relationship manager)"], mine
    # what the customer owes in a few words, read from the journey: the statement not sent
    assert notes_of(mine, again) == "owes: missing income statement", mine
    assert case[2][0] == "3,000,000.00", mine  # the amount applied for, not its band
    asked = await operations.status(client, again)  # asked by now: the row says what
    assert asked.waiting_for and "before " in asked.waiting_for[0]
    expires = asked.waiting_for[0].split("before ")[1].split(", when")[0]
    assert expires.endswith(" (UTC+8)")  # the deadline status shows, on the bank's clock
    assert f"expires {expires[5:16]}" in case[1], mine  # without year and zone
    assert case[1][1].startswith("since ") and "times: bank time, UTC+8" in " ".join(
        mine.split())  # asked since, on the bank's clock
    assert "cases waiting on the customer submitted by rm-zhang" in mine

    every = (await cli(settings, "queue", "--waiting-on", "customer")).stdout
    signing = case_of(every, offered)
    assert signing[0][2:] == ["offer", "submitted by rm-chen (relationship manager)"], every
    assert notes_of(every, offered) == "owes: the offer's signature", every
    assert f"expires {short_moment(offer.expires_at, 8)}" in signing[1], every
    assert again in every

    # a case an operations clerk submitted: theirs to chase, listed under them as the submitter
    chased, fourth = application(tmp_path, 3, "ops-li", "operations")
    await cli(settings, "start", str(fourth), *scans(3, "business_license", "balance_sheet"))
    await until(client, chased, Stage.COMPLETENESS)
    clerks = (await cli(settings, "queue", "--rm", "ops-li")).stdout
    assert case_of(clerks, chased)[0][-1] == "submitted by ops-li (operations)", clerks
    assert again not in clerks and offered not in clerks
    stranger = " ".join((await cli(settings, "queue", "--rm", "risk-sme-1")).stdout.split())
    assert "'risk-sme-1' submits no cases: --rm takes a relationship manager or operations" \
        in stranger
    assert "relationship manager or operations" in " ".join(
        (await cli(settings, "queue", "--help")).stdout.split())

    hint = await cli(settings, "queue", "--team", "relationship_manager", ok=False)
    assert hint.returncode == 3 and "queue --waiting-on customer" in " ".join(
        hint.stderr.split())
    # someone away: whatever is theirs, here the case they submitted waiting on its customer
    theirs = (await cli(settings, "queue", "--person", "rm-zhang")).stdout
    assert notes_of(theirs, again) == "owes: missing income statement", theirs
    assert "cases assigned to rm-zhang" in theirs and offered not in theirs

    listed = (await cli(settings, "list", "--query", f"WorkflowId = '{again}'")).stdout
    assert row_of(listed, again)[1] == name

    status = " ".join((await cli(settings, "status", again)).stdout.split())
    assert f"{declined} declined" in status and "for: leverage" in status, status
    said = json.loads((await cli(settings, "status", again, "--json")).stdout)
    [before] = [e for e in said["borrower_applications_ended"] if e["workflow_id"] == declined]
    assert (before["outcome"], before["categories"]) == ("rejected", ["leverage"])

    # both cases end, so that the sample borrowers' exposure is their next applications' alone
    for journey, company in ((again, 1), (offered, 2)):
        code = LABELS[f"company{company}_business_license.jpg"]["credit_code"]
        gone = await cli(settings, "withdraw", journey, "--reason", "the test is done",
                         "--as", code)
        assert gone.returncode == 0, gone.stdout + gone.stderr
        await until(client, journey, Stage.WITHDRAWN)


async def on_the_bank(client, journey: str, seconds: float = 120) -> None:  # noqa: ANN001
    """Once `journey` waits on the bank (its scans read, a figure for operations to check)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while (s := await operations.status(client, journey)).waits_on is not Party.BANK:
        assert asyncio.get_running_loop().time() < deadline, f"at {s.stage}: {s.waiting_for}"
        await asyncio.sleep(0.3)


async def test_a_relationship_manager_sees_their_cases_waiting_on_the_bank_too(
    dev_server: WorkflowEnvironment, e2e_settings: Settings, tmp_path: Path
) -> None:
    """`queue --rm` listed only what customers owe: a case of theirs waiting on operations or
    a risk team was in no list of theirs, so they could not say where it stood or whether it
    was late against its SLA. It lists those too, with the team, since when and the SLA."""
    client, settings = dev_server.client, e2e_settings
    mine, path = application(tmp_path, 1, "rm-zhang")
    theirs, other = application(tmp_path, 2, "rm-chen")
    owing, short = application(tmp_path, 3, "rm-zhang")
    started = " ".join((await cli(settings, "start", str(path), *scans(1, *ALL))).stdout.split())
    # the submitter is told where to look next: the case, and their own cases
    assert f"`loan-journey status {mine}` says what it waits for" in started, started
    assert "`loan-journey queue --rm rm-zhang` lists the cases rm-zhang submitted" in started
    await cli(settings, "start", str(other), *scans(2, *ALL))
    await cli(settings, "start", str(short), *scans(3, "business_license", "balance_sheet"))
    await on_the_bank(client, mine)  # its balance sheet's company read unsure: operations
    await on_the_bank(client, theirs)
    await until(client, owing, Stage.COMPLETENESS)

    out = (await cli(settings, "queue", "--rm", "rm-zhang", "--show-query")).stdout
    owed, _, bank = out.partition("cases submitted by rm-zhang waiting on the bank")
    assert bank, out
    assert owing in owed and mine not in owed, out
    assert owing not in bank and theirs not in bank, out
    case = case_of(bank, mine)
    name = LABELS["company1_business_license.jpg"]["name"]
    assert case[0][1:3] == [name, "documents, operations"], bank
    assert case[1][0] == "ok" and case[1][1].startswith("since "), bank
    assert any(p.startswith("due ") for p in case[1]), bank  # its SLA's due point
    assert notes_of(bank, mine).startswith("awaiting: 1 figure to check against the paper"), bank
    assert "NOT IN ('completeness', 'offer', 'post_loan')" in " ".join(bank.split())

    alone = (await cli(settings, "queue", "--waiting-on", "customer", "--rm", "rm-zhang")).stdout
    assert owing in alone and mine not in alone, alone  # what customers owe, as asked
    assert "waiting on the bank" not in alone, alone
    # someone away: a colleague covering sees the same, under what customers owe
    away = (await cli(settings, "queue", "--person", "rm-zhang")).stdout
    owed, _, bank = away.partition("cases submitted by rm-zhang waiting on the bank")
    assert owing in owed and mine in bank and theirs not in bank, away
    assert case_of(bank, mine)[0][1:3] == [name, "documents, operations"], away

    for journey, company in ((mine, 1), (theirs, 2), (owing, 3)):
        code = LABELS[f"company{company}_business_license.jpg"]["credit_code"]
        await cli(settings, "withdraw", journey, "--reason", "the test is done", "--as", code)
        await until(client, journey, Stage.WITHDRAWN)
