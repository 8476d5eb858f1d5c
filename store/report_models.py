"""The journey report: what `build_report` returns and the CLI and HTML map render.

All durations are seconds (float) of wall-clock (calendar) time, whatever the unit of a
stage's SLA. A wait still open counts up to the report's time (`generated_at`), in the stage
figures, the shares, the slowest journeys and the pain points alike. Percentiles are
nearest-rank: pXX is the duration at rank ceil(XX/100 * n) of the n spans (waits) ordered
by duration.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from decimal import Decimal

from pydantic import BaseModel

from journey.policy.calendar import moment_at
from journey.stages import Stage

ALL_PRODUCTS = "all"
# from the application to the payout: the slowest journeys, the swimlane and the bottleneck
# look at these; post_loan lasts the loan's term and would drown every other stage
APPLICATION_PATH = tuple(s.value for s in Stage if s.before_disbursement) + (
    Stage.DISBURSEMENT.value,
)


class StageStats(BaseModel):
    """One stage (and product, or ALL_PRODUCTS): spans are (journey, stage, attempt), each a
    wait on one party; a visit is one span, or a customer's span and the bank's that continues
    it (a project's drawdown: store/spans.py)."""

    stage: str
    product: str
    count: int  # visits entered
    completed: int  # visits entered and left
    waits: int = 0  # spans entered
    waits_completed: int = 0  # spans entered and exited; the durations below are over all
    # the waits, the open ones counted up to the report's time
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None
    p90: float | None = None
    min: float | None = None
    max: float | None = None
    total_seconds: float = 0.0
    customer_seconds: float = 0.0
    bank_seconds: float = 0.0
    customer_share: float = 0.0  # of total_seconds, by the waits_on of the entered event
    bank_share: float = 0.0
    warning_rate: float = 0.0  # share of entered spans (waits) with an sla_warned event
    breach_rate: float = 0.0
    escalation_rate: float = 0.0  # SLA escalations only
    early_warning_rate: float = 0.0  # share of spans with a loan's early warning (post_loan)


class FunnelRow(BaseModel):
    """How many journeys reached a stage and how they left it: each journey once, by its
    last visit of the stage, so reached = advanced + sent_back + the ends + in_stage."""

    stage: str
    reached: int
    advanced: int = 0  # left forward, to a later stage of the table
    sent_back: int = 0  # left back to an earlier stage (a question asked at risk review)
    rejected: int = 0
    withdrawn: int = 0
    expired: int = 0
    closed: int = 0
    terminated: int = 0  # ended by the Temporal server, recorded by the archivist
    in_stage: int = 0  # entered and not exited yet


class SlowJourney(BaseModel):
    """A journey's time on the application path (APPLICATION_PATH), not in post-loan: to
    the payout, or for one not paid out, to its end, or to the report's time while it runs."""

    workflow_id: str
    product: str
    started_at: datetime
    last_at: datetime
    elapsed_seconds: float
    customer_seconds: float = 0.0
    bank_seconds: float = 0.0
    stages: int = 0  # stage visits
    breaches: int = 0
    final: str | None = None  # the terminal state, None while the journey runs
    paid_out: bool = False  # it reached post-loan

    def measured_to(self) -> str:
        if self.paid_out:
            return "payout"
        return "its end" if self.final else "now"


class Span(BaseModel):
    """One stage attempt of one journey, for the swimlane."""

    workflow_id: str
    stage: str
    attempt: int
    waits_on: str | None
    entered_at: datetime
    exited_at: datetime | None
    seconds: float | None
    breached: bool = False


UNASSIGNED = "unassigned"  # a bank's wait whose rows name no team, or no person (holders.py)
ALL_HOLDERS = "all"  # a team's row: all its people together


class Held(BaseModel):
    """Whose waits a report looks at (`report --team/--person`): None, anyone's."""

    team: str | None = None
    person: str | None = None


class Holder(BaseModel):
    """The bank's waits one team held (person ALL_HOLDERS), or one person of it (the parts of
    the waits they held, cut at handovers): the spans that waited on the bank, an open one up to
    the report's time (store/holders.py)."""

    team: str
    person: str
    cases: int  # journeys
    waits: int  # spans (a person's: those they held a part of)
    total_seconds: float
    median_seconds: float | None = None  # nearest-rank, over the waits
    share: float | None = None  # of the bank's wait, every team's together


class Bottleneck(BaseModel):
    stage: str
    share_of_time: float
    reason: str
    team: str | None = None  # whom the stage's wait was on, when it was on the bank
    person: str | None = None  # named when they held most of the team's wait


class StageSatisfaction(BaseModel):
    """The satisfaction curve: feedback about one stage. NPS = % promoters - % detractors."""

    stage: str
    csat_n: int = 0
    csat_avg: float | None = None  # 1-5
    nps_n: int = 0
    nps: float | None = None  # -100..100


UNKNOWN_CHANNEL = "unknown"
UNKNOWN_CHANNEL_MEANS = (
    "unknown: touchpoints with no channel recorded: a project's drawdowns closed with no "
    "customer acting (the availability period ended, every tranche drawn, the bank "
    "withdrew it), or withdrawn by the customer without saying where (withdraw --channel)"
)


class ChannelCount(BaseModel):
    """Touchpoints (timing events of type touchpoint) in one stage through one channel
    (UNKNOWN_CHANNEL where none was recorded: UNKNOWN_CHANNEL_MEANS)."""

    stage: str
    channel: str
    touchpoints: int


class PainPoint(BaseModel):
    """Time waited times dissatisfaction: the average time the customers who rated the stage
    spent in it (their spans summed per journey, an open one up to the report's time) in
    hours times (5 - avg CSAT about the stage)."""

    stage: str
    avg_wait_seconds: float
    customer_share: float = 0.0  # of that time, the share the stage waited on the customer
    csat_avg: float
    csat_n: int
    pain: float


class ComplaintCount(BaseModel):
    stage: str
    category: str
    complaints: int


class WaitScore(BaseModel):
    """Per journey: its time in the stage (hours) against its average CSAT about the stage;
    Pearson's r over those points (None below 3 points or without variance)."""

    stage: str
    n: int
    correlation: float | None = None
    points: list[tuple[float, float]] = []  # (hours waited, score), at most MAX_POINTS


class TouchpointReport(BaseModel):
    touchpoints: int = 0
    feedback: int = 0
    complaints: int = 0
    satisfaction: list[StageSatisfaction] = []  # in journey order
    channels: list[ChannelCount] = []  # in journey order, then channel
    pain_points: list[PainPoint] = []  # worst first
    complaint_categories: list[ComplaintCount] = []
    wait_vs_score: list[WaitScore] = []


class JourneyReport(BaseModel):
    generated_at: datetime
    product: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    journeys: int = 0
    events: int = 0
    stages: list[StageStats] = []  # per (stage, product)
    stage_totals: list[StageStats] = []  # per stage, all products together
    funnel: list[FunnelRow] = []
    slowest: list[SlowJourney] = []
    timelines: list[Span] = []  # the spans of the slowest journeys
    held: Held = Held()  # only the journeys with a wait this team or person held
    waiting_on_whom: list[Holder] = []  # each team, followed by its people
    paid_out: int = 0  # journeys paid out: the bottleneck shares out their time to payout
    # what the ledger lent the report's journeys (their payouts, a project's drawdowns),
    # whenever booked, and to how many of them: the money beside the counts
    lent: Decimal = Decimal("0.00")
    lent_to: int = 0
    bottleneck: Bottleneck | None = None
    touchpoints: TouchpointReport | None = None  # store/touchpoint_analytics.py


def human(seconds: float | None) -> str:
    """3.2 d, 5.0 h, 12 min, 40 s: durations a person reads at a glance."""
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if abs(seconds) >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def scope(r: JourneyReport, utc_offset_hours: int = 0) -> str:
    """What a report covers: "all products, journeys started from ... to ... (UTC+8)", on
    the clock `utc_offset_hours` from UTC (the bank's); a period that ends at a day's 00:00
    there ends with the day before, "to <that day> inclusive"."""
    text = f"product {r.product}" if r.product else "all products"
    if r.since or r.until:
        zone = timezone(timedelta(hours=utc_offset_hours))
        since_at = r.since.astimezone(zone) if r.since else None
        until_at = r.until.astimezone(zone) if r.until else None
        since = f" from {since_at:%Y-%m-%d %H:%M}" if since_at else ""
        until = f" before {until_at:%Y-%m-%d %H:%M}" if until_at else ""
        if until_at and until_at.time() == time(0):
            until = f" to {until_at - timedelta(days=1):%Y-%m-%d} inclusive"
        text += f", journeys started{since}{until} (UTC{utc_offset_hours:+d})"
    if r.held.team or r.held.person:
        whom = " and ".join(f"{k} {v}" for k, v in r.held.model_dump().items() if v)
        text += f", journeys with a wait on the bank held by {whom}"
    return text


def measured(r: JourneyReport, utc_offset_hours: int = 0) -> str:
    """How the report's durations are measured, said under its stage table; the report's
    time on the clock `utc_offset_hours` from UTC (the bank's)."""
    return (
        f"Durations are wall-clock (calendar) time, also where a stage's SLA counts business "
        f"hours; open waits are counted to {moment_at(r.generated_at, utc_offset_hours)} (the "
        "report's time), in the durations, the shares, the charts and the slowest journeys "
        "alike."
    )


FUNNEL_MEANS = (
    "Each journey counts once per stage it reached, by how its last visit of the stage "
    "ended: advanced (forward, to a later stage), sent back (to an earlier one, a question "
    "asked at risk review or approval), an end, or still in the stage."
)


def bottleneck_says(r: JourneyReport) -> str:
    """The bottleneck's reason, or why there is none."""
    if r.bottleneck is not None:
        return r.bottleneck.reason
    whose = f"of product {r.product} " if r.product else ""
    return f"none: no journey {whose}was paid out, so there is no time to payout to share out"
