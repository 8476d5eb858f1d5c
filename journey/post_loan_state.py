"""What the post-loan stage keeps between wake-ups and carries over continue-as-new."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from journey.class_judgement import ClassProposal
from journey.classification import RiskClass
from journey.loan_account import Payment
from journey.lpr import RateChange
from journey.post_loan_policy import PostLoanPolicy
from journey.post_loan_warnings import EarlyWarning
from journey.review_contracts import ReviewResult
from journey.stages import Stage


class PostLoanState(BaseModel):
    """What the post-loan stage keeps between wake-ups, and carries over continue-as-new."""

    payments: list[Payment] = Field(default_factory=list)
    reminded: list[int] = Field(default_factory=list)  # instalment numbers reminded
    overdue_noticed: list[int] = Field(default_factory=list)
    prepayments_noticed: list[str] = Field(default_factory=list)  # payment references
    risk_class: RiskClass = RiskClass.NORMAL
    class_reason: str = ""  # why the loan has its class (or why an upgrade is held)
    downgraded_on: date | None = None  # the last downgrade: the observation period runs since
    assessed: RiskClass = RiskClass.NORMAL  # the last review's judgement, before the dpd floor
    # before any review, why `assessed` is worse than normal: the covenant breaches on file
    # the payout carried (since marker carried-breach-classed)
    judged_on_file: str = ""
    max_days_past_due: int = 0
    warnings: list[EarlyWarning] = Field(default_factory=list)
    reviews_seen: list[str] = Field(default_factory=list)  # review ids, the newest last
    write_off_votes: list[str] = Field(default_factory=list)  # committee member ids
    schedule_every_months: int | None = None  # the review cadence the schedule has now
    last_review: ReviewResult | None = None
    review_inbox: list[ReviewResult] = Field(default_factory=list)  # signalled, not applied
    reviews_this_run: int = 0
    runs: int = 1  # runs of this journey so far (continue-as-new counts them)
    rate_changes: list[RateChange] = Field(default_factory=list)  # repricings, oldest first
    # the loan's reviews paused or their schedule deleted, as the journey was told: since when
    # and by whom ("reviews stopped: deleted by sup-sme on 2026-12-07"); None while they run
    # (since marker reviews-stopped-listed)
    reviews_stopped: str | None = None
    # a class proposed on the risk team's judgement, awaiting its supervisor's confirmation
    class_proposal: ClassProposal | None = None
    # a class confirmed on judgement, for the post-loan loop to take (None: taken, or none)
    judged: ClassProposal | None = None
    # while the loan is in the class a confirmed judgement gave it: why ("" otherwise)
    judgement: str = ""


class PostLoanCarry(BaseModel):
    """Everything continue-as-new must carry: the post-loan state and the journey's own.

    `journey` is the journey's bookkeeping (policy snapshot, route, offer, disbursement,
    timeline, decisions, timing events, sequence) as JSON: the workflow restores it with its
    own models, which live beside JourneyInput and would make this module import in a circle.
    """

    state: PostLoanState
    policy: PostLoanPolicy  # pinned with the offer (older journeys: when post-loan began)
    policy_sha256: str | None = None  # of its text (None: pinned before it was kept)
    journey: dict[str, object]
    # the stage the next run resumes in: post-loan, or a project's drawdowns (disbursement)
    stage: Stage = Stage.POST_LOAN
