"""A refused attempt is kept once: met again in the same process (the command's mark, then
the boundary), or written again because the database did not confirm the first write."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from journey.settings import Settings
from starter import attempts, boundary
from starter.attempts import Attempt, acting
from starter.cli import app
from starter.errors import BadInput
from store import refusals

ATTEMPT = Attempt(workflow_id="loan-APP-ONCE", action="decide", actor="appr-1", role="approver")


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    return Settings().db_url


def test_the_same_refusal_written_twice_is_kept_once(db_url: str) -> None:
    refusal = attempts.refusal_of(ATTEMPT, "the reason is too short")
    assert refusals.record_refusal(db_url, refusal)
    assert not refusals.record_refusal(db_url, refusal)
    later = attempts.refusal_of(ATTEMPT, "the reason is too short")  # an attempt again
    assert refusals.record_refusal(db_url, later)
    assert len(refusals.refusals(db_url, ATTEMPT.workflow_id)) == 2


def test_a_write_the_database_did_not_confirm_is_tried_again_and_kept_once(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    written = refusals.record_refusal
    calls = []

    def confirmed_late(url: str, refusal: refusals.Refusal, key: bytes | None) -> bool:
        calls.append(written(url, refusal, key))
        if len(calls) == 1:  # committed, but the answer was lost
            raise OperationalError("COMMIT", {}, Exception("server closed the connection"),
                                   connection_invalidated=True)
        return calls[-1]

    monkeypatch.setattr(attempts, "record_refusal", confirmed_late)
    attempts.keep(attempts.refusal_of(ATTEMPT, "no"), wait=0)
    assert calls == [True, False]
    assert len(refusals.refusals(db_url, ATTEMPT.workflow_id)) == 1
    assert "not logged" not in capsys.readouterr().err


def test_a_refusal_met_by_the_command_and_then_the_boundary_is_kept_once(db_url: str) -> None:
    @acting("add_documents")
    def documents(workflow_id: str, actor: str, role: str) -> None:
        raise BadInput("cannot read document gone.jpg: No such file or directory")

    with pytest.raises(BadInput) as refused:
        documents(workflow_id="loan-APP-ONCE", actor="91440300HNAG2PQU4A", role="customer")
    assert boundary.report(refused.value) == BadInput.exit_code
    (kept,) = refusals.refusals(db_url, "loan-APP-ONCE")
    assert (kept.action, kept.actor, kept.role) == ("add_documents", "91440300HNAG2PQU4A",
                                                    "customer")
    assert attempts.attempting() is None  # the command is over


def test_only_refusals_of_commands_that_act_on_a_loan_are_kept(db_url: str) -> None:
    @acting("record_repayment")
    def repay(workflow_id: str, actor: str) -> None:
        raise typer.BadParameter("Input should be greater than 0", param_hint="amount")

    with pytest.raises(typer.BadParameter):
        repay(workflow_id="loan-APP-ONCE", actor="ops-li")
    boundary.report(BadInput("a read's bad input, with no attempt running"))
    (kept,) = refusals.refusals(db_url)
    assert (kept.action, kept.reason) == ("record_repayment",
                                          "amount: Input should be greater than 0")


def test_a_database_that_cannot_be_reached_is_said_once_and_not_tried_again(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    calls = []

    def unreachable(url: str, refusal: refusals.Refusal, key: bytes | None) -> bool:
        calls.append(url)
        raise OperationalError("connect", {}, Exception("connection refused"))

    monkeypatch.setattr(attempts, "record_refusal", unreachable)
    attempts.keep(attempts.refusal_of(ATTEMPT, "no"), wait=0)
    assert len(calls) == 1
    assert "the refused attempt was not logged for auditors" in capsys.readouterr().err


def test_a_command_line_the_parser_refuses_is_kept_as_typed_without_secrets(
    db_url: str,
) -> None:
    graded = CliRunner().invoke(app, [
        "opinion", "loan-APP-PARSE", "--verdict", "approve", "--grade", "99", "--reason", "ok",
        "--as", "risk-sme-1"])
    assert graded.exit_code == 2, graded.output
    unsure = CliRunner().invoke(app, [
        "repay", "loan-APP-PARSE", "--amount", "12,5o", "--as", "ops-li",
        "--reference", "https://ops:hunter2@bank.example/r/1"])
    assert unsure.exit_code == 2, unsure.output
    assert CliRunner().invoke(app, ["status", "loan-APP-PARSE", "--bogus"]).exit_code == 2
    graded_kept, repay_kept = refusals.refusals(db_url, "loan-APP-PARSE")
    assert (graded_kept.action, graded_kept.actor, graded_kept.role) == (
        "record_risk_opinion", "risk-sme-1", "risk_officer")
    assert "'99' is not one of" in graded_kept.reason
    assert graded_kept.reason.endswith("opinion loan-APP-PARSE --verdict approve --grade 99 "
                                       "--reason ok --as risk-sme-1)")
    assert (repay_kept.action, repay_kept.actor) == ("record_repayment", "ops-li")
    assert "12,5o" in repay_kept.reason and "hunter2" not in repay_kept.reason
    assert "https://ops:***@bank.example/r/1" in repay_kept.reason
    assert attempts.as_typed(["report", "--db", "postgresql://u:pw@h/x", "--api-key=k1"]) == (
        "report --db '***' '--api-key=***'")


def test_every_secret_of_a_refused_command_line_is_starred(db_url: str) -> None:
    decided = CliRunner().invoke(app, [
        "decide", "loan-APP-TA1-C", "--verdict", "approve", "--as", "appr-1",
        "--reason", "see postgresql://appr:p@ss@db.bank/loans", "--token=SEKRET1"])
    assert decided.exit_code == 2, decided.output
    repaid = CliRunner().invoke(app, [
        "repay", "loan-APP-TA1-B", "--amount", "5", "--reference", "R-1", "--as", "ops-li",
        "--api-key", "SEKRET2", "--passwd", "SEKRET3", "-p", "SEKRET4", "--credentials",
        "SEKRET5", "--pass=SEKRET6"])
    assert repaid.exit_code == 2, repaid.output
    (decided_kept,) = refusals.refusals(db_url, "loan-APP-TA1-C")  # under the id typed
    (repaid_kept,) = refusals.refusals(db_url, "loan-APP-TA1-B")
    assert (decided_kept.action, decided_kept.actor) == ("decide", "appr-1")
    assert "postgresql://appr:***@db.bank/loans" in decided_kept.reason
    assert "ss@" not in decided_kept.reason and "SEKRET" not in decided_kept.reason
    assert (repaid_kept.action, repaid_kept.actor) == ("record_repayment", "ops-li")
    assert "SEKRET" not in repaid_kept.reason
    assert repaid_kept.reason.endswith(
        "repay loan-APP-TA1-B --amount 5 --reference R-1 --as ops-li --api-key '***' "
        "--passwd '***' -p '***' --credentials '***' '--pass=***')")


def test_a_refused_command_line_is_kept_under_its_journey_with_what_was_typed(
    db_url: str,
) -> None:
    for typed in (["decide", "--token=SEKRET1", "loan-APP-TA1-D", "--verdict", "approve",
                   "--reason", "ok", "--as", "appr-1"],  # the parser failed before the id
                  ["repay", "loan-APP-TA1-D", "--amount", "-5", "--reference", "R-1",
                   "--as", "ops-li"],  # the command refused the amount
                  ["repay", "loan-APP-TA1-D", "--amount"],  # the parser names no command
                  ["repay", "APP-TA1-D", "--amount", "5", "--bogus"]):  # no journey id
        assert CliRunner().invoke(app, typed).exit_code == 2, typed
    unknown, negative, cut_short = refusals.refusals(db_url, "loan-APP-TA1-D")
    assert (unknown.action, unknown.actor) == ("decide", "appr-1")
    assert (negative.action, negative.reason) == (
        "record_repayment", "amount: Input should be greater than 0 (typed: root repay "
                            "loan-APP-TA1-D --amount -5 --reference R-1 --as ops-li)")
    assert cut_short.reason.endswith("(typed: root repay loan-APP-TA1-D --amount)")
    (no_journey,) = refusals.refusals(db_url, "-")
    assert no_journey.reason.endswith("(typed: root repay APP-TA1-D --amount 5 --bogus)")


def test_refusals_are_listed_on_the_bank_s_clock(db_url: str) -> None:
    """An auditor reads when on the bank's clock, the clock the heading names: a refusal at
    23:30 UTC was on the bank's next day."""
    late = attempts.refusal_of(ATTEMPT, "not yours to decide").model_copy(
        update={"at": datetime(2026, 12, 6, 23, 30, 5, tzinfo=UTC)})
    assert refusals.record_refusal(db_url, late)
    listed = CliRunner().invoke(app, ["refusals", ATTEMPT.workflow_id])
    assert listed.exit_code == 0, listed.output
    assert "when (UTC+8)" in listed.output and "2026-12-07 07:30:05" in listed.output


