"""Repayments over a loan's life on the time-skipping server, with the real SQLite outbox."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from temporalio import activity
from temporalio.testing import WorkflowEnvironment

from activities.notifications import NotificationActivities
from journey import contracts
from journey.contracts import NotifyInput, NotifyResult
from journey.post_loan_policy import start_of
from journey.settings import Settings
from journey.stages import Stage
from journey.timeline import EventType
from store.outbox import messages_for
from store.timing import events_for
from tests.post_loan.loan_kit import disbursed, loan_worker, outcome, pay, policy, skip_to, until
from tests.workflows.journey_kit import Documents, application
from workflows.loan_journey import LoanJourneyWorkflow


async def test_three_year_monthly_loan_with_36_repayments_continues_as_new(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=36)
    # a low bound makes the 36 months cross continue-as-new several times
    async with loan_worker(
        env.client, tmp_path, docs, post_loan_policy=policy(max_history_events=250)
    ) as settings:
        handle, running = await disbursed(env.client, settings, app)
        plan = running.offer.schedule
        assert len(plan) == 36 and sum(i.principal for i in plan) == app.amount
        assert running.waiting_for == [  # what operations and the customer read
            f"repayments: principal {app.amount:,.2f} left; next instalment #1 due "
            f"{plan[0].due_on}: {plan[0].payment:,}"
        ]
        for inst in plan:
            await skip_to(env, start_of(inst.due_on) + timedelta(hours=2))
            done = await handle.execute_update(
                LoanJourneyWorkflow.record_repayment,
                pay(f"M-{inst.number:02}", inst.payment, paid_on=inst.due_on),
            )
            assert "arrears 0" in done.message
        result = await outcome(handle)

        assert result.outcome is Stage.CLOSED and result.reason == "repaid in full"
        final = await handle.query(LoanJourneyWorkflow.status)
        assert final.run > 2  # continued as new more than once
        assert final.account is not None and final.account.repaid
        assert final.max_days_past_due == 0 and final.risk_class == "normal"
        assert [v.stage for v in final.timeline][-3:] == [
            Stage.DISBURSEMENT, Stage.POST_LOAN, Stage.CLOSED
        ]
        assert final.timeline[0].stage is Stage.INTAKE  # the timeline survived every run
        sent = Counter(m.key for m in messages_for(settings.db_url, handle.id))
        reminders = {k: n for k, n in sent.items() if ":reminder:" in k}
        assert len(reminders) == 36 and set(reminders.values()) == {1}
        assert not any(":overdue:" in k for k in sent)
        assert sent[f"{handle.id}:closed"] == 1  # the customer's proof of settlement
        stored = events_for(settings.db_url, handle.id)
        assert [e.sequence for e in stored] == list(range(len(final.events)))
        touch = [e for e in stored if e.type is EventType.TOUCHPOINT and "repayment" in e.detail]
        assert len(touch) == 36


async def test_a_loan_whose_reviews_never_run_continues_as_new_each_year(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The time-skipping server has no schedules: no review ever runs, as for a loan whose
    reviews are paused or deleted. Its two years, far below the event count, are two runs
    or more (the policy's `continue_after_days`), not one for the whole loan."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=24)
    async with loan_worker(env.client, tmp_path, docs, post_loan_policy=policy()) as settings:
        handle, running = await disbursed(env.client, settings, app)
        for inst in running.offer.schedule:
            await skip_to(env, start_of(inst.due_on) + timedelta(hours=2))
            await handle.execute_update(LoanJourneyWorkflow.record_repayment, pay(
                f"Y-{inst.number:02}", inst.payment, paid_on=inst.due_on))
        result = await outcome(handle)
        final = await handle.query(LoanJourneyWorkflow.status)
    assert result.reason == "repaid in full"
    assert final.last_review is None and final.run >= 2  # a year a run at most
    assert [v.stage for v in final.timeline][-2:] == [Stage.POST_LOAN, Stage.CLOSED]


class FlakyNotify:
    """The real notifier, failing a reminder once after it has written it (a lost
    acknowledgement): the retry must not queue it again. `retried`: the reminders whose
    retry went through."""

    def __init__(self, settings: Settings) -> None:
        self.real = NotificationActivities(settings)
        self.failed: set[str] = set()
        self.retried: set[str] = set()

    def activity(self):  # type: ignore[no-untyped-def]
        @activity.defn(name=contracts.NOTIFY)
        def notify(request: NotifyInput) -> NotifyResult:
            result = self.real.notify(request)
            if ":reminder:" in request.key and request.key not in self.failed:
                self.failed.add(request.key)
                raise RuntimeError("the connection dropped after the insert")
            if request.key in self.failed:
                self.retried.add(request.key)
            return result

        return notify


async def test_a_reminder_is_queued_once_across_retries_and_worker_restarts(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=3)
    flaky = FlakyNotify(Settings(data_dir=tmp_path))
    queue = "tq-restart-" + app.application_id
    async with loan_worker(
        env.client, tmp_path, docs, replace=[flaky.activity()], task_queue=queue,
        cache=False, restarting=True,
    ) as settings:
        handle, running = await disbursed(env.client, settings, app)
        plan = running.offer.schedule
        await skip_to(env, start_of(plan[0].due_on))  # past the first reminder
        for _ in range(400):  # the first reminder's first attempt wrote and then failed, and
            if f"{handle.id}:reminder:1" in flaky.retried:  # its retry (1 s on) went through
                break
            await asyncio.sleep(0.05)
    # a new worker picks the journey up from its history
    async with loan_worker(
        env.client, tmp_path, docs, task_queue=queue, cache=False
    ) as settings:
        await until(handle, lambda s: s.stage is Stage.POST_LOAN)  # replayed on this worker
        for inst in plan:
            await skip_to(env, start_of(inst.due_on) + timedelta(hours=2))
            await handle.execute_update(
                LoanJourneyWorkflow.record_repayment, pay(f"Q-{inst.number}", inst.payment)
            )
            # the same reference again is recorded once
            again = await handle.execute_update(
                LoanJourneyWorkflow.record_repayment, pay(f"Q-{inst.number}", inst.payment)
            )
            assert "already recorded" in again.message
        assert (await outcome(handle)).outcome is Stage.CLOSED
    keys = [m.key for m in messages_for(settings.db_url, handle.id)]
    reminders = [k for k in keys if ":reminder:" in k]
    assert sorted(reminders) == [f"{handle.id}:reminder:{n}" for n in (1, 2, 3)]
    assert f"{handle.id}:reminder:1" in flaky.retried  # the retry really happened
