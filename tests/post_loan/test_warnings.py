"""Early warnings are acknowledged by the loan's risk team; the loan then leaves the queue.
The status table (not JSON) shows the post-loan fields. Time-skipping server; the CLI runs
against it as `loan-journey` would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.classification import RiskClass
from journey.decisions import AddDocuments, ScheduleAction, ScheduleChange
from journey.post_loan_warnings import AcknowledgeWarning, WarningAction
from journey.stages import Stage
from starter.status_view import status_view
from tests.cli_kit import cli, point_cli_at, said
from tests.drawdowns.kit import to_bank_morning
from tests.post_loan.loan_kit import (
    TIGHT,
    assert_replays,
    disbursed,
    loan_worker,
    outcome,
    review,
    settle_at_quote,
    until,
)
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents, application, customer, refused
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow

OFFICER = Actor(id="risk-sme-1", role=Role.RISK_OFFICER)
OTHER_TEAM = Actor(id="risk-corp-1", role=Role.RISK_OFFICER)
ACK = LoanJourneyWorkflow.acknowledge_warning


def ack(actor: Actor, *numbers: int, note: str = "called the CFO") -> AcknowledgeWarning:
    return AcknowledgeWarning(
        actor=actor, numbers=list(numbers), action=WarningAction.CONTACT_BORROWER, note=note
    )


async def queue(handle: WorkflowHandle) -> tuple[str | None, str | None]:
    attrs = (await handle.describe()).typed_search_attributes
    return attrs.get(sa.TEAM), attrs.get(sa.SLA_STATE)


async def test_the_risk_team_acknowledges_warnings_and_the_loan_leaves_its_queue(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    point_cli_at(monkeypatch, env.client)
    app = application(docs, term_months=12)
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=TIGHT) as settings:
        handle, _ = await disbursed(env.client, settings, app)
        # the breach it was approved with is open from the payout, with the downgrade to 关注
        # it makes; the review adds neither again
        paid = await until(handle, lambda s: s.risk_class_reason != "")
        assert [w.subject for w in paid.warnings] == ["max-leverage", None]
        await review(env, settings, handle.id, 1)
        warned = await until(handle, lambda s: s.run == 2)  # a review ends a run
        assert [w.kind for w in warned.warnings] == ["covenant_breach", "downgrade"]
        assert await queue(handle) == ("sme_risk", "early_warning")

        # others are refused before the history
        assert "not in the staff directory" in await refused(
            handle, ACK, ack(Actor(id="mallory", role=Role.RISK_OFFICER)))
        assert "'sme_risk''s queue" in await refused(handle, ACK, ack(OTHER_TEAM))
        assert "needs one of: risk_officer, supervisor" in await refused(
            handle, ACK, ack(Actor(id="appr-branch-1", role=Role.APPROVER)))
        assert "not in the staff directory" in await refused(handle, ACK, ack(customer(app)))
        assert "no early warning 3: the open ones are 1, 2" in await refused(
            handle, ACK, ack(OFFICER, 3))
        waiver = ack(OFFICER, 1).model_copy(update={"action": WarningAction.WAIVER})
        assert "waiving a covenant breach is the sme_risk supervisor's decision" in (
            await refused(handle, ACK, waiver))

        # the first through the command line, in the bank's morning (the UTC day behind):
        # still one open, still on the queue
        acked_on = await to_bank_morning(env)
        done = await cli("acknowledge", handle.id, "--warning", "1", "--action", "site_visit",
                         "--note", "visited the plant; leverage from a new credit line",
                         "--as", OFFICER.id)
        assert done.exit_code == 0, done.output
        assert "still open: 2" in " ".join(done.output.split())
        assert await queue(handle) == ("sme_risk", "early_warning")
        again = await cli("acknowledge", handle.id, "--warning", "1", "--action", "monitor",
                          "--note", "again", "--as", OFFICER.id)
        assert again.exit_code == 3
        assert f"was acknowledged by risk-sme-1 on {acked_on}" in " ".join(again.output.split())

        # the rest by the team's supervisor, in the role the directory gives them: off the queue
        by_sup = await cli("acknowledge", handle.id, "--action", "contact_borrower",
                           "--note", "called the CFO", "--as", "sup-sme")
        assert by_sup.exit_code == 0, by_sup.output
        assert "early warning(s) 2 acknowledged; none open" in " ".join(by_sup.output.split())
        assert await queue(handle) == ("-", "ok")
        assert "no open early warning" in await refused(handle, ACK, ack(OFFICER))
        assert ("this loan has no open early warning: nothing to acknowledge (the last, early "
                f"warning 2, was acknowledged by sup-sme on {acked_on}: contact_borrower)") in (
            await refused(handle, ACK, ack(OTHER_TEAM)))

        now = await until(handle, lambda s: all(not w.open for w in s.warnings))
        assert [(w.acknowledged.by, w.acknowledged.action) for w in now.warnings] == [
            ("risk-sme-1", "site_visit"), ("sup-sme", "contact_borrower")]
        acks = [d for d in now.decisions if d.verdict == "warning_acknowledged"]
        assert [(d.actor.id, d.reason) for d in acks] == [
            ("risk-sme-1",
             "warning 1: site_visit: visited the plant; leverage from a new credit line"),
            ("sup-sme", "warning 2: contact_borrower: called the CFO"),
        ]
        assert now.sla_state == "ok" and now.team is None

        # the status table shows the post-loan fields
        shown = await cli("status", handle.id)
        assert shown.exit_code == 0, shown.output
        text = " ".join(shown.output.split())
        for expected in (
            "classification 关注 (special_mention)", "days past due 0", "arrears 0",
            "next instalment #1 due", "open warnings none", "early warnings",
            "max-leverage: debt_to_asset <= 0.35", "covenants at review review-",
            "max-leverage │ debt_to_asset <= 0.35 │ 0.4000 │ breached",
        ):
            assert expected in text, (expected, shown.output)
        assert now.risk_class is RiskClass.SPECIAL_MENTION
        await assert_replays(handle)


async def test_a_breach_still_on_the_queue_is_not_raised_again(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Two reviews that find the same breach put one task on the risk team's queue; once
    it is acknowledged, a review on the same statements does not raise it again (nothing
    new to act on), and one that reads newer statements still in breach does: the action
    taken did not cure it. One warning named twice is acknowledged once."""
    env, docs = time_skipping_env, Documents()
    app = application(docs)
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=TIGHT) as settings:
        handle, _ = await disbursed(env.client, settings, app)
        await review(env, settings, handle.id, 1)
        await until(handle, lambda s: s.run == 2)
        await review(env, settings, handle.id, 2)
        twice = await until(handle, lambda s: s.run == 3)
        assert [w.kind for w in twice.warnings] == ["covenant_breach", "downgrade"]
        assert twice.warnings[0].subject == "max-leverage"
        done = await handle.execute_update(ACK, ack(OFFICER, 1, 1))
        assert done.message == "early warning(s) 1 acknowledged; still open: 2"
        await review(env, settings, handle.id, 3)
        same = await until(handle, lambda s: s.run == 4)
        assert [w.kind for w in same.warnings] == ["covenant_breach", "downgrade"]
        month_end = journey_kit.TODAY.replace(day=1) - timedelta(days=1)  # the last one
        newer = docs.company(app.applicant_name, app.credit_code, month_end)[1:2]  # balance
        await handle.execute_update(LoanJourneyWorkflow.add_statements,
                                    AddDocuments(actor=customer(app), documents=newer))
        await review(env, settings, handle.id, 4)
        again = await until(handle, lambda s: s.run == 5)
        assert [w.kind for w in again.warnings] == [
            "covenant_breach", "downgrade", "covenant_breach"]
        await assert_replays(handle)


