"""The post-loan part of the status table, rendered from a status as the CLI prints it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from rich.console import Console

from journey.actors import Actor, Role
from journey.classification import RiskClass
from journey.loan_payments import apply_payments, settlement_quote
from journey.owed_figures import OwedFigures, owed_figures
from journey.post_loan_covenants import Covenant, check_covenants
from journey.post_loan_warnings import Acknowledgement, EarlyWarning, WarningAction
from journey.review_contracts import ReviewResult
from journey.stages import Party, Stage
from journey.status import DecisionRecord, JourneyStatus, StageVisit
from starter.post_loan_view import post_loan_view
from starter.status_view import status_view
from tests.post_loan.test_classification import PLAN

DSCR = Covenant(id="min-dscr", ratio="dscr", bound="min", limit=Decimal("1.20"))
LEVERAGE = Covenant(id="max-leverage", ratio="debt_to_asset", bound="max", limit=Decimal("0.70"))


def shown(status: JourneyStatus, owed: OwedFigures | None = None) -> str:
    console = Console(record=True, width=200)
    for part in post_loan_view(status, owed):
        console.print(part)
    return " ".join(console.export_text().split())


def test_a_loan_in_arrears_with_one_warning_acknowledged() -> None:
    why = "dscr not known: no income statement read"
    review = ReviewResult(
        review_id="review-1", journey_id="loan-1", reviewed_on=date(2026, 3, 1),
        ratios={"debt_to_asset": Decimal("0.82"), "dscr": None}, notes={"dscr": why},
        checks=check_covenants([LEVERAGE, DSCR], {"debt_to_asset": Decimal("0.82")},
                               {"dscr": why}),
        days_past_due=14, arrears=Decimal("10600.00"), assessed=RiskClass.SPECIAL_MENTION,
        risk_class=RiskClass.SPECIAL_MENTION, previous_class=RiskClass.NORMAL,
    )
    seen = Acknowledgement(by="risk-sme-1", at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                           action=WarningAction.SITE_VISIT, note="[urgent] stock pledged")
    status = JourneyStatus(
        workflow_id="loan-1", application_id="APP-1", stage=Stage.POST_LOAN, attempt=1,
        waits_on=Party.CUSTOMER, account=apply_payments(PLAN, []), days_past_due=14,
        max_days_past_due=14, arrears=Decimal("10600.00"), risk_class=RiskClass.SPECIAL_MENTION,
        risk_class_reason="special_mention (关注): 14 days past due (floor 关注)",
        warnings=[
            EarlyWarning(kind="covenant_breach", at=date(2026, 3, 1), team="sme_risk",
                         detail=review.breaches[0].detail, acknowledged=seen),
            EarlyWarning(kind="downgrade", at=date(2026, 3, 1), team="sme_risk",
                         detail="normal (正常) -> special_mention (关注)"),
        ],
        last_review=review, bank_utc_offset=8,
    )
    account, day = status.account, date(2026, 3, 1)
    assert account is not None
    owed = owed_figures(account, settlement_quote(account, day, date(2026, 1, 15)), day)
    text = shown(status, owed)
    for expected in (
        "classification 关注 (special_mention)",
        "why special_mention (关注): 14 days past due (floor 关注)",
        "days past due 14 (most so far 14)", "arrears 10,600.00",
        "principal left 120,000.00",
        "due and unpaid 10,600.00: principal 10,000.00, interest 600.00, penalty interest 0.00",
        # #2's 550.00 for 28 days, 14 of them run
        "interest accrued 275.00 in the current period to 2026-03-01, not yet due",
        "to settle today 120,875.00 on 2026-03-01",
        "plan's interest to come 3,300.00 scheduled for the periods not yet ended",
        "next instalment #1 due 2026-02-15: 10,600.00 (past due)", "open warnings #2",
        "risk-sme-1 2026-03-02 17:00 (UTC+8): site_visit, [urgent] stock pledged",
        "max-leverage │ debt_to_asset <= 0.70 │ 0.82 │ breached",
        "min-dscr │ dscr >= 1.20 │ - │ not available",
        "DSCR: dscr not known: no income statement read",
    ):
        assert expected in text, (expected, text)


def test_nothing_before_disbursement() -> None:
    status = JourneyStatus(workflow_id="loan-1", application_id="APP-1", stage=Stage.OFFER,
                           attempt=1, waits_on=Party.CUSTOMER)
    assert post_loan_view(status) == []


def test_what_people_wrote_shows_whole_in_the_status() -> None:
    reason = "[/x] cash flow covers it, see the [urgent] memo"
    status = JourneyStatus(
        workflow_id="loan-1", application_id="APP-1", stage=Stage.WITHDRAWN, attempt=1,
        waits_on=Party.SYSTEM, outcome_reason="found [cheaper] funding",
        decisions=[DecisionRecord(stage=Stage.RISK_REVIEW, attempt=1, verdict="approve",
                                  actor=Actor(id="risk-sme-1", role=Role.RISK_OFFICER),
                                  reason=reason, at=datetime(2026, 3, 1, tzinfo=UTC))],
    )
    console = Console(record=True, width=300)
    console.print(status_view(status))  # "[/x]" raised MarkupError before it was escaped
    text = console.export_text()
    assert reason in text and "found [cheaper] funding" in text


def test_every_moment_of_the_status_is_on_the_banks_clock() -> None:
    """The timeline and the decisions on the pinned calendar's clock, as the deadlines the
    journey words itself are, each labelled with its zone: one screen, one clock."""
    entered = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
    decided = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    status = JourneyStatus(
        workflow_id="loan-1", application_id="APP-1", stage=Stage.OFFER, attempt=1,
        waits_on=Party.CUSTOMER, bank_utc_offset=8,
        timeline=[StageVisit(stage=Stage.RISK_REVIEW, attempt=1, waits_on=Party.BANK,
                             entered_at=entered, exited_at=decided, outcome=Stage.OFFER)],
        decisions=[DecisionRecord(stage=Stage.RISK_REVIEW, attempt=1, verdict="approve",
                                  actor=Actor(id="risk-sme-1", role=Role.RISK_OFFICER),
                                  at=decided)],
    )
    console = Console(record=True, width=300)
    console.print(status_view(status))
    text = " ".join(console.export_text().split())
    assert "2026-03-01 09:30 (UTC+8) │ 2026-03-01 17:30 (UTC+8) │ offer" in text, text
    assert "2026-03-01 17:30 (UTC+8) │ risk_review │ risk-sme-1" in text, text
    assert "(UTC)" not in text and "09:30:00" not in text