def test_a_refused_command_line_keeps_no_person_s_data(db_url: str) -> None:
    """A feedback's comment is kept in the journey's history alone (encrypted where codec keys
    are set) and a signatory's name is a person's: a refused command line keeps that each was
    given, in the refusals table's plain text, never what it said."""
    comment = "张三 身份证 110101199003071234 手机 13800138000"
    scored = CliRunner().invoke(app, [
        "feedback", "loan-APP-PI-1", "--score", "9", "--stage", "offer", "--as",
        "91440300HNAG2PQU4A", "--channel", "branch", "--comment", comment])
    assert scored.exit_code == 2, scored.output  # a csat score is 1 to 5: refused
    signed = CliRunner().invoke(app, [
        "sign", "loan-APP-PI-1", "--as", "91440300HNAG2PQU4A", "--signatory=李四",
        "--capacity", "chairman", "--evidence", "e-sign certificate CFCA-1"])
    assert signed.exit_code == 2, signed.output  # no such capacity: the parser refuses it
    scored_kept, signed_kept = refusals.refusals(db_url, "loan-APP-PI-1")
    assert scored_kept.action == "record_feedback" and "score is 1 to 5" in scored_kept.reason
    assert scored_kept.reason.endswith("--channel branch --comment '***')")
    assert signed_kept.action == "sign" and "'chairman' is not one of" in signed_kept.reason
    assert "'--signatory=***'" in signed_kept.reason
    for kept in (scored_kept, signed_kept):
        assert not any(said in kept.reason for said in ("张三", "110101199003071234",
                                                        "13800138000", "李四"))
