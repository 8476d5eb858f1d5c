"""The risk team's judgement of a loan's class (贷款五级分类 on the debtor's condition).

The 2023 rules classify a loan down on the borrower's condition, not only on days past due:
a risk officer of the loan's risk team proposes a class with the reason (`ClassifyLoan`),
and the team's supervisor confirms it by classifying it the same (four eyes: never the one
who proposed). The class then takes effect, never better than the days-past-due floor and
the last review's judgement (`classify`); an upgrade back follows the observation period
(journey/classification.py `reclassify`) or another confirmed judgement. Pure: the workflow
keeps the proposal and calls these rules from its update validator and handler.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from journey.actors import Actor
from journey.classification import RiskClass
from journey.policy.errors import DecisionRefused


class ClassifyLoan(BaseModel):
    """The `classify_loan` update: propose `risk_class` (a risk officer or supervisor of the
    loan's risk team), or confirm the proposal standing (the team's supervisor, the same
    class)."""

    actor: Actor
    risk_class: RiskClass
    reason: str = Field(min_length=2, max_length=2000)


class ClassProposal(BaseModel):
    """A class proposed on judgement, awaiting the risk team supervisor's confirmation."""

    risk_class: RiskClass
    reason: str
    by: str
    at: datetime
    confirmed_by: str | None = None  # the supervisor, once confirmed

    def said(self) -> str:
        return (f"{self.risk_class} ({self.risk_class.label_zh}) proposed by {self.by}: "
                f"{self.reason}")


def confirms(proposal: ClassProposal | None, request: ClassifyLoan) -> bool:
    """Whether `request` confirms `proposal` (someone else's), rather than proposing anew."""
    return proposal is not None and proposal.by != request.actor.id


def replaces(proposal: ClassProposal | None, request: ClassifyLoan) -> bool:
    """Whether `request` is its proposer's own proposal of another class, replacing
    `proposal` before the supervisor confirmed it (a class proposed in error)."""
    return proposal is not None and proposal.by == request.actor.id \
        and request.risk_class is not proposal.risk_class


def check_classification(current: RiskClass, floor: RiskClass, proposal: ClassProposal | None,
                         request: ClassifyLoan, floor_reason: str, team: str) -> None:
    """DecisionRefused saying why `request` may not classify the loan, classed `current`,
    whose days past due and last review give at least `floor` (`floor_reason` says how), of
    risk team `team`. Its proposer may not propose the class awaiting confirmation again
    (the supervisor confirms the grounds first given), only replace it by another class."""
    wanted = request.risk_class
    if proposal is not None and not confirms(proposal, request) \
            and not replaces(proposal, request):
        raise DecisionRefused(
            f"your proposal of {wanted} ({wanted.label_zh}) awaits the {team} supervisor's "
            f"confirmation: the supervisor confirms it by classifying it {wanted}; to propose "
            f"another class instead, classify that one")
    if proposal is not None and confirms(proposal, request) \
            and wanted is not proposal.risk_class:
        raise DecisionRefused(
            f"{proposal.said()}, awaits confirmation: confirm it by classifying "
            f"{proposal.risk_class}, or ask {proposal.by} to propose {wanted} instead")
    if wanted is current:
        raise DecisionRefused(f"the loan is already classified {wanted} ({wanted.label_zh})")
    if wanted.rank < floor.rank:
        raise DecisionRefused(
            f"{wanted} ({wanted.label_zh}) is better than the loan may be: {floor_reason}: "
            f"classify it at least {floor} ({floor.label_zh})")
