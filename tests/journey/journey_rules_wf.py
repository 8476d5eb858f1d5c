"""A workflow that runs the pure rules inside the Temporal sandbox (for test_rules_in_sandbox).

The journey modules are imported normally, not passed through, so the sandbox re-imports
them and refuses any clock, file or randomness they might touch. No `from __future__`:
a workflow definition module, kept plain for the sandbox.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from temporalio import workflow

from journey.actors import Actor, Role
from journey.application import LoanApplication, Product
from journey.classification import classify
from journey.policy import (
    Ratios,
    authorize_approval,
    build_calendar,
    check_completeness,
    expiry_at,
    parse_policy,
    route,
    sla_points,
)
from journey.repayment import Frequency, RepaymentMethod, build_schedule
from journey.stages import Stage


@workflow.defn(sandboxed=True)
class RulesInSandbox:
    @workflow.run
    async def run(self, policy_text: str) -> list[str]:
        policy = parse_policy(policy_text)
        app = LoanApplication(
            application_id="APP-SANDBOX",
            applicant_name="沙箱测试有限公司",
            credit_code="91110000MA01C3D5XY",
            product=Product.WORKING_CAPITAL,
            amount=Decimal("8000000.00"),
            term_months=12,
            industry="manufacturing",
            submitted_by=Actor(id="rm-chen", role=Role.RELATIONSHIP_MANAGER),
        )
        chosen = route(policy, app, Ratios(debt_to_asset=Decimal("0.5")))
        approver = authorize_approval(
            policy,
            chosen,
            Actor(id="appr-ho-1", role=Role.APPROVER),
            app.amount,
            "rm-chen",
            "risk-corp-1",
            [],
        )
        cal = build_calendar([date(2026, 10, 1)], [date(2026, 10, 10)])
        entered = datetime(2026, 9, 30, 2, tzinfo=UTC)
        points = sla_points(policy, Stage.RISK_REVIEW, app.product, entered, cal)
        expiry = expiry_at(policy, Stage.OFFER, app.product, entered, cal)
        plan = build_schedule(
            app.amount,
            Decimal("0.0435"),
            12,
            RepaymentMethod.EQUAL_INSTALMENT,
            Frequency.MONTHLY,
            date(2026, 1, 31),
        )
        short = check_completeness(policy, app, [], date(2026, 11, 23))
        return [
            chosen.rule,
            approver.id,
            points[1].at.isoformat(),
            str(expiry + timedelta(0)) if expiry else "",
            str(sum(i.principal for i in plan)),
            classify(100).value,
            str(len(short.missing)),
        ]
