"""SLA policy per stage and product, and the timer points it gives a stage.

Durations are ISO 8601 in the policy file ("P5D", "PT24H"). The unit says how to count them:
- "calendar": wall-clock time;
- "business": working hours on the working calendar ("PT24H" = 24 working hours);
- "business_days": working days ("P15D" = 15 working days; "PT12H" = half a working day).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, model_validator

from journey.application import Product
from journey.policy.calendar import WorkingCalendar, add_business_time
from journey.stages import Stage

if TYPE_CHECKING:
    from journey.policy.models import Policy


class Unit(StrEnum):
    CALENDAR = "calendar"
    BUSINESS = "business"
    BUSINESS_DAYS = "business_days"


class EscalationAction(StrEnum):
    REMIND_OWNER = "remind_owner"
    REASSIGN_SUPERVISOR = "reassign_supervisor"
    NOTIFY_CUSTOMER = "notify_customer"


class EscalationLevel(BaseModel):
    level: int = Field(ge=1)
    after_breach: timedelta = Field(ge=timedelta(0))
    action: EscalationAction
    unit: Unit | None = None  # None: the stage's unit


class StageSla(BaseModel):
    target: timedelta = Field(gt=timedelta(0))
    unit: Unit = Unit.CALENDAR
    warning_ratio: float = Field(default=0.8, gt=0, lt=1)
    escalations: list[EscalationLevel] = Field(default_factory=list)
    expiry_after: timedelta | None = Field(default=None, gt=timedelta(0))
    expiry_unit: Unit = Unit.CALENDAR

    @model_validator(mode="after")
    def _levels_in_order(self) -> StageSla:
        levels = [e.level for e in self.escalations]
        if levels != list(range(1, len(levels) + 1)):
            raise ValueError(f"escalation levels must be 1, 2, 3... in order, got {levels}")
        return self


class SlaPolicy(BaseModel):
    """`stages` apply to every product; an override replaces a stage's SLA for one product;
    `figures_check` is the SLA of a wait of its own within the documents stage."""

    stages: dict[Stage, StageSla] = Field(default_factory=dict)
    overrides: dict[Product, dict[Stage, StageSla]] = Field(default_factory=dict)
    # operations' check of unsure figures against the paper, a documents visit of its own on
    # them (journey/figures_checked.py), where the documents stage has none; None (policies
    # before 2026.12-8): that wait runs under no SLA
    figures_check: StageSla | None = None

    def for_stage(self, stage: Stage, product: Product) -> StageSla | None:
        override = self.overrides.get(product, {}).get(stage)
        return override if override is not None else self.stages.get(stage)


class SlaPoint(BaseModel):
    kind: Literal["warning", "breach", "escalation"]
    level: int = 0
    at: datetime
    action: EscalationAction | None = None


def add_duration(
    cal: WorkingCalendar, start: datetime, duration: timedelta, unit: Unit
) -> datetime:
    """`start` + `duration` counted in `unit`, in UTC."""
    if start.tzinfo is None:
        raise ValueError(f"{start!r} has no time zone: pass an aware datetime (UTC)")
    if unit is Unit.CALENDAR:
        return (start + duration).astimezone(UTC)
    if unit is Unit.BUSINESS_DAYS:
        seconds = round(duration.total_seconds() * cal.day_length.total_seconds() / 86400)
        duration = timedelta(seconds=seconds)
    return add_business_time(cal, start, duration)


def _scaled(duration: timedelta, ratio: float) -> timedelta:
    return timedelta(seconds=round(duration.total_seconds() * ratio))


def sla_points(
    policy: Policy,
    stage: Stage,
    product: Product,
    entered_at: datetime,
    calendar: WorkingCalendar,
) -> list[SlaPoint]:
    """Warning, breach and escalation moments for a stage entered at `entered_at`, by time.

    Escalation offsets count from the breach. A stage without an SLA gives [].
    """
    sla = policy.sla.for_stage(stage, product)
    if sla is None:
        return []
    warning = add_duration(calendar, entered_at, _scaled(sla.target, sla.warning_ratio), sla.unit)
    breach = add_duration(calendar, entered_at, sla.target, sla.unit)
    points = [
        SlaPoint(kind="warning", at=warning),
        SlaPoint(kind="breach", at=breach),
    ]
    for esc in sla.escalations:
        at = add_duration(calendar, breach, esc.after_breach, esc.unit or sla.unit)
        points.append(SlaPoint(kind="escalation", level=esc.level, at=at, action=esc.action))
    order = {"warning": 0, "breach": 1, "escalation": 2}
    return sorted(points, key=lambda p: (p.at, order[p.kind], p.level))


def expiry_at(
    policy: Policy,
    stage: Stage,
    product: Product,
    entered_at: datetime,
    calendar: WorkingCalendar,
) -> datetime | None:
    """When the stage expires (e.g. an unsigned offer), or None when it never does."""
    sla = policy.sla.for_stage(stage, product)
    if sla is None or sla.expiry_after is None:
        return None
    return add_duration(calendar, entered_at, sla.expiry_after, sla.expiry_unit)