async def test_a_loan_repaid_closes_its_warnings_and_keeps_its_class_as_history(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A loan settled with warnings open (the breach carried from the payout, its downgrade):
    the system (`post-loan`) closes them at the closing, resolved by the repayment; `status`
    shows the class it closed in as history, no open warning, no SLA, and no queue lists it."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=TIGHT) as settings:
        handle, _ = await disbursed(env.client, settings, app)
        watched = await until(handle, lambda s: s.risk_class_reason != "")
        assert [w.open for w in watched.warnings] == [True, True]
        await settle_at_quote(handle, watched, "TX-CLOSE")
        assert (await outcome(handle)).outcome is Stage.CLOSED
        closed = await until(handle, lambda s: s.stage.terminal)
        assert [(w.acknowledged.by, w.acknowledged.action, w.acknowledged.note)
                for w in closed.warnings if w.acknowledged] == [
            ("post-loan", "loan_repaid", "loan repaid")] * 2
        last = closed.decisions[-1]
        assert (last.actor.id, last.actor.role, last.verdict) == (
            "post-loan", Role.SYSTEM, "warning_acknowledged")
        assert last.reason == "warning 1, 2: loan_repaid: loan repaid"
        console = Console(record=True, width=300)
        console.print(status_view(closed))
        shown = " ".join(console.export_text().split())
        assert "class at closing 关注 (special_mention)" in shown
        assert "classification" not in shown and "open warnings none" in shown
        assert "SLA - " in shown and closed.sla_state == "-"
        assert await queue(handle) == ("-", "-")  # on no team's queue
        await assert_replays(handle)


async def test_a_loan_whose_reviews_stopped_stays_on_the_queue_once_its_warnings_are_acknowledged(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A 关注 loan with an open covenant breach, its reviews paused: acknowledging its warnings
    leaves it on the risk team's queue, as reviews stopped, until they are resumed."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=12)
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=TIGHT) as settings:
        handle, _ = await disbursed(env.client, settings, app)
        await until(handle, lambda s: len(s.warnings) == 2)
        await handle.execute_update(LoanJourneyWorkflow.record_schedule_change, ScheduleChange(
            actor=OFFICER, action=ScheduleAction.PAUSED, note="the borrower restructures"))
        paused = await until(handle, lambda s: s.reviews_stopped is not None)
        assert paused.reviews_stopped.startswith("reviews stopped: paused since ")
        assert await queue(handle) == ("sme_risk", "early_warning")  # the warnings' still
        await handle.execute_update(ACK, ack(OFFICER))
        assert await queue(handle) == ("sme_risk", "reviews_stopped")
        await handle.execute_update(LoanJourneyWorkflow.record_schedule_change, ScheduleChange(
            actor=OFFICER, action=ScheduleAction.UNPAUSED, note="restructured"))
        assert await queue(handle) == ("-", "ok")
        await assert_replays(handle)


async def test_a_review_that_measures_an_open_breach_worse_updates_its_warning(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The breach carried from the payout (debt/assets 0.40 against 0.35) stays one warning
    on the queue; a review of newer statements measuring 0.60 shows on it as its latest
    figure, when, by which review, and worse: no second task, its history kept."""
    env, docs = time_skipping_env, Documents()
    point_cli_at(monkeypatch, env.client)
    app = application(docs, term_months=12)
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=TIGHT) as settings:
        handle, _ = await disbursed(env.client, settings, app)
        paid = await until(handle, lambda s: s.risk_class_reason != "")
        assert paid.warnings[0].figure == Decimal("0.4000") and paid.warnings[0].latest is None
        month_end = journey_kit.TODAY.replace(day=1) - timedelta(days=1)
        newer = docs.company(app.applicant_name, app.credit_code, month_end,
                             liabilities=60_000_000)[1:2]  # its balance sheet
        await handle.execute_update(LoanJourneyWorkflow.add_statements,
                                    AddDocuments(actor=customer(app), documents=newer))
        outcome_ = await review(env, settings, handle.id, 1)
        worse = await until(handle, lambda s: s.run == 2)
        assert [w.kind for w in worse.warnings] == ["covenant_breach", "downgrade"]
        latest = worse.warnings[0].latest
        assert latest is not None and (latest.value, latest.trend) == (Decimal("0.6000"), "worse")
        assert (latest.on, latest.review_id) == (worse.last_review.reviewed_on,
                                                 outcome_.result.review_id)
        shown = said(await cli("status", handle.id))
        assert f"latest 0.6000 on {latest.on}" in shown, shown  # the table wraps the rest
        await assert_replays(handle)
