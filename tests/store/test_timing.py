from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import text

from journey.application import Channel, Product
from journey.stages import Party, Stage
from journey.timeline import EventType, TimingEvent
from store.db import engine_for
from store.timing import events_for, reached, record_events

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _batch(wf: str = "loan-1", n: int = 6) -> list[TimingEvent]:
    kinds = [EventType.ENTERED, EventType.SLA_WARNED, EventType.EXITED]
    return [
        TimingEvent(
            workflow_id=wf,
            sequence=i,
            type=kinds[i % 3],
            stage=Stage.INTAKE if i < 3 else Stage.DOCUMENTS,
            at=T0 + timedelta(minutes=i),
            waits_on=Party.BANK,
            product=Product.WORKING_CAPITAL,
            team="ops",
            outcome="documents" if i == 2 else None,
        )
        for i in range(n)
    ]


def _rows(url: str) -> list[tuple[str, int]]:
    with engine_for(url).connect() as c:
        q = text("select workflow_id, sequence from stage_events order by workflow_id, sequence")
        return [tuple(r) for r in c.execute(q)]


def test_a_rewritten_batch_never_duplicates_a_row(db_url: str) -> None:
    batch = _batch()
    assert record_events(db_url, batch) == 6
    assert record_events(db_url, batch) == 0  # activity retry
    assert record_events(db_url, batch[3:] + _batch("loan-2", 2)) == 2  # replay overlaps
    assert _rows(db_url) == [("loan-1", i) for i in range(6)] + [("loan-2", 0), ("loan-2", 1)]


def test_concurrent_retries_insert_each_event_once(db_url: str) -> None:
    batch = _batch(n=600)  # more than one insert chunk
    record_events(db_url, [])
    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: record_events(db_url, batch), range(4)))
    assert sum(counts) == 600
    assert len(_rows(db_url)) == 600


def test_events_round_trip_with_utc_times(db_url: str) -> None:
    shanghai = timezone(timedelta(hours=8))
    touch = TimingEvent(
        workflow_id="loan-1",
        sequence=9,
        type=EventType.TOUCHPOINT,
        stage=Stage.OFFER,
        at=datetime(2026, 3, 2, 17, 30, tzinfo=shanghai),
        waits_on=Party.CUSTOMER,
        product=Product.PROJECT_FINANCE,
        actor="cust-7",
        channel=Channel.APP,
        detail="viewed offer",
    )
    record_events(db_url, [*_batch(), touch])
    back = events_for(db_url, "loan-1")
    assert [e.sequence for e in back] == [0, 1, 2, 3, 4, 5, 9]
    assert back[:6] == _batch()
    assert back[6].at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert back[6].at.tzinfo is not None
    assert back[6].model_dump(exclude={"at"}) == touch.model_dump(exclude={"at"})
    assert events_for(db_url, "nobody") == []


def test_reached_names_the_journeys_that_entered_a_stage(db_url: str) -> None:
    record_events(db_url, _batch("loan-1", 6) + _batch("loan-2", 3))  # loan-2 never left intake
    # an SLA warning at documents is not an entry
    record_events(db_url, [e for e in _batch("loan-3", 6) if e.type is not EventType.ENTERED])
    asked = ["loan-1", "loan-2", "loan-3", "loan-unknown"]
    assert reached(db_url, Stage.DOCUMENTS, asked) == {"loan-1"}
    assert reached(db_url, Stage.INTAKE, asked) == {"loan-1", "loan-2"}
    assert reached(db_url, Stage.INTAKE, []) == set()
