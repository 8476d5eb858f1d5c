"""A kept act's typist is checked against the staff directory before it is kept
(starter/pending_typist.py): the customer-side acts that the journey checks with the same
rule are refused at once, naming the roles, and a front-office typist passes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from journey.actors import Actor, Role
from journey.decisions import WrittenAnswer
from journey.drawdowns import DrawdownRequest
from journey.settings import Settings
from starter.errors import Refused
from starter.pending_typist import typist_allowed

APPROVER = Actor(id="appr-branch-1", role=Role.APPROVER)
RM = Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER)


@pytest.mark.parametrize(("update", "request_of"), [
    ("answer_question", lambda a: WrittenAnswer(actor=a, text="the receivable was collected")),
    ("request_drawdown", lambda a: DrawdownRequest(actor=a, tranche_id="T1",
                                                   amount=Decimal("100000.00"))),
])
def test_an_answer_or_a_drawdown_request_from_the_back_office_is_refused_before_it_is_kept(
    update, request_of, tmp_path
) -> None:
    settings = Settings(data_dir=tmp_path)
    with pytest.raises(Refused, match=f"{update} refused: .*relationship_manager"):
        typist_allowed(settings, "loan-APP-1", update, request_of(APPROVER))
    typist_allowed(settings, "loan-APP-1", update, request_of(RM))  # front office: kept


def test_an_answer_typed_by_operations_is_refused_before_it_is_kept(tmp_path) -> None:
    """A written answer is the customer's word: only its relationship manager types it."""
    ops = Actor(id="ops-li", role=Role.OPERATIONS)
    with pytest.raises(Refused, match="answer_question refused: .*one of: relationship_manager$"):
        typist_allowed(Settings(data_dir=tmp_path), "loan-APP-1", "answer_question",
                       WrittenAnswer(actor=ops, text="the receivable was collected"))
