"""The stages of a loan journey, in the order of shared/DESIGN.md's table."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    INTAKE = "intake"
    DOCUMENTS = "documents"
    COMPLETENESS = "completeness"
    ROUTING = "routing"
    RISK_REVIEW = "risk_review"
    APPROVAL = "approval"
    OFFER = "offer"
    DISBURSEMENT = "disbursement"
    POST_LOAN = "post_loan"
    # terminal
    CLOSED = "closed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL

    @property
    def before_disbursement(self) -> bool:
        return self in _BEFORE_DISBURSEMENT


TERMINAL = frozenset({Stage.CLOSED, Stage.REJECTED, Stage.WITHDRAWN, Stage.EXPIRED})
_BEFORE_DISBURSEMENT = frozenset(
    {
        Stage.INTAKE,
        Stage.DOCUMENTS,
        Stage.COMPLETENESS,
        Stage.ROUTING,
        Stage.RISK_REVIEW,
        Stage.APPROVAL,
        Stage.OFFER,
    }
)
ORDER: tuple[Stage, ...] = tuple(Stage)


class Party(StrEnum):
    """Whom a stage waits on: the journey map splits waiting time by it."""

    CUSTOMER = "customer"
    BANK = "bank"
    SYSTEM = "system"
