"""A decider's request for information names what it asks, and the case returns to the
deciding stage only once that has come and been read (an unreadable scan, read by the real
OCR, is asked for again); a committee member's request suspends the vote, and the votes cast
before it stand on an unchanged file."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.application import Product
from journey.customer_owes import owed_in_words
from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    InfoRequest,
    RiskOpinion,
    Verdict,
)
from journey.documents import DocumentKind, ReadStatus
from journey.settings import Settings
from journey.stages import Stage
from store import blobs
from store.outbox import messages_for
from tests.cli_kit import cli, point_cli_at, said
from tests.ocr.conftest import SAMPLES
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    Documents,
    application,
    customer,
    real_for_unknown,
    refused,
    running_journey,
    until_stage,
)
from tests.workflows.test_decisions import CC, RISK_PF, opinion, vote
from workflows.loan_journey import LoanJourneyWorkflow

RISK_SME = Actor(id="risk-sme-1", role=Role.RISK_OFFICER)


def last_year() -> date:
    return date(journey_kit.TODAY.year - 1, 12, 31)


async def test_a_request_waits_for_the_statement_it_names_and_asks_again_for_a_bad_scan(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = Documents()
    app = application(docs)
    scan = blobs.put(blobs.DocumentStore.of(Settings(data_dir=tmp_path)),
                     (SAMPLES / "corrupt_truncated.jpg").read_bytes(), "balance-2025.jpg")
    earlier = docs.company(app.applicant_name, app.credit_code, last_year())
    point_cli_at(monkeypatch, time_skipping_env.client, data_dir=tmp_path)
    async with running_journey(time_skipping_env, tmp_path, docs, app,
                               real_for_unknown(docs)) as (_, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        asking = ["opinion", handle.id, "--reason", "compare with last year",
                  "--as", "risk-sme-1", "--ask", "balance_sheet"]
        unasked = await cli(*asking, "--verdict", "request_info")
        assert unasked.exit_code == 2 and "asks the customer a question" in said(unasked)
        asking += ["--question", "how did the year compare?"]
        wrong = await cli(*asking[:6], "--verdict", "approve")  # a request only may go ungraded
        assert wrong.exit_code == 2 and "grade the obligor" in said(wrong)
        wrong = await cli(*asking[:6], "--grade", "3", "--verdict", "approve", *asking[-2:])
        assert wrong.exit_code == 2 and "only a request for information asks the customer a " \
            "question" in said(wrong)
        wrong = await cli(*asking, "--period", str(last_year()), "--grade", "3",
                          "--verdict", "approve")
        assert wrong.exit_code == 2 and "only a request for information asks" in said(wrong)
        wrong = await cli(*asking, "--verdict", "request_info", "--category", "leverage")
        assert wrong.exit_code == 2 and "only a rejection states the category" in said(wrong)
        for period, why in ((date(journey_kit.TODAY.year + 1, 12, 31), "has not ended"),
                            (last_year() - timedelta(days=1), "not the last day of a month")):
            never = await cli(*asking, "--period", str(period), "--verdict", "request_info")
            assert never.exit_code == 3 and why in said(never)
        sent = await cli(*asking, "--period", str(last_year()), "--verdict", "request_info")
        assert sent.exit_code == 0, sent.output
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        balance = f"the balance sheet (资产负债表) of the period ending {last_year()}"
        wanted = f"{balance}, asked at risk_review: how did the year compare?"
        told = f"{balance}, which the bank asks for: how did the year compare?"  # the customer
        assert asked.awaited == [wanted] and told in asked.waiting_for[0]
        for sent in ([earlier[2]], [scan]):  # last year's income statement; an unreadable scan
            await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                        AddDocuments(actor=customer(app), documents=sent))
            again = await until_stage(handle, Stage.COMPLETENESS, asking=True)
            assert again.awaited == [wanted] and told in again.waiting_for[0]
        # the customer is told in plain words, operations keep the reader's reason
        unread = ("We could not read balance-2025.jpg: the file arrived damaged or incomplete: "
                  "please send the whole file again")
        assert again.waiting_for[0].endswith(f": {unread}; {told}")
        # the customers' work list, in a few words: the question, the file to send again
        assert owed_in_words(again) == ("asked: how did the year compare?; unreadable "
                                        "balance-2025.jpg"), again.completeness
        emails = [m.body for m in messages_for(Settings(data_dir=tmp_path).db_url, handle.id)
                  if m.template == "supplements_requested"]
        assert f"for\n- {told}\nSend" in emails[0] and f"for\n- {unread}\n- {told}\n" in emails[-1]
        [bad] = [r for r in again.readings if r.ref.sha256 == scan.sha256]
        assert bad.reason is not None and bad.reason.startswith("truncated: the image is damaged")
        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=customer(app), documents=[earlier[1]]))
        back = await until_stage(handle, Stage.RISK_REVIEW)
        assert back.attempt == 2 and back.awaited == []


@pytest.mark.parametrize("restated", [False, True])
async def test_a_members_request_suspends_the_committee_and_the_votes_cast_stand(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, restated: bool
) -> None:
    """The votes cast before a member's request stand when the case returns, unless a
    document they were cast on was superseded meanwhile (a restated balance sheet): then
    every member votes again."""
    docs = Documents()
    app = application(docs, amount=80_000_000, product=Product.PROJECT_FINANCE, term_months=60)
    earlier = docs.company(app.applicant_name, app.credit_code, last_year())
    sent = earlier[1:]
    if restated:  # this year's balance sheet again, restated: another scan of its period
        sheet = next(docs.readings[d.sha256] for d in app.documents
                     if docs.readings[d.sha256].kind is DocumentKind.BALANCE_SHEET)
        sent.append(docs.add("balance-restated", **sheet.model_dump(exclude={"ref"})))
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, opinion(RISK_PF))
        await until_stage(handle, Stage.APPROVAL)
        await handle.execute_update(LoanJourneyWorkflow.decide, vote(CC[0]))
        asking = ApprovalDecision(actor=CC[1], verdict=Verdict.REQUEST_INFO,
                                  reason="the trend over two years",
                                  question="how did the two years compare?",
                                  asks=InfoRequest(periods=[last_year()]))
        suspended = await handle.execute_update(LoanJourneyWorkflow.decide, asking)
        assert suspended.stage is Stage.COMPLETENESS
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert len(asked.awaited) == 2  # both statements of last year
        held = await refused(handle, LoanJourneyWorkflow.decide, vote(CC[2]))
        assert ("the vote is suspended until the customer answers cc-2's question or sends "
                f"what was asked ({asked.awaited[0]}; ") in held
        assert "returns to the committee then, and the votes cast (cc-1) stand" in held
        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=customer(app), documents=sent))
        back = await until_stage(handle, Stage.APPROVAL)
        if restated:
            assert back.decisions[-1].verdict == "votes set aside"
            assert "balance.png, superseded since" in back.decisions[-1].reason
            assert "0 of 2 approval(s), 0 against" in back.waiting_for[0]
            await handle.execute_update(LoanJourneyWorkflow.decide, vote(CC[0]))
        else:
            assert back.decisions[-1].verdict == "votes kept"
            assert "1 of 2 approval(s), 0 against" in back.waiting_for[0]
            assert "already" in await refused(handle, LoanJourneyWorkflow.decide, vote(CC[0]))
        done = await handle.execute_update(LoanJourneyWorkflow.decide, vote(CC[1]))
        assert done.stage is Stage.OFFER



async def test_only_new_information_of_the_borrower_meets_a_request(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """A copy of a document on file before the request is nothing the deciders had not seen,
    and a statement whose company is illegible cannot be shown to be the borrower's: neither
    meets a request, and `status` says why; a new letter answers a question, the borrower's
    own statement a request for it. A risk officer asking has not graded the case yet."""
    docs = Documents()
    app = application(docs)
    on_file = next(d for d in app.documents if d.filename.endswith("-balance.png"))
    earlier = docs.company(app.applicant_name, app.credit_code, last_year())
    unnamed = docs.readings[earlier[1].sha256].model_dump(exclude={"ref"})
    unnamed["statement"]["company"] = None
    illegible = docs.add("balance-unnamed", **unnamed)
    letter = docs.add("letter", status=ReadStatus.READ, kind=DocumentKind.UNKNOWN)
    question = RiskOpinion(actor=RISK_SME, verdict=Verdict.REQUEST_INFO, reason="a dip",
                           question="why the dip?")
    wanted = InfoRequest(kinds=[DocumentKind.BALANCE_SHEET], periods=[last_year()])
    rounds = [
        (question, on_file, f"{on_file.filename} was on file before the request: a copy sent "
                            "again is not new information", letter),
        (question.model_copy(update={"asks": wanted}), illegible, "balance-unnamed.png: the "
         "company on it is illegible, so it cannot be shown to be", earlier[1]),
    ]
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        for attempt, (request, not_new, why, answer) in enumerate(rounds, start=2):
            await until_stage(handle, Stage.RISK_REVIEW)
            await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, request)
            await until_stage(handle, Stage.COMPLETENESS, asking=True)
            await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                        AddDocuments(actor=customer(app), documents=[not_new]))
            stuck = await until_stage(handle, Stage.COMPLETENESS, asking=True)
            assert len(stuck.awaited) == 2 and stuck.awaited[1].startswith(why)
            assert why in stuck.waiting_for[0]
            await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                        AddDocuments(actor=customer(app), documents=[answer]))
            back = await until_stage(handle, Stage.RISK_REVIEW)
            assert back.attempt == attempt and back.awaited == []
