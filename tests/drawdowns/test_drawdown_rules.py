"""The pure rules of drawdowns: the default plan, conditions precedent explained, the DSCR on
the submitted figures, and the repayment plan on what was drawn."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from journey.application import Product
from journey.documents import DocumentKind, DocumentReading, FinancialStatement, ReadStatus
from journey.drawdown_conditions import (
    DocumentCheck,
    DrawdownFacts,
    RepaymentTerms,
    availability_interest,
    check_document,
    evaluate_conditions,
    projected_dscr,
    repayment_plan,
    unused_months,
)
from journey.drawdown_notices import conditions_not_met
from journey.drawdowns import (
    Commitment,
    DrawdownRecord,
    DrawdownState,
    availability_ends,
    available,
    default_plan,
    open_tranches,
)
from journey.post_loan_dscr import dscr as dscr_of_review
from journey.repayment import Frequency, RepaymentMethod
from tests.drawdowns.kit import ask, permit
from tests.workflows.journey_kit import Documents, application

TERMS = RepaymentTerms(annual_rate=Decimal("0.044"), method=RepaymentMethod.EQUAL_PRINCIPAL,
                       frequency=Frequency.QUARTERLY, term_months=60)


def pf(amount: int = 15_000_000, term: int = 60):  # noqa: ANN201
    docs = Documents()
    return docs, application(docs, product=Product.PROJECT_FINANCE, amount=amount,
                             term_months=term)


def test_default_plan_three_tranches_summing_to_the_amount() -> None:
    _, app = pf(amount=10_000_001)
    plan = default_plan(app)
    assert [t.id for t in plan.tranches] == ["t1", "t2", "t3"]
    assert [t.cap for t in plan.tranches] == [
        Decimal("3000000.30"), Decimal("4000000.40"), Decimal("3000000.30")
    ]
    assert plan.total == app.amount
    assert (plan.availability_months, plan.grace_months) == (18, 6)
    _, short = pf(term=12)
    assert (default_plan(short).availability_months, default_plan(short).grace_months) == (4, 2)


def test_availability_ends_whole_months_later_clamped_to_month_end() -> None:
    _, app = pf()
    plan = default_plan(app)
    opened = datetime(2026, 8, 31, 9, 30, tzinfo=UTC)
    assert availability_ends(plan, opened) == datetime(2028, 2, 29, 9, 30, tzinfo=UTC)


def test_missing_and_misdeclared_documents_are_explained() -> None:
    docs, app = pf()
    plan = default_plan(app)
    t1 = plan.tranches[0]
    sent = permit(docs, "planning_permit")
    statement = DocumentReading(ref=sent.ref, status=ReadStatus.READ,
                                kind=DocumentKind.BALANCE_SHEET)
    facts = DrawdownFacts(
        dscr=Decimal("1.50"), dscr_basis="b",
        documents=[check_document("planning_permit", docs.readings[sent.ref.sha256], None),
                   check_document("income_statement", statement, None)],
    )
    results = evaluate_conditions(plan, t1, ask(app, "t1", 1, [sent]), facts)
    by_name = {r.condition: r for r in results}
    assert by_name["document planning_permit"].met
    assert not by_name["document capital_proof"].met
    assert "attach it labelled 'capital_proof'" in by_name["document capital_proof"].explanation
    assert by_name["min_dscr 1.20"].met and by_name["no_event_of_default"].met
    assert not facts.documents[1].ok and "read as balance_sheet" in (facts.documents[1].problem
                                                                       or "")


def test_missing_blob_low_dscr_and_default_fail_with_reasons() -> None:
    docs, app = pf()
    plan = default_plan(app)
    missing = DocumentCheck(label="planning_permit", sha256="ab" * 32, filename="p.png", ok=False,
                            problem="could not be read: document is not in the store")
    facts = DrawdownFacts(dscr=Decimal("1.05"), dscr_basis="profit / service",
                          defaults=["early warning downgrade: 95 days past due"],
                          documents=[missing])
    results = {r.condition: r for r in
               evaluate_conditions(plan, plan.tranches[0], ask(app, "t1", 1, []), facts)}
    assert "not in the store" in results["document planning_permit"].explanation
    assert "1.05 is below 1.20" in results["min_dscr 1.20"].explanation
    assert "95 days past due" in results["no_event_of_default"].explanation
    unknown = evaluate_conditions(plan, plan.tranches[0], ask(app, "t1", 1, []),
                                  DrawdownFacts(dscr=None, dscr_basis="no income statement"))
    assert not {r.condition: r for r in unknown}["min_dscr 1.20"].met


def test_dscr_on_what_would_be_drawn() -> None:
    _, app = pf()
    plan = default_plan(app)
    income = FinancialStatement(kind=DocumentKind.INCOME_STATEMENT, period_end=date(2025, 12, 31),
                                operating_profit=Decimal(9_000_000))
    docs = Documents()
    ref = docs.add("income", status=ReadStatus.READ, kind=DocumentKind.INCOME_STATEMENT,
                   statement=income)
    readings = [docs.readings[ref.sha256]]
    full, basis = projected_dscr(readings, plan, TERMS, Decimal(15_000_000), date(2026, 7, 1))
    part, _ = projected_dscr(readings, plan, TERMS, Decimal(4_500_000), date(2026, 7, 1))
    assert full == Decimal("1.61") and "5,577,500.00 on 15,000,000.00" in basis
    assert part is not None and part > full
    assert projected_dscr([], plan, TERMS, Decimal(1), date(2026, 7, 1))[0] is None


def test_a_part_year_statement_is_annualised_as_reviews_do() -> None:
    """The half year's operating profit counts twice over, as the review's DSCR counts it,
    and the basis says which statement, its period and its year."""
    _, app = pf()
    plan = default_plan(app)
    docs = Documents()
    h1 = FinancialStatement(kind=DocumentKind.INCOME_STATEMENT, period_end=date(2026, 6, 30),
                            operating_profit=Decimal("3283300.00"))
    ref = docs.add("is_h1", status=ReadStatus.READ, kind=DocumentKind.INCOME_STATEMENT,
                   statement=h1)
    fy = FinancialStatement(kind=DocumentKind.INCOME_STATEMENT, period_end=date(2025, 12, 31),
                            operating_profit=Decimal("27763260.00"))
    older = docs.add("is_fy2025", status=ReadStatus.READ, kind=DocumentKind.INCOME_STATEMENT,
                     statement=fy)
    readings = [docs.readings[ref.sha256], docs.readings[older.sha256]]
    # 4.5m drawn and 6m asked: a year of amortisation on 10.5m repays a third of it,
    # 3,500,000, and 4.4% / 4 on 10.5m, 9.625m, 8.75m and 7.875m: 404,250; 3,904,250 in all
    dscr, basis = projected_dscr(readings, plan, TERMS, Decimal(10_500_000), date(2026, 7, 1))
    assert dscr == Decimal("1.68")  # 6,566,600 / 3,904,250 = 1.6819...; not 0.84
    year = "operating profit 3,283,300.00 for the 6 months to 2026-06-30, 6,566,600.00 a year"
    assert basis == (f"the newest income statement, is_h1.png: {year} / first amortising "
                     "year's debt service 3,904,250.00 on 10,500,000.00")
    review = dscr_of_review([fy, h1], repayment_plan(plan, TERMS, Decimal(10_500_000),
                                                     date(2026, 7, 1)), date(2026, 7, 1))
    assert review.reason.startswith(year)  # one rule: the review's year is the same
    # a statement of under three months is not annualised: the last full year is used
    q = docs.add("is_jan", status=ReadStatus.READ, kind=DocumentKind.INCOME_STATEMENT,
                 statement=fy.model_copy(update={"period_end": date(2026, 1, 31)}))
    _, basis = projected_dscr([docs.readings[older.sha256], docs.readings[q.sha256]], plan,
                              TERMS, Decimal(10_500_000), date(2026, 7, 1))
    assert "is_fy2025.png: operating profit 27,763,260.00 for the 12 months to 2025-12-31, " \
        "27,763,260.00 a year" in basis
    # before the marker: the latest statement's profit, as a year's
    legacy, basis = projected_dscr(readings, plan, TERMS, Decimal(10_500_000),
                                   date(2026, 7, 1), annualised=False)
    assert legacy == Decimal("0.84") and basis.startswith("operating profit 3,283,300.00 /")


def test_a_dscr_below_the_floor_says_what_would_meet_it() -> None:
    """A smaller drawdown is offered only when one would project the floor, and it does."""
    docs, app = pf()
    plan = default_plan(app)
    drawn, today = Decimal(4_500_000), date(2026, 7, 1)

    def statement(profit: int) -> list[DocumentReading]:
        ref = docs.add(f"income-{profit}", status=ReadStatus.READ,
                       kind=DocumentKind.INCOME_STATEMENT, statement=FinancialStatement(
                           kind=DocumentKind.INCOME_STATEMENT, period_end=date(2025, 12, 31),
                           operating_profit=Decimal(profit)))
        return [docs.readings[ref.sha256]]

    def advice(income: list[DocumentReading]) -> str:
        principal = drawn + 6_000_000
        dscr, basis = projected_dscr(income, plan, TERMS, principal, today)
        facts = DrawdownFacts(dscr=dscr, dscr_basis=basis, principal=principal)
        [cover] = [r for r in evaluate_conditions(plan, plan.tranches[1],
                                                  ask(app, "t2", 6_000_000, []), facts)
                   if r.condition == "min_dscr 1.20"]
        assert not cover.met and "income_statement=PATH" in cover.explanation
        return cover.explanation

    income = statement(2_400_000)
    said = re.search(r"ask for ([\d,]+\.00) or less, which projects at least 1\.20",
                     advice(income))
    assert said is not None
    smaller = Decimal(said.group(1).replace(",", ""))
    met, _ = projected_dscr(income, plan, TERMS, drawn + smaller, today)
    assert met is not None and met >= Decimal("1.20") and smaller < 6_000_000
    too_much, _ = projected_dscr(income, plan, TERMS, drawn + smaller + 150_000, today)
    assert too_much is not None and too_much < Decimal("1.20")  # not too cautious either
    # what is drawn already fails the floor, or a loss: no smaller drawdown would help
    assert "ask for" not in advice(statement(500_000))
    assert "ask for" not in advice(statement(-1_000_000))


def test_repayment_plan_on_the_drawn_amount_after_grace() -> None:
    _, app = pf()
    plan = default_plan(app)
    schedule = repayment_plan(plan, TERMS, Decimal("10500000.00"), date(2028, 1, 15))
    assert len(schedule) == 14 and schedule[0].due_on == date(2028, 4, 15)
    assert [i.principal for i in schedule[:2]] == [Decimal("0.00")] * 2
    assert sum(i.principal for i in schedule) == Decimal("10500000.00")
    odd = TERMS.model_copy(update={"term_months": 59})  # 41 months left: monthly
    assert len(repayment_plan(plan, odd, Decimal(1000), date(2028, 1, 15))) == 41


def test_closed_early_the_plan_still_runs_to_the_end_of_the_tenor() -> None:
    # signed 2026-07-15: 18 months' availability to 2028-01-15, the tenor to 2031-07-15
    _, app = pf()
    plan = default_plan(app)
    closed = date(2026, 11, 20)  # every tranche drawn four months in
    left = unused_months(closed, date(2028, 1, 15))
    assert left == 13  # 2026-11-20 + 13 months = 2027-12-20; + 14 would pass the end
    schedule = repayment_plan(plan, TERMS, Decimal("15000000.00"), closed, left)
    # 42 months + 12 of the unused 13 (whole quarters): ends within a quarter of the tenor
    assert len(schedule) == 18 and schedule[-1].due_on == date(2031, 5, 20)
    assert unused_months(date(2028, 1, 15), date(2028, 1, 15)) == 0  # closed by the timer


def test_the_drawdowns_interest_until_they_close_is_due_with_the_first_instalment() -> None:
    docs, app = pf()
    booked = [
        DrawdownRecord(number=n, request=ask(app, t, amount, []), requested_at=at,
                       state=DrawdownState.BOOKED, settled_at=at)
        for n, t, amount, at in [
            (1, "t1", 4_500_000, datetime(2026, 8, 1, 9, tzinfo=UTC)),
            (2, "t2", 6_000_000, datetime(2026, 10, 30, 9, tzinfo=UTC)),
        ]
    ] + [DrawdownRecord(number=3, request=ask(app, "t3", 1, []), requested_at=datetime(
        2026, 9, 1, tzinfo=UTC), state=DrawdownState.REFUSED)]
    closed = date(2026, 11, 9)
    accrued = availability_interest(booked, TERMS.annual_rate, closed)
    # 4.5m for 100 days and 6m for 10 days at 4.4%, by days over 360
    assert accrued == Decimal("55000.00") + Decimal("7333.33")
    schedule = repayment_plan(default_plan(app), TERMS, Decimal("10500000.00"), closed,
                              accrued=accrued)
    plain = repayment_plan(default_plan(app), TERMS, Decimal("10500000.00"), closed)
    assert schedule[0].interest == plain[0].interest + accrued
    assert schedule[0].payment == plain[0].payment + accrued
    assert schedule[0].accrued_before == accrued and schedule[1:] == plain[1:]


def test_available_is_the_cap_within_the_commitment() -> None:
    docs, app = pf()
    plan = default_plan(app)
    commitment = Commitment(total=plan.total, drawn=Decimal("14000000.00"),
                            available_until=datetime(2028, 1, 1, tzinfo=UTC))
    t1, t3 = plan.tranches[0], plan.tranches[2]
    assert available(plan, commitment, t3, []) == Decimal("1000000.00")
    booked = DrawdownRecord(number=1, request=ask(app, "t1", 1, []), requested_at=datetime.now(UTC),
                            state=DrawdownState.BOOKED)
    assert available(plan, commitment, t1, [booked], partial=False) == 0  # one per tranche
    # several per tranche: what its cap has left, within the commitment
    assert available(plan, commitment, t1, [booked]) == Decimal("1000000.00")
    roomy = commitment.model_copy(update={"drawn": Decimal("1.00")})
    assert available(plan, roomy, t1, [booked]) == t1.cap - 1
    assert [t.id for t in open_tranches(plan, [booked])] == ["t1", "t2", "t3"]
    assert [t.id for t in open_tranches(plan, [booked], partial=False)] == ["t2", "t3"]
    closed = commitment.model_copy(update={"closed_at": datetime(2027, 1, 1, tzinfo=UTC)})
    assert available(plan, closed, t3, []) == 0


def test_a_refused_drawdown_tells_the_customer_what_to_do_in_plain_words() -> None:
    """Each unmet condition in the customer's words, with what they can do (the smaller
    drawdown that would project the floor, as the bank's explanation offers it); none of the
    bank's labels, options, warning codes or figures' workings."""
    docs, app = pf()
    plan = default_plan(app)
    t2 = plan.tranches[1]
    request = ask(app, "t2", 6_000_000, [permit(docs, "insurance")])
    principal = Decimal(10_500_000)
    income = docs.add("income", status=ReadStatus.READ, kind=DocumentKind.INCOME_STATEMENT,
                      statement=FinancialStatement(kind=DocumentKind.INCOME_STATEMENT,
                                                   period_end=date(2025, 12, 31),
                                                   operating_profit=Decimal(2_400_000)))
    dscr, basis = projected_dscr([docs.readings[income.sha256]], plan, TERMS, principal,
                                 date(2026, 7, 1))
    unreadable = DocumentCheck(label="insurance", sha256="ab" * 32, filename="ins.png", ok=False,
                               problem="declared insurance but read as unreadable (blur)")
    facts = DrawdownFacts(dscr=dscr, dscr_basis=basis, principal=principal,
                          defaults=["early warning covenant_breach: DSCR 1.02 below 1.30"],
                          documents=[unreadable])
    record = DrawdownRecord(number=2, request=request, requested_at=datetime.now(UTC),
                            conditions=evaluate_conditions(plan, t2, request, facts))
    told = conditions_not_met(record, t2, facts)
    explained = " ".join(c.explanation for c in record.conditions if not c.met)
    smaller = re.search(r"ask for ([\d,]+\.00) or less", explained)
    assert smaller is not None
    assert told == (
        "your request for 6,000,000.00 (30% of construction complete) was not approved: "
        "the construction progress report is missing: please send it with the request; "
        "the project's insurance certificate could not be accepted: please send a clear, "
        "complete copy again; the project's income on file does not cover the repayments this "
        "drawdown would bring: please send the latest income statement with the request, or "
        f"ask for {smaller.group(1)} or less; the bank has a matter to settle with you on the "
        "loan first: your relationship manager will contact you. You can ask for the drawdown "
        "again once you have done so.")
    for internal in ("income_statement=PATH", "covenant_breach", "labelled", "construction_"
                     "progress", "DSCR", "1.30", "blur", "ins.png"):
        assert internal in explained  # the bank's record says it, the customer is not told
        assert internal not in told
    unknown = DrawdownFacts(dscr=None, dscr_basis="no income statement with an operating "
                            "profit on file", documents=[unreadable])
    record.conditions = evaluate_conditions(plan, t2, request, unknown)
    assert "the bank has no income statement on file to check that the project's income " \
        "covers the repayments: please send the latest one with the request" in \
        conditions_not_met(record, t2, unknown)
