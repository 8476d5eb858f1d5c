"""A small fixed event set whose report figures are computed by hand in test_analytics.py.

Four journeys from T0 (2026-03-02 09:00 UTC):
  A working_capital: intake 1h, documents 2h, completeness 24h (customer, warned),
    routing 10 min, risk_review 48h (bank, warned, breached, escalated), approval 4h -> rejected
  B working_capital (T0 + 1 d): intake 30 min, documents 1h, completeness 2h (customer) -> withdrawn
  C project_finance (T0 + 2 d): intake 2h, documents 1.5h, completeness 12h then a second
    attempt 6h (customer), routing 20 min, risk_review 24h (bank, warned), approval still open
  D project_finance (T0 + 3 d): intake entered, still open
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from journey.application import Channel, Product
from journey.stages import Party, Stage
from journey.timeline import EventType, TimingEvent

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = 3600.0


@dataclass
class Step:
    stage: Stage
    seconds: float | None  # None: still open
    waits_on: Party = Party.SYSTEM
    outcome: str | None = None
    flags: list[EventType] = field(default_factory=list)
    attempt: int = 1
    team: str | None = None


def journey(wf: str, product: Product, start: datetime, steps: list[Step]) -> list[TimingEvent]:
    events: list[TimingEvent] = []
    at = start

    def add(kind: EventType, step: Step, when: datetime, **extra: object) -> None:
        events.append(
            TimingEvent(
                workflow_id=wf,
                sequence=len(events),
                type=kind,
                stage=step.stage,
                attempt=step.attempt,
                at=when,
                waits_on=step.waits_on,
                product=product,
                team=step.team,
                **extra,  # type: ignore[arg-type]
            )
        )

    for step in steps:
        add(EventType.ENTERED, step, at)
        for i, flag in enumerate(step.flags):
            add(flag, step, at + timedelta(minutes=i + 1), actor="sla-timer")
        if step.seconds is None:
            break
        at += timedelta(seconds=step.seconds)
        add(EventType.EXITED, step, at, outcome=step.outcome, actor="officer-1")
    return events


def fixed_events() -> list[TimingEvent]:
    warned, breached, escalated = EventType.SLA_WARNED, EventType.SLA_BREACHED, EventType.ESCALATED
    S, P = Stage, Party
    a = journey(
        "A",
        Product.WORKING_CAPITAL,
        T0,
        [
            Step(S.INTAKE, 1 * H, outcome="documents"),
            Step(S.DOCUMENTS, 2 * H, outcome="completeness"),
            Step(S.COMPLETENESS, 24 * H, P.CUSTOMER, "routing", [warned]),
            Step(S.ROUTING, 600, outcome="risk_review"),
            Step(
                S.RISK_REVIEW,
                48 * H,
                P.BANK,
                "approval",
                [warned, breached, escalated],
                team="risk-a",
            ),
            Step(S.APPROVAL, 4 * H, P.BANK, "rejected", team="credit-committee"),
        ],
    )
    a.append(  # a touchpoint: stored, ignored in durations
        a[4].model_copy(
            update={"sequence": len(a), "type": EventType.TOUCHPOINT, "channel": Channel.WEB}
        )
    )
    b = journey(
        "B",
        Product.WORKING_CAPITAL,
        T0 + timedelta(days=1),
        [
            Step(S.INTAKE, 0.5 * H, outcome="documents"),
            Step(S.DOCUMENTS, 1 * H, outcome="completeness"),
            Step(S.COMPLETENESS, 2 * H, P.CUSTOMER, "withdrawn"),
        ],
    )
    c = journey(
        "C",
        Product.PROJECT_FINANCE,
        T0 + timedelta(days=2),
        [
            Step(S.INTAKE, 2 * H, outcome="documents"),
            Step(S.DOCUMENTS, 1.5 * H, outcome="completeness"),
            Step(S.COMPLETENESS, 12 * H, P.CUSTOMER, "completeness"),
            Step(S.COMPLETENESS, 6 * H, P.CUSTOMER, "routing", attempt=2),
            Step(S.ROUTING, 1200, outcome="risk_review"),
            Step(S.RISK_REVIEW, 24 * H, P.BANK, "approval", [warned], team="risk-b"),
            Step(S.APPROVAL, None, P.BANK, team="credit-committee"),
        ],
    )
    d = journey("D", Product.PROJECT_FINANCE, T0 + timedelta(days=3), [Step(S.INTAKE, None)])
    return a + b + c + d
