"""What a request for information still waits for (journey/info_request.py)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from journey.actors import Actor, Role
from journey.decisions import (
    ApprovalDecision,
    InfoRequest,
    RiskGrade,
    RiskOpinion,
    Verdict,
    WrittenAnswer,
)
from journey.documents import DocumentKind
from journey.info_request import (
    OpenRequest,
    refuse_unasked,
    refuse_unended_periods,
    still_awaited,
    vote_suspended,
)
from journey.policy import DecisionRefused
from journey.stages import Stage
from tests.journey.test_loan_file import BORROWER, END, sheet


def request(asks: InfoRequest | None, on_file: list[str] | None = None) -> OpenRequest:
    return OpenRequest(stage=Stage.APPROVAL, question="why", asks=asks, since=1,
                       on_file=on_file)


def test_only_the_borrowers_statement_of_the_period_sent_after_the_request_meets_it() -> None:
    asks = InfoRequest(kinds=[DocumentKind.BALANCE_SHEET, DocumentKind.BUSINESS_LICENSE],
                       periods=[END])
    own, other = sheet("own", BORROWER), sheet("other", "广州新元电子有限公司")
    awaited = still_awaited(request(asks), [own, other], {own.ref.sha256: 1,
                                                          other.ref.sha256: 2}, BORROWER)
    assert awaited == [  # sent before the request, or another company's: not yet
        f"the balance sheet (资产负债表) of the period ending {END}, asked at approval: why",
        "the business licence (营业执照), asked at approval: why",
    ]
    assert len(still_awaited(request(asks), [own], {own.ref.sha256: 2}, BORROWER)) == 1


def test_a_question_is_met_by_a_written_answer_or_any_document_read_after_it() -> None:
    letter = sheet("letter", BORROWER)
    assert still_awaited(request(None), [letter], {letter.ref.sha256: 1}, BORROWER) == [
        "a written answer (`loan-journey answer`, or a signed letter, scanned) to the question "
        "asked at approval: why"]
    assert still_awaited(request(None), [letter], {letter.ref.sha256: 2}, BORROWER) == []
    answered = request(None).model_copy(update={"answer": WrittenAnswer(
        actor=Actor(id="91310000MA1K4AE83X", role=Role.CUSTOMER), text="a one-off order")})
    assert still_awaited(answered, [letter], {letter.ref.sha256: 1}, BORROWER) == []


def test_a_request_names_something_and_only_a_request_asks() -> None:
    actor = Actor(id="cc-1", role=Role.APPROVER)
    with pytest.raises(ValidationError, match="name the documents asked for"):
        InfoRequest()
    with pytest.raises(ValidationError, match="ask it in the question"):
        InfoRequest(kinds=[DocumentKind.UNKNOWN])
    with pytest.raises(ValidationError, match="only a request for information asks"):
        ApprovalDecision(actor=actor, verdict=Verdict.APPROVE, reason="ok",
                         asks=InfoRequest(periods=[date(2025, 12, 31)]))
    with pytest.raises(ValidationError, match="only a request for information asks the cus"):
        ApprovalDecision(actor=actor, verdict=Verdict.REJECT, reason="no", question="why?")
    with pytest.raises(DecisionRefused, match="asks the customer a question"):
        refuse_unasked(Verdict.REQUEST_INFO, None)
    refuse_unasked(Verdict.REQUEST_INFO, "why the dip?")
    refuse_unasked(Verdict.APPROVE, None)


def test_a_copy_of_what_was_on_file_is_no_answer_and_status_says_why() -> None:
    copy, new = sheet("copy", BORROWER), sheet("new", BORROWER)
    batches = {copy.ref.sha256: 2, new.ref.sha256: 2}  # the copy sent again after the request
    asks = InfoRequest(kinds=[DocumentKind.BALANCE_SHEET])
    for asked in (None, asks):
        assert still_awaited(request(asked), [copy], batches, BORROWER) == []  # before the marker
        awaited = still_awaited(request(asked, [copy.ref.sha256]), [copy], batches, BORROWER)
        assert awaited[1:] == ["copy.png was on file before the request: a copy sent again is "
                               "not new information"]
        assert still_awaited(request(asked, [copy.ref.sha256]), [copy, new], batches,
                             BORROWER) == []


def test_a_statement_whose_company_is_illegible_is_not_shown_to_be_the_borrowers() -> None:
    unnamed = sheet("unnamed", BORROWER)
    assert unnamed.statement is not None
    unnamed.statement.company = None
    batches, asks = {unnamed.ref.sha256: 2}, InfoRequest(periods=[END])
    assert len(still_awaited(request(asks), [unnamed], batches, BORROWER)) == 1  # before it
    assert still_awaited(request(asks, []), [unnamed], batches, BORROWER)[2:] == [
        f"unnamed.png: the company on it is illegible, so it cannot be shown to be {BORROWER}'s:"
        " send a copy with the company's name legible"]


def test_only_periods_that_have_ended_on_a_month_end_are_asked_for() -> None:
    refuse_unended_periods(InfoRequest(periods=[END]), END)
    with pytest.raises(DecisionRefused, match="has not ended"):
        refuse_unended_periods(InfoRequest(periods=[END]), date(2025, 12, 30))
    with pytest.raises(DecisionRefused, match="not the last day of a month"):
        refuse_unended_periods(InfoRequest(periods=[date(2025, 6, 30), date(2025, 9, 15)]), END)


def test_a_risk_officer_grades_an_approval_or_a_rejection_not_a_request() -> None:
    officer = Actor(id="risk-1", role=Role.RISK_OFFICER)
    assert RiskOpinion(actor=officer, verdict=Verdict.REQUEST_INFO, reason="why").grade is None
    with pytest.raises(ValidationError, match="grade the obligor"):
        RiskOpinion(actor=officer, verdict=Verdict.APPROVE, reason="sound")
    graded = RiskOpinion(actor=officer, verdict=Verdict.REQUEST_INFO, reason="why",
                         grade=RiskGrade.G4)
    assert RiskOpinion.model_validate_json(graded.model_dump_json()) == graded  # as before


def test_a_vote_while_a_request_is_open_is_told_what_it_waits_for() -> None:
    waiting = vote_suspended("cc-2", ["a written answer to why"], "the committee", ["cc-1"])
    assert waiting == ("the vote is suspended until the customer answers cc-2's question or "
                       "sends what was asked (a written answer to why): the case returns to "
                       "the committee then, and the votes cast (cc-1) stand unless a document "
                       "they were cast on is superseded")
    assert vote_suspended("appr-branch-1", [], "approval", []) == (
        "appr-branch-1's request is met: the case returns to approval once the file is "
        "checked; vote then")
