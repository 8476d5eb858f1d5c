"""A kept act's typist is checked against the staff directory before it is kept
(starter/pending_typist.py): the customer-side acts that the journey checks with the same
rule are refused at once, naming the roles, and a front-office typist passes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from journey.actors import Actor, Role
from journey.application import Channel
from journey.decisions import AddDocuments, Repayment, WrittenAnswer
from journey.documents import DocumentRef
from journey.drawdowns import DrawdownRequest
from journey.policy.authority import FRONT_OFFICE_INSTEAD, ONLY_THE_CUSTOMER
from journey.settings import Settings
from journey.stages import Stage
from journey.touchpoints import Feedback, Inquiry
from starter.errors import Refused
from starter.pending_send import DOCUMENTS
from starter.pending_typist import typist_allowed

APPROVER = Actor(id="appr-branch-1", role=Role.APPROVER)
RM = Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER)


@pytest.mark.parametrize(("update", "words", "request_of"), [
    ("answer_question", "answer",
     lambda a: WrittenAnswer(actor=a, text="the receivable was collected")),
    ("request_drawdown", "drawdown request",
     lambda a: DrawdownRequest(actor=a, tranche_id="T1", amount=Decimal("100000.00"))),
])
def test_an_answer_or_a_drawdown_request_from_the_back_office_is_refused_before_it_is_kept(
    update, words, request_of, tmp_path
) -> None:
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(Refused, match=f"^{words} refused: .*relationship_manager"):
        typist_allowed(settings, "loan-APP-1", update, request_of(APPROVER))
    typist_allowed(settings, "loan-APP-1", update, request_of(RM))  # front office: kept


def test_an_answer_typed_by_operations_is_refused_before_it_is_kept(tmp_path) -> None:
    """A written answer is the customer's word: only its relationship manager types it."""
    ops = Actor(id="ops-li", role=Role.OPERATIONS)
    with pytest.raises(Refused, match=r"answer refused: .*one of: relationship_manager "
                                      r"\(ask rm-zhang, rm-chen, rm-liu\)$"):
        typist_allowed(Settings(data_dir=tmp_path), "loan-APP-1", "answer_question",
                       WrittenAnswer(actor=ops, text="the receivable was collected"))


@pytest.mark.parametrize(("update", "words", "request_of", "front_office"), [
    (DOCUMENTS, "documents", lambda a: AddDocuments(actor=a, documents=[DocumentRef(
        sha256="a" * 64, filename="licence.png", size=1)]), True),
    ("record_inquiry", "inquiry", lambda a: Inquiry(actor=a, channel=Channel.PHONE), True),
    ("answer_question", "answer", lambda a: WrittenAnswer(actor=a, text="collected"), False),
    ("record_feedback", "feedback", lambda a: Feedback(
        actor=a, channel=Channel.PHONE, stage=Stage.INTAKE, score=5), False),
])
def test_staff_typing_as_the_customer_are_refused_before_it_is_kept(
    update, words, request_of, front_office, tmp_path
) -> None:
    settings = Settings(data_dir=tmp_path)
    staff = Actor(id="ops-wang", role=Role.CUSTOMER)  # `--role` left at its default
    with pytest.raises(Refused) as refused:
        typist_allowed(settings, "loan-APP-1", update, request_of(staff))
    assert str(refused.value) == f"{words} refused: {ONLY_THE_CUSTOMER}" + (
        f"; {FRONT_OFFICE_INSTEAD}" if front_office else "")
    # a customer id of no staff member may be the borrower: only the journey knows
    typist_allowed(settings, "loan-APP-1", update,
                   request_of(Actor(id="91310000MA1FL8XQ3B", role=Role.CUSTOMER)))


def test_a_repayment_typed_by_anyone_but_operations_is_refused_before_it_is_kept(
        tmp_path) -> None:
    """Refused at delivery, a kept repayment is money received and not booked, which two
    operations people must then return: so the typist's role is checked as it is typed."""
    settings = Settings(data_dir=tmp_path)

    def repayment(actor: Actor) -> Repayment:
        return Repayment(actor=actor, amount=Decimal("500.00"), reference="RP-1",
                         paid_on=date(2026, 12, 8))

    for typist in (RM, APPROVER, Actor(id="91310000MA1FL8XQ3B", role=Role.CUSTOMER)):
        with pytest.raises(Refused, match=r"^repayment refused: .*(only operations record "
                                          r"money received|operations record receipts)"):
            typist_allowed(settings, "loan-APP-1", "record_repayment", repayment(typist))
    typist_allowed(settings, "loan-APP-1", "record_repayment",
                   repayment(Actor(id="ops-li", role=Role.OPERATIONS)))  # kept
