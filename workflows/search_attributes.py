"""Custom search attributes: the work lists of Temporal's own visibility.

No personal or financial detail goes here (they are stored in plain text): the amount is
a band, never the figure.
"""

from __future__ import annotations

from decimal import Decimal

from temporalio.common import SearchAttributeKey

STAGE = SearchAttributeKey.for_keyword("JourneyStage")
TEAM = SearchAttributeKey.for_keyword("JourneyTeam")
TIER = SearchAttributeKey.for_keyword("ApprovalTier")
AMOUNT_BAND = SearchAttributeKey.for_keyword("AmountBand")
SLA_STATE = SearchAttributeKey.for_keyword("SlaState")
PRODUCT = SearchAttributeKey.for_keyword("JourneyProduct")
# a disbursed loan's class (五级分类: normal ... loss): the risk team's loan book
LOAN_CLASS = SearchAttributeKey.for_keyword("LoanClass")

ALL = (STAGE, TEAM, TIER, AMOUNT_BAND, SLA_STATE, PRODUCT, LOAN_CLASS)

_BANDS = ((Decimal(5_000_000), "up-to-5m"), (Decimal(50_000_000), "5m-50m"))


def amount_band(amount: Decimal) -> str:
    for limit, band in _BANDS:
        if amount <= limit:
            return band
    return "over-50m"


def registration() -> dict[str, int]:
    """Name to IndexedValueType, for OperatorService.AddSearchAttributes on a cluster."""
    from temporalio.api.enums.v1 import IndexedValueType

    return {key.name: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD for key in ALL}
