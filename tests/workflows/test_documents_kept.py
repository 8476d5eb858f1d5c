"""A legible page of none of the checklist's kinds (a contract, a signed letter) is kept as a
supporting document: it never blocks the file, never supersedes another, and a letter sent
while a question is open answers it. Another company's licence is kept aside and never
supersedes the borrower's own. An unreadable scan is asked for until a file of its name
comes: sending one of several again leaves the others asked for while the file is short; once
it is complete without them, they are noted as not needed and the customer is not asked. The
customer who sent another company's licence is told so without that company's name or code,
and sending it again unchanged is told the bank already has it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import AddDocuments, RiskOpinion, Verdict, WrittenAnswer
from journey.documents import DocumentKind, DocumentRef, ReadStatus, SupportingDocument
from journey.settings import Settings
from journey.stages import Stage
from store import blobs
from store.outbox import messages_for
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    Documents,
    application,
    asked_again,
    customer,
    real_for_unknown,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

RISK_SME = Actor(id="risk-sme-1", role=Role.RISK_OFFICER)


def supporting(docs: Documents, label: str, text: str) -> DocumentRef:
    return docs.add(label, status=ReadStatus.READ, kind=DocumentKind.OTHER,
                    supporting=SupportingDocument(text=text))


async def test_supporting_documents_stand_and_a_letter_answers_the_question(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    docs = Documents()
    app = application(docs)
    theirs = docs.company("深圳另一贸易有限公司", "91440300MA5G000000",
                          journey_kit.TODAY - timedelta(days=60))[0]
    contract = supporting(docs, "contract", "购销合同\n甲方：上海测试制造有限公司")
    app = app.model_copy(update={"documents": [*app.documents, theirs, contract]})
    letter = supporting(docs, "signed_letter", "说明函\n货币资金减少，系支付设备款。")
    blurred = docs.add("blurred_letter", status=ReadStatus.UNREADABLE,
                       reason="illegible: too little of its text reads clearly")
    question = RiskOpinion(actor=RISK_SME, verdict=Verdict.REQUEST_INFO, reason="cash fell",
                           question="explain the drop in cash; send a signed letter")
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        first = await until_stage(handle, Stage.RISK_REVIEW)
        assert first.completeness is not None and first.completeness.complete
        assert app.documents[0].sha256 in first.standing and contract.sha256 in first.standing
        assert first.not_the_borrowers[theirs.sha256].startswith(
            f"{theirs.filename} is the business licence (营业执照) of 深圳另一贸易有限公司, not "
            f"of the borrower {app.applicant_name}: kept, counted nowhere; the borrower's own")
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, question)
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=customer(app), documents=[letter]))
        back = await until_stage(handle, Stage.RISK_REVIEW)
        assert back.attempt == 2 and back.awaited == []
        assert {contract.sha256, letter.sha256} <= set(back.standing)
        kept = next(r for r in back.readings if r.ref == letter)
        assert kept.supporting is not None and "设备款" in kept.supporting.text
        # a letter too blurred to read, then the answer in writing: the case returns
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, question)
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=customer(app), documents=[blurred]))
        stuck = await asked_again(handle, 5)  # its second visit of the round
        assert f"We could not read {blurred.filename}" in stuck.waiting_for[0]
        await handle.execute_update(LoanJourneyWorkflow.answer_question, WrittenAnswer(
            actor=customer(app), text="the cash paid for a new line"))
        again = await until_stage(handle, Stage.RISK_REVIEW)
        assert again.attempt == 3 and blurred.sha256 not in again.standing


async def test_an_unreadable_scan_is_asked_for_until_a_file_of_its_name_comes(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    docs = Documents()
    app = application(docs, drop={"income"})  # short without them: they are asked for
    empty, fake = docs.unreadable("empty"), docs.unreadable("fake")
    app = app.model_copy(update={"documents": [*app.documents, empty, fake]})
    empty_again = docs.add("empty-rescanned", status=ReadStatus.READ, kind=DocumentKind.OTHER,
                           supporting=SupportingDocument(text="采购订单"))
    empty_again = empty_again.model_copy(update={"filename": empty.filename})
    docs.readings[empty_again.sha256] = docs.readings[empty_again.sha256].model_copy(
        update={"ref": empty_again})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert all(f"We could not read {d.filename}" in asked.waiting_for[0]
                   for d in (empty, fake))
        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=customer(app), documents=[empty_again]))
        again = await asked_again(handle, 2)
        assert f"We could not read {fake.filename}" in again.waiting_for[0]
        assert "We could not read empty.png" not in again.waiting_for[0]
        assert empty.sha256 not in again.standing and fake.sha256 in again.standing


async def test_unreadable_leftovers_do_not_block_a_file_complete_without_them(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    docs = Documents()
    app = application(docs)
    licence = docs.readings[app.documents[0].sha256]
    assert licence.license is not None
    misread = docs.add("licence-misread", status=ReadStatus.READ,
                       kind=DocumentKind.BUSINESS_LICENSE,
                       license=licence.license.model_copy(update={"name": "名称不清"}))
    small = docs.add("licence-small", status=ReadStatus.UNREADABLE,
                     reason="too_small: this image is 600×850 px")
    app = app.model_copy(update={"documents": [misread, small, *app.documents[1:]]})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (_, handle):
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert (f"We could not read {small.filename}: the picture is too small"
                in asked.waiting_for[0])
        # the page scanned again larger, under another name: the file is complete without
        # the small scan
        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=customer(app), documents=[licence.ref]))
        done = await until_stage(handle, Stage.RISK_REVIEW)
        assert done.completeness is not None and done.completeness.complete
        assert done.completeness.not_needed == {small.sha256: (
            f"{small.filename} sent unreadable, not needed: the file is complete without it")}


DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"


async def test_another_companys_licence_is_refused_unnamed_and_sent_again_said_so(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    labels = {p["file"]: p for p in json.loads((DEMO / "labels.json").read_text("utf-8"))}
    one, two = (labels[f"company{n}_business_license.jpg"] for n in (1, 2))
    docs = Documents()  # the statements from the fake; company2's licence through the real OCR
    app = application(docs, drop={"licence"}, company=(one["name"], one["credit_code"]))
    theirs = blobs.put(blobs.DocumentStore.of(Settings(data_dir=tmp_path)),
                       (DEMO / two["file"]).read_bytes(), two["file"])
    app.documents.insert(0, theirs)
    async with running_journey(time_skipping_env, tmp_path, docs, app,
                               real_for_unknown(docs)) as (settings, handle):
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True, seconds=120)
        assert asked.completeness is not None
        assert [f.code for f in asked.completeness.failures] == ["name_mismatch"]
        other = (f"The business licence sent is of another company, not {one['name']}: please "
                 "send the applicant's own business licence")
        sent = await handle.execute_update(LoanJourneyWorkflow.add_documents, AddDocuments(
            actor=customer(app), documents=[theirs]))
        assert sent.message == "0 new document(s), 1 sent before and standing again"
        await asked_again(handle, 2)
        requests = [m.body for m in messages_for(settings.db_url, handle.id)
                    if m.template == "supplements_requested"]
        assert len(requests) == 2 and f"\n- {other}\n" in requests[0]
        assert (f"\n- We already have {two['file']}, which you sent again unchanged: {other}\n"
                in requests[1])
        assert not any(two["name"] in r or two["credit_code"] in r for r in requests)
