"""A data subject's request to know (PIPL art. 45): `subject` names every journey holding one
person, what it holds and where: a licence's legal representative and a supporting page in
the journey database's readings, the application's contact in the history's first event on
the server (the dev server: `subject` lists journeys, which the time-skipping server cannot),
an id number masked; nothing found says so; an encrypted history read without the keys is
said unread, never taken for nothing found. The people acts name are found too, in every run's
history and in the journey database: the offer's signatory by name, a repayment's payer by
the account the money came from, a feedback's comment by any value in it, a signature kept as
a pending instruction by its signatory set aside beside the document store."""

from __future__ import annotations

import json
import stat
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.client import WorkflowHandle

from journey.application import Channel
from journey.contact import Contact
from journey.decisions import RiskGrade, RiskOpinion, Verdict
from journey.documents import DocumentKind, ReadStatus, SupportingDocument
from journey.settings import Settings
from journey.stages import Stage
from journey.touchpoints import ComplaintCategory, Feedback
from starter import audit, late_touchpoints
from starter.codec import SETTING, data_converter, new_key
from store import archive, blobs
from store.payer_outflows import OutflowKind, PayerOutflow
from store.payer_returns import (
    PayerRefund,
    PayerReturn,
    enter_outflow,
    record_refund,
    record_return,
)
from store.pending import Delivery, Instruction, keep_instruction, settle
from store.refusals import origin, refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.dev_server import fresh_dev_server
from tests.post_loan.loan_kit import pay, until
from tests.store.test_pending_signatory import SIGNED, keep_signature
from tests.workflows.journey_kit import (
    RISK_SME,
    SUBMITTER,
    Documents,
    application,
    customer,
    drive_to,
    journey_worker,
    start,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

PERSON = "欧阳明"  # the licence's legal representative of the first journey
ID_NUMBER = "110101199003078888"  # in the first journey's supporting letter
MOBILE = "13900139123"  # the second journey's contact
SIGNATORY = "王敏"  # the authorised agent who signs the offer (journey_kit's offer_signature)
PAYER = "6222 0202-0011 2233"  # the payer's account, as the bank statement groups it
ACCOUNT = "6222020200112233"  # as the bank keeps it
AUTHOR = "钱晓雯"  # named in the customer's complaint, with her mobile, email and id number
COMMENT = (f"经办人 {AUTHOR} 手机 139 0013 9123 邮箱 Qian.XW@acme.example.cn 退款请回 {PAYER} "
           "身份证 110101199003078888")


def _with_person(docs: Documents) -> list:
    """The first application's documents: its licence read naming PERSON, and a letter whose
    text gives PERSON's id number spaced as people type it."""
    app = application(docs)
    [licence] = [r for r in docs.readings.values()
                 if r.ref.sha256 == app.documents[0].sha256]
    assert licence.license is not None
    licence.license = licence.license.model_copy(update={"legal_representative": PERSON})
    letter = docs.add("letter", status=ReadStatus.READ, kind=DocumentKind.OTHER,
                      supporting=SupportingDocument(
                          text=f"法定代表人 {PERSON} 身份证 110101 19900307 8888 授权书"))
    return [app.model_copy(update={"documents": [*app.documents, letter]})]


async def test_a_persons_journeys_are_named_with_what_each_holds_and_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = Documents(kept=True)  # readings kept in the journey database, as the OCR keeps them
    [by_licence] = _with_person(docs)
    by_contact = application(docs).model_copy(update={"contact": Contact(
        name="财务 陈", mobile="+86 139 0013 9123", email="cfo@acme.example.cn")})
    async with fresh_dev_server() as env, journey_worker(env.client, tmp_path, docs) as settings:
        first = await start(env.client, settings, by_licence)
        second = await start(env.client, settings, by_contact)
        for handle in (first, second):
            await until_stage(handle, Stage.RISK_REVIEW, seconds=60)
        point_cli_at(monkeypatch, env.client, tmp_path)

        # a name as typed with a full-width space around it: the licence's reading
        named = await cli("subject", "--name", f"\u3000{PERSON} ")
        assert named.exit_code == 0, named.output
        shown = said(named)
        assert shown.startswith(f"journeys holding name {PERSON}: 1 ")
        assert f"{first.id}: stage risk_review, running; its history on the server" in shown
        assert (f"document reading {by_licence.documents[0].filename} "
                f"({by_licence.documents[0].sha256[:12]}), business_license: field "
                f"legal_representative = {PERSON}") in shown
        assert (f"letter.png ({by_licence.documents[-1].sha256[:12]}), other: field text = "
                f"法定代表人 {PERSON} 身份证 **************8888 授权书") in shown  # any id masked
        assert second.id not in shown

        # a mobile spaced otherwise: the second journey's contact, from its history
        reached = await cli("subject", "--mobile", "139 0013 9123", "--json")
        assert reached.exit_code == 0, reached.output
        found = json.loads(reached.output)
        [journey] = found["journeys"]
        assert (journey["workflow_id"], journey["stage"], journey["ended"]) == (
            second.id, "risk_review", False)
        assert journey["held"] == [{
            "where": "history", "field": "contact", "document": None, "scan_erased": None,
            "kind": None, "about": None, "source": None,
            "value": f"name 财务 陈, mobile {MOBILE}, email cfo@acme.example.cn"}]
        assert found["server_read"] == 2 and found["unread"] == []

        # --since bounds the histories read, never the readings
        later = said(await cli("subject", "--mobile", MOBILE, "--since", "2999-01-01"))
        assert later.startswith(f"nothing found: no journey holds mobile {MOBILE} looked in: "
                                "the document readings of every journey (7 readings); the "
                                "application's contact of 0 journey(s) on the server started "
                                "since 2999-01-01")
        assert first.id in said(await cli("subject", "--name", PERSON, "--since", "2999-01-01"))

        # an id number: masked but its last 4, whole with --full; written for its owner alone
        masked = said(await cli("subject", "--id-number", ID_NUMBER))
        assert "journeys holding id number **************8888: 1" in masked
        assert f"field text = 法定代表人 {PERSON} 身份证 **************8888 授权书" in masked
        assert "110101" not in masked and "19900307" not in masked
        out = tmp_path / "answer.txt"
        written = await cli("subject", "--id-number", ID_NUMBER, "--full", "--out", str(out))
        assert written.exit_code == 0, written.output
        assert ID_NUMBER not in written.output
        assert "110101 19900307 8888" in out.read_text("utf-8")
        assert stat.S_IMODE(out.stat().st_mode) == 0o600

        # nobody: said, exit 0
        nobody = await cli("subject", "--email", "nobody@example.cn")
        assert nobody.exit_code == 0, nobody.output
        assert said(nobody).startswith("nothing found: no journey holds email "
                                       "nobody@example.cn")
        both = await cli("subject", "--name", PERSON, "--mobile", MOBILE)
        assert both.exit_code == 2, both.output
        typo = await cli("subject", "--mobile", "139 0013 912")
        assert typo.exit_code == 2 and "11 digits" in typo.output, typo.output
        # a request about a person is no refused act on a loan: nothing of theirs kept plain
        assert refusals(settings.db_url) == []


async def test_an_encrypted_history_read_without_the_keys_is_said_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = f"k1:{new_key()}"
    docs = Documents()
    app = application(docs).model_copy(update={"contact": Contact(mobile=MOBILE)})
    async with fresh_dev_server(data_converter(Settings(codec_keys=keys))) as env, \
            journey_worker(env.client, tmp_path, docs) as settings:
        handle: WorkflowHandle = await start(env.client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW, seconds=60)
        await handle.execute_update(LoanJourneyWorkflow.record_feedback, Feedback(
            actor=customer(app), channel=Channel.PHONE, stage=Stage.COMPLETENESS, score=4,
            comment=f"call me on {MOBILE}"))
        point_cli_at(monkeypatch, env.client, tmp_path)
        monkeypatch.delenv(SETTING, raising=False)

        keyless = await cli("subject", "--mobile", MOBILE)
        assert keyless.exit_code == 1, keyless.output
        shown = said(keyless)
        assert "nothing found" not in shown
        assert (f"could not be read (1 journey(s)): the answer is not whole until they are "
                f"{handle.id}: its history is encrypted and {SETTING} is not set here: it "
                "could not be read") in shown

        monkeypatch.setenv(SETTING, keys)
        keyed = await cli("subject", "--mobile", MOBILE)
        assert keyed.exit_code == 0, keyed.output
        assert f"journeys holding mobile {MOBILE}: 1" in said(keyed)
        assert handle.id in said(keyed)
        assert (f"feedback csat=4 about completeness, by {app.credit_code} (customer): call me "
                f"on {MOBILE}") in said(keyed)


async def test_a_journey_the_server_no_longer_has_is_read_from_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journey whose history the server deleted after its retention holds its contact in
    the archive alone: read there (a second server, empty, stands for the first once it
    deleted the run), said to be there, ended."""
    docs = Documents()
    app = application(docs).model_copy(update={"contact": Contact(name=PERSON)})
    async with fresh_dev_server() as env, journey_worker(env.client, tmp_path, docs) as settings:
        handle = await start(env.client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW, seconds=60)
        await handle.execute_update(LoanJourneyWorkflow.record_feedback, Feedback(
            actor=customer(app), channel=Channel.PHONE, stage=Stage.COMPLETENESS, score=2,
            comment=COMMENT))
        await handle.terminate("the customer went elsewhere")
        described = await handle.describe()
        history = await handle.fetch_history()
        assert described.close_time is not None and described.run_id is not None
        archive.keep(settings.db_url, blobs.DocumentStore.of(settings), archive.ClosedRun(
            workflow_id=handle.id, run_id=described.run_id,
            workflow_type=described.workflow_type, status="terminated",
            closed_at=described.close_time, events=len(history.events)),
            audit.history_json(history), datetime.now(UTC))

    async with fresh_dev_server() as emptied:
        point_cli_at(monkeypatch, emptied.client, tmp_path)
        found = await cli("subject", "--name", PERSON)
        assert found.exit_code == 0, found.output
        shown = said(found)
        assert shown.startswith(f"journeys holding name {PERSON}: 1 ")
        closed = f"{described.close_time:%Y-%m-%d %H:%M} UTC"
        assert (f"{handle.id}: stage risk_review, ended (terminated); its history on the "
                f"archive alone (1 run(s), the last closed {closed} terminated) the "
                f"application's contact (its history's first event): name "
                f"{PERSON}, mobile -, email -") in shown
        # a comment in the archived run's later events
        named = said(await cli("subject", "--name", AUTHOR))
        assert named.startswith(f"journeys holding name {AUTHOR}: 1 "), named
        assert (f"feedback of {described.close_time:%Y-%m-%d}" in named
                and f"(its history, run {described.run_id}, event " in named
                and f"(customer): 经办人 {AUTHOR} " in named), named


async def test_a_signatory_a_payer_and_a_comment_s_author_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A loan signed by an authorised agent, repaid from a payer's account, complained about
    naming a person; a second journey whose signature waits as a pending instruction, its
    signatory set aside: each found as the person is sought, masked as the contact is."""
    docs = Documents()
    app = application(docs, term_months=12)
    async with fresh_dev_server() as env, journey_worker(env.client, tmp_path, docs) as settings:
        first = await start(env.client, settings, app)
        await drive_to(first, app, Stage.POST_LOAN)
        loan = env.client.get_workflow_handle_for(LoanJourneyWorkflow.run, first.id)
        running = await until(loan, lambda s: s.account is not None)
        await loan.execute_update(LoanJourneyWorkflow.record_repayment, pay(
            "R-1", "100.00", paid_on=running.offer.starts_on, from_account=PAYER))
        await loan.execute_update(LoanJourneyWorkflow.record_feedback, Feedback(
            actor=customer(app), channel=Channel.PHONE, stage=Stage.OFFER, score=1,
            category=ComplaintCategory.STAFF, comment=COMMENT))
        other = application(docs)
        second = await start(env.client, settings, other)
        await until_stage(second, Stage.RISK_REVIEW, seconds=60)
        keep_signature(settings, second.id, SIGNED.model_copy(update={
            "actor": customer(other), "signatory": PERSON}))  # set aside, not in SQL
        point_cli_at(monkeypatch, env.client, tmp_path)

        # the offer's signatory, by name, in the run before the loan continued as new
        signed = await cli("subject", "--name", f"{SIGNATORY}\u3000")
        assert signed.exit_code == 0, signed.output
        shown = said(signed)
        assert shown.startswith(f"journeys holding name {SIGNATORY}: 1 "), shown
        assert f"{first.id}: stage post_loan, running; its history on the server" in shown
        assert (f"signatory of the offer (its history, run {first.result_run_id}, event "
                in shown), shown
        assert (f"): signed by {SIGNATORY} (授权代表 authorised agent, power of attorney "
                f"POA-{app.credit_code[-6:]}); evidence: e-sign certificate") in shown
        assert "signatories, payers' accounts and feedback comments of " in shown

        # the payer, by the account as typed otherwise: its repayment and the comment naming
        # it, the account shown by its first and last 4 digits (whole with --full)
        paid = await cli("subject", "--account", "6222-0202-0011-2233", "--json")
        assert paid.exit_code == 0, paid.output
        found = json.loads(paid.output)
        assert found["value"] == "6222...2233"
        [journey] = found["journeys"]
        assert journey["workflow_id"] == first.id
        [repaid, commented] = journey["held"]
        assert (repaid["where"], repaid["field"], repaid["about"], repaid["value"]) == (
            "history", "payer_account", "payer of repayment R-1", "account 6222...2233, 100.00")
        assert commented["field"] == "comment" and "退款请回 6222...2233 " in commented["value"]
        assert ACCOUNT not in paid.output and "0011" not in paid.output
        assert PAYER in said(await cli("subject", "--account", ACCOUNT, "--full"))

        # the complaint's comment, by her name, mobile and email: any id number masked
        for sought in (("--name", AUTHOR), ("--mobile", "13900139123"),
                       ("--email", " qian.xw@ACME.example.cn")):
            complained = await cli("subject", *sought)
            assert complained.exit_code == 0, complained.output
            shown = said(complained)
            assert shown.startswith("journeys holding ") and ": 1 " in shown, shown
            assert f"complaint of {datetime.now(UTC):%Y-%m-%d}" in shown, shown
            assert " UTC (its history, run " in shown, shown
            assert (f"feedback csat=1 about offer complaint staff, by {app.credit_code} "
                    f"(customer): 经办人 {AUTHOR} 手机 139 0013 9123 邮箱 "
                    "Qian.XW@acme.example.cn 退款请回 6222 0202-0011 2233 身份证 "
                    "**************8888") in shown, shown

        # a signature kept for delivery: its signatory set aside beside the document store
        kept = said(await cli("subject", "--name", PERSON))
        assert (f"{second.id}: stage risk_review, running; its history on the server "
                "signatory of the offer (a pending instruction, instruction 1, pending, set "
                f"aside beside the document store): signed by {PERSON} (法定代表人 legal "
                "representative); evidence: e-sign certificate CFCA-7F3A21") in kept, kept

        # in none of them: nothing found, exit 0
        nobody = await cli("subject", "--account", "6222020200119999")
        assert nobody.exit_code == 0, nobody.output
        assert said(nobody).startswith("nothing found: no journey holds account 6222...9999")
        typo = await cli("subject", "--account", "6222-0202-001X")
        assert typo.exit_code == 2 and "8 to 30 digits" in said(typo), typo.output


async def test_a_complaint_after_the_end_and_money_back_to_a_payer_are_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A declined customer's complaint, kept by a late feedback run of its own once the
    journey ended, names the person; money going back to a payer's account is found by the
    account: a refund paid, and one entered and awaiting its checker (the journey database's
    rows), the account shown by its first and last 4 digits."""
    docs = Documents()
    app = application(docs)
    async with fresh_dev_server() as env, journey_worker(env.client, tmp_path, docs) as settings:
        handle = await start(env.client, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW, seconds=60)
        await handle.execute_update(LoanJourneyWorkflow.record_risk_opinion, RiskOpinion(
            actor=RISK_SME, verdict=Verdict.REJECT, grade=RiskGrade.G8, reason="leverage"))
        assert (await handle.result()).outcome is Stage.REJECTED
        complaint = Feedback(actor=customer(app), channel=Channel.PHONE,
                             stage=Stage.RISK_REVIEW, score=1,
                             category=ComplaintCategory.DECISION, comment=COMMENT)
        late = await late_touchpoints.record_late_feedback(env.client, settings, handle.id,
                                                           complaint)
        late_run = (await env.client.get_workflow_handle(late).describe()).run_id
        now, paid_on = datetime.now(UTC), date(2026, 12, 1)
        record_refund(settings.db_url, PayerRefund(
            workflow_id=handle.id, payment="R-9", paid_on=paid_on, amount=Decimal("50.00"),
            account=ACCOUNT, refunded_at=now, refunded_by=SUBMITTER.id, role=SUBMITTER.role,
            origin=origin(), reference="RF-1", reason="paid beyond the whole plan"),
            overpaid=Decimal("80.00"))
        entry = enter_outflow(settings.db_url, PayerOutflow(
            kind=OutflowKind.REFUND, workflow_id=handle.id, payment="R-9", paid_on=paid_on,
            amount=Decimal("30.00"), account=ACCOUNT, reference="RF-2",
            reason="the rest paid beyond the plan", entered_by=SUBMITTER.id,
            role=SUBMITTER.role, origin=origin(), entered_at=now, source_payment="R-9",
            source_account=ACCOUNT))
        # money received for the ended loan and not booked, kept with its payer's account,
        # returned to that account
        unbooked = keep_instruction(settings.db_url, Instruction(
            workflow_id=handle.id, update="record_repayment", update_id="u-repay",
            request=pay("R-8", "20.00", from_account=PAYER).model_dump_json(),
            actor=SUBMITTER.id, role=SUBMITTER.role, typed_at=now, origin=origin()))
        settle(settings.db_url, unbooked, Delivery.UNBOOKED, "the loan has ended", now)
        assert record_return(settings.db_url, PayerReturn(
            instruction_id=unbooked, workflow_id=handle.id, returned_at=now,
            reference="RT-1", reason="the loan had ended", account=ACCOUNT))
        point_cli_at(monkeypatch, env.client, tmp_path)

        complained = await cli("subject", "--name", AUTHOR)
        assert complained.exit_code == 0, complained.output
        shown = said(complained)
        assert shown.startswith(f"journeys holding name {AUTHOR}: 1 "), shown
        assert (f"{handle.id}: stage rejected, ended (completed); its history on the server "
                f"complaint of {now:%Y-%m-%d}") in shown, shown
        assert (f" UTC (its history, run {late_run} of {late}, its input): feedback csat=1 "
                f"about risk_review complaint decision, by {app.credit_code} (customer): "
                f"经办人 {AUTHOR} ") in shown, shown

        back = await cli("subject", "--account", PAYER)
        assert back.exit_code == 0, back.output
        shown = said(back)
        assert (f"payer of repayment R-9 (money back entered, entry {entry}, awaiting): account "
                "6222...2233: the refund of 30.00 under RF-2 goes to it payer of repayment "
                f"R-9 (money back entered, entry {entry}, awaiting): account 6222...2233: the "
                "refund of 30.00 under RF-2 came from it") in shown, shown
        assert ("payer of repayment R-9 (a refund paid, refund RF-1): account 6222...2233: "
                "refunded 50.00") in shown, shown
        assert ("payer of repayment R-8 (a pending instruction, instruction 1, returned): "
                "account 6222...2233, 20.00") in shown, shown
        assert ("payer of repayment R-8 (a return paid, return RT-1): account 6222...2233: "
                "returned") in shown, shown
        assert "退款请回 6222...2233 " in shown and ACCOUNT not in shown, shown
