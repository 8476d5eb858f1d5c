"""The answer to a customer's inquiry about an ended journey: the outcome in the bank's words,
on the bank's day, never the deciders' internal reason."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from journey.application import Product
from journey.inquiry_answer import CUSTOMER_OUTCOME, ended_answer
from journey.stages import TERMINAL, Party, Stage
from journey.status import JourneyStatus, StageVisit

NOTE = "risk review: leverage too high, secret note 13901234567"
EVENING = datetime(2026, 12, 5, 17, 30, tzinfo=UTC)  # 01:30 on 6 December in Beijing


def ended(stage: Stage, offset: int | None = 8) -> JourneyStatus:
    visits = [StageVisit(stage=Stage.INTAKE, attempt=1, waits_on=Party.BANK,
                         entered_at=datetime(2026, 12, 1, tzinfo=UTC), exited_at=EVENING),
              StageVisit(stage=stage, attempt=1, waits_on=Party.SYSTEM, entered_at=EVENING)]
    return JourneyStatus(workflow_id="loan-T-REJ", application_id="T-REJ", stage=stage,
                         attempt=1, waits_on=Party.SYSTEM, timeline=visits,
                         product=Product.WORKING_CAPITAL, amount=Decimal("3000000"),
                         outcome_reason=NOTE, bank_utc_offset=offset)


def test_a_rejected_customer_hears_the_outcome_not_the_risk_officers_note() -> None:
    assert ended_answer(ended(Stage.REJECTED)) == (
        "Your application T-REJ for a working capital loan of 3,000,000.00 ended on 2026-12-06 "
        "(the bank's day, UTC+8): the bank could not approve the application; your "
        "relationship manager will explain.")


@pytest.mark.parametrize("stage", sorted(TERMINAL))
def test_every_outcome_has_words_for_the_customer(stage: Stage) -> None:
    said = ended_answer(ended(stage))
    assert said.startswith("Your application T-REJ for a working capital loan of 3,000,000.00")
    assert said.endswith(f": {CUSTOMER_OUTCOME[stage]}.")
    # the customer's words: not the journey's id, nor its stage's name beside the outcome
    assert "loan-T-REJ" not in said and f", {stage}:" not in said
    assert "secret" not in said and "leverage" not in said


def test_a_journey_that_pinned_no_calendar_says_its_day_is_utcs() -> None:
    assert ended_answer(ended(Stage.WITHDRAWN, offset=None)) == (
        "Your application T-REJ for a working capital loan of 3,000,000.00 ended on 2026-12-05 "
        "(UTC): the application was withdrawn.")


def test_a_status_without_product_or_amount_names_the_application_by_its_id() -> None:
    bare = ended(Stage.WITHDRAWN).model_copy(update={"product": None, "amount": None})
    assert ended_answer(bare) == ("Your application T-REJ ended on 2026-12-06 (the bank's "
                                  "day, UTC+8): the application was withdrawn.")
