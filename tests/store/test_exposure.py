"""Each journey's line in its borrower's exposure, on a real database: kept once, the
principal a running loan owes updated, and ended journeys, loans repaid to nothing, other
borrowers and the asking journey itself left out."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from journey.application import Product
from journey.exposure import ExposureLine, KeepExposureInput
from journey.stages import Party, Stage
from journey.timeline import EventType, TimingEvent
from store.exposure import keep, others
from store.timing import record_events

CODE, OTHER = "91310000MA1FL8LQ1X", "91440300HNAG2PQU4A"


def line(wf: str, amount: int, principal: int | None = None, code: str = CODE
         ) -> KeepExposureInput:
    return KeepExposureInput(workflow_id=wf, credit_code=code, amount=Decimal(amount),
                             principal=None if principal is None else Decimal(principal))


def ended(url: str, wf: str, stage: Stage) -> None:
    record_events(url, [TimingEvent(
        workflow_id=wf, sequence=0, type=EventType.ENTERED, stage=stage,
        at=datetime(2026, 12, 5, tzinfo=UTC), waits_on=Party.SYSTEM,
        product=Product.WORKING_CAPITAL)])


def test_the_borrowers_other_journeys_that_have_not_ended(db_url: str) -> None:
    keep(db_url, line("loan-A", 3_000_000))
    keep(db_url, line("loan-A", 3_000_000))  # a retried activity: still one line
    keep(db_url, line("loan-B", 4_000_000))
    keep(db_url, line("loan-B", 4_000_000, principal=2_500_000))  # running, part repaid
    keep(db_url, line("loan-C", 9_000_000))
    keep(db_url, line("loan-D", 1_000_000, principal=0))  # repaid, not closed yet
    keep(db_url, line("loan-E", 7_000_000, code=OTHER))
    keep(db_url, line("loan-F", 2_000_000))
    ended(db_url, "loan-C", Stage.WITHDRAWN)
    assert others(db_url, CODE, "loan-F") == [
        ExposureLine(workflow_id="loan-A", amount=Decimal(3_000_000)),
        ExposureLine(workflow_id="loan-B", amount=Decimal(2_500_000), running=True),
    ]
    ended(db_url, "loan-B", Stage.CLOSED)
    assert [o.workflow_id for o in others(db_url, CODE, "loan-A")] == ["loan-F"]
    assert [o.workflow_id for o in others(db_url, OTHER, "-")] == ["loan-E"]
