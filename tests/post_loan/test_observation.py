"""After a late payment the loan is 关注 at once, and back to 正常 only after the observation
period: here two consecutive instalments paid on time (the policy file says three)."""

from __future__ import annotations

from datetime import timedelta

from temporalio.testing import WorkflowEnvironment

from journey.classification import RiskClass
from journey.decisions import AddDocuments
from journey.post_loan_policy import start_of
from tests.post_loan.loan_kit import (
    DEFAULT_POLICY,
    TIGHT,
    assert_replays,
    disbursed,
    listed_classes,
    loan_worker,
    pay,
    policy,
    review,
    skip_to,
    until,
)
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, application, customer
from workflows.loan_journey import LoanJourneyWorkflow

WATCH, NORMAL = RiskClass.SPECIAL_MENTION, RiskClass.NORMAL


async def test_an_upgrade_waits_for_instalments_paid_on_time(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    assert DEFAULT_POLICY.upgrade_after_on_time_instalments == 3
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    observed = policy(upgrade_after_on_time_instalments=2)
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=observed) as settings:
        handle, running = await disbursed(env.client, settings, app)
        first, second, third = running.offer.schedule[:3]
        await skip_to(env, start_of(first.due_on + timedelta(days=1)) + timedelta(hours=1))
        late = await until(handle, lambda s: s.risk_class is WATCH)
        assert late.days_past_due == 1 and "1 days past due" in late.risk_class_reason

        # the arrears are paid, a day's penalty interest with them: the floor is 正常
        # again, but the class is held
        assert late.arrears == first.payment + late.account.penalty_owed
        record = LoanJourneyWorkflow.record_repayment
        await handle.execute_update(record, pay("P-1", late.arrears))
        held = await until(handle, lambda s: "(0 so far)" in s.risk_class_reason)
        assert held.risk_class is WATCH and held.arrears == 0
        assert "held in observation" in held.risk_class_reason
        # the next two paid ahead, each in its period: they count once they fall due
        await handle.execute_update(record, pay("P-2", second.payment))
        await skip_to(env, start_of(second.due_on) + timedelta(hours=1))
        one = await until(handle, lambda s: "(1 so far)" in s.risk_class_reason)
        assert one.risk_class is WATCH
        await handle.execute_update(record, pay("P-3", third.payment))

        await skip_to(env, start_of(third.due_on) + timedelta(hours=1))
        back = await until(handle, lambda s: s.risk_class is NORMAL)
        assert back.risk_class_reason.startswith("normal (正常), upgraded from special_mention")
        assert "2 consecutive instalments paid on time (observation period 2)" in (
            back.risk_class_reason
        )
        moves = [d.reason for d in back.decisions if d.verdict == "reclassified"]
        assert len(moves) == 2 and moves[1].startswith("special_mention (关注) -> normal (正常)")
        assert [w.kind for w in back.warnings] == ["downgrade"]  # an upgrade warns nobody
        # the loan book and the Web UI list the loan under each class in turn (LoanClass)
        assert await listed_classes(handle) == ["normal", "special_mention", "normal"]
        await assert_replays(handle)


async def test_a_non_performing_loan_is_watched_six_months_before_an_upgrade(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Over 90 days late, 次级; once the arrears are paid, a monthly loan waits for six
    instalments paid on time, not the policy's two."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    observed = policy(upgrade_after_on_time_instalments=2)
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=observed) as settings:
        handle, running = await disbursed(env.client, settings, app)
        first = running.offer.schedule[0]
        await skip_to(env, start_of(first.due_on + timedelta(days=92)) + timedelta(hours=1))
        bad = await until(handle, lambda s: s.risk_class is RiskClass.SUBSTANDARD, seconds=60)
        await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                    pay("ARREARS", bad.arrears))
        held = await until(handle, lambda s: "held in observation" in s.risk_class_reason)
        assert held.risk_class is RiskClass.SUBSTANDARD
        assert "once 6 consecutive instalments are paid on time" in held.risk_class_reason
        await assert_replays(handle)


async def test_a_breach_carried_from_the_payout_clears_as_a_reviews_downgrade_does(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """关注 from the payout for the breach on file (docs/journey.md); a review of newer statements
    that meet the covenant assesses 正常, and the upgrade waits for the instalments paid on time
    since the payout (one here)."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    observed = TIGHT.model_copy(update={"upgrade_after_on_time_instalments": 1})
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=observed) as settings:
        handle, _ = await disbursed(env.client, settings, app)
        carried = await until(handle, lambda s: s.risk_class_reason != "")
        assert carried.risk_class is WATCH and "breached on file" in carried.risk_class_reason
        first = carried.offer.schedule[0]
        met = docs.company(app.applicant_name, app.credit_code, journey_kit.TODAY,
                           liabilities=30_000_000)[1:2]  # debt/assets 0.30, under 0.35
        await handle.execute_update(LoanJourneyWorkflow.add_statements,
                                    AddDocuments(actor=customer(app), documents=met))
        await handle.execute_update(LoanJourneyWorkflow.record_repayment,
                                    pay("P-1", first.payment))
        await review(env, settings, handle.id, 1)
        held = await until(handle, lambda s: s.last_review is not None)
        assert held.risk_class is WATCH and held.risk_class_reason.endswith(
            "last review assessed 正常 would allow normal (正常), once 1 consecutive "
            "instalments are paid on time since the downgrade (0 so far)")
        await skip_to(env, start_of(first.due_on) + timedelta(hours=1))
        back = await until(handle, lambda s: s.risk_class is NORMAL)
        assert back.risk_class_reason.startswith("normal (正常), upgraded from special_mention")
        await assert_replays(handle)
