"""Custom search attributes: the work lists of Temporal's own visibility.

No personal or financial detail goes here (they are stored in plain text, which no codec
encrypts): the amount is a band, never the figure; nor any text the customer typed, such as a
document's file name (it may carry a name or an ID number): a document is named by its kind and
the first 12 hex of its sha256. The borrower's unified social credit code is the company's public
registration number (on its business licence), not a personal detail: it is listed so risk
can pull one borrower's whole file (`list --credit-code`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from temporalio.common import SearchAttributeKey, TypedSearchAttributes

STAGE = SearchAttributeKey.for_keyword("JourneyStage")
TEAM = SearchAttributeKey.for_keyword("JourneyTeam")
TIER = SearchAttributeKey.for_keyword("ApprovalTier")
AMOUNT_BAND = SearchAttributeKey.for_keyword("AmountBand")
SLA_STATE = SearchAttributeKey.for_keyword("SlaState")
PRODUCT = SearchAttributeKey.for_keyword("JourneyProduct")
# a disbursed loan's class (五级分类: normal ... loss): the risk team's loan book
LOAN_CLASS = SearchAttributeKey.for_keyword("LoanClass")

# when the journey began (its first run's, which continue-as-new would otherwise hide: the
# visibility start time is each run's), UTC ISO-8601 to the microsecond, so text sorts as time
JOURNEY_STARTED = SearchAttributeKey.for_keyword("JourneyStartedAt")

# since when the case has waited on its team and its SLA on that wait, as compact JSON
# (journey/queue_wait.py), "-" on no team's queue: `queue` reads it with the rest of the row
QUEUE_WAIT = SearchAttributeKey.for_keyword("QueueWait")

# the staff id the current stage is assigned to (`reassign`, an SLA's escalation to a
# supervisor), "-" when the whole team holds it: `queue --person` and the team queues' "assigned
# to"; unset on journeys from before it (marker assignee-attribute)
ASSIGNEE = SearchAttributeKey.for_keyword("JourneyAssignee")

# the borrower's unified social credit code (统一社会信用代码), the only item of a list:
# every journey of one borrower, `list --credit-code` (`CreditCode = '<code>'` matches a list
# holding it); unset on journeys from before it (marker credit-code-attribute). A KeywordList,
# as SQL visibility (the dev server's SQLite, PostgreSQL) holds at most 10 Keyword attributes
# a namespace, all taken above
CREDIT_CODE = SearchAttributeKey.for_keyword_list("CreditCode")

ALL = (STAGE, TEAM, TIER, AMOUNT_BAND, SLA_STATE, PRODUCT, LOAN_CLASS, JOURNEY_STARTED,
       QUEUE_WAIT, ASSIGNEE, CREDIT_CODE)

_BANDS = ((Decimal(5_000_000), "up-to-5m"), (Decimal(50_000_000), "5m-50m"))


def amount_band(amount: Decimal) -> str:
    for limit, band in _BANDS:
        if amount <= limit:
            return band
    return "over-50m"


def started_stamp(at: datetime) -> str:
    """JourneyStartedAt's text for `at`."""
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def journey_started(attributes: TypedSearchAttributes, run_started: datetime) -> datetime:
    """When the journey began: JourneyStartedAt, or for a run without it (a journey that
    never continued as new, or last did so before the attribute) `run_started`."""
    stamp = attributes.get(JOURNEY_STARTED)
    return datetime.fromisoformat(stamp) if stamp else run_started


def registration() -> dict[str, int]:
    """Name to IndexedValueType, for OperatorService.AddSearchAttributes on a cluster."""
    return {key.name: int(key.indexed_value_type) for key in ALL}


def type_name(kind: int) -> str:
    """An IndexedValueType as `temporal operator search-attribute create --type` names it."""
    from temporalio.api.enums.v1 import IndexedValueType

    return "".join(w.title() for w in IndexedValueType.Name(kind).removeprefix(
        "INDEXED_VALUE_TYPE_").split("_"))
