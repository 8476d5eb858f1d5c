"""A journey pins the working calendar its worker read the bank's calendar file into: a holiday
the file gives next year moves the instalment due on it to the next working day (顺延), where
the `holidays` package's estimate would not; `loan-journey calendar show` says the same days,
and where they come from. A running loan offered on the estimate learns the year once the
file lists it (workflows/calendar_learning.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey.repayment import add_months
from journey.stages import Stage
from store.outbox import messages_for
from tests.cli_kit import cli
from tests.post_loan.calendar_kit import a_due_day_made_holiday, estimate, published
from tests.post_loan.loan_kit import (
    assert_replays,
    bank_day_at,
    loan_worker,
    review,
    skip_to,
    until,
)
from tests.workflows.journey_kit import (
    Documents,
    application,
    drive_to,
    offer_signature,
    start,
    until_sent,
)
from workflows.loan_journey import LoanJourneyWorkflow


async def test_a_holiday_in_the_bank_s_file_moves_the_due_date_on_it(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = time_skipping_env
    monday = bank_day_at(await env.get_current_time(), 0, working=True)  # paid out that day
    paid_out = monday.date()
    n, holiday = a_due_day_made_holiday(paid_out)
    next_year = holiday.year
    package = estimate(paid_out)
    file = published(tmp_path / "calendar.json", package, holiday,
                     f"国务院办公厅 {next_year - 1}-11 notice")
    monkeypatch.setenv("LOAN_JOURNEY_CALENDAR_FILE", str(file))

    docs = Documents()
    app = application(docs, term_months=12)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        assert settings.calendar_file == file
        await skip_to(env, monday)
        handle = await start(env.client, settings, app)
        await drive_to(handle, app, Stage.OFFER)
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        running = await until(handle, lambda s: s.account is not None)
        await assert_replays(handle)

    assert running.offer is not None and running.offer.starts_on == paid_out
    plan = running.offer.schedule
    moved = plan[n - 1]
    # the bank's holiday: due on the next working day, the plan's own day kept for its period
    assert moved.due_on == holiday + timedelta(days=1) != package.next_working_day(holiday)
    assert moved.period_end == holiday
    # every other due date as the package has it
    assert [i.due_on for i in plan if i.number != n] == [
        package.next_working_day(add_months(paid_out, i.number)) for i in plan if i.number != n]
    # the command line's calendar is the one the journey pinned
    assert not china_calendar(paid_out, 2).is_working_day(holiday)

    shown = await cli("calendar", "show", "--year", str(next_year))
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"{next_year}: from the bank's calendar file {file} "
                                   f"(国务院办公厅 {next_year - 1}-11 notice)\n")
    assert f"  {holiday} {holiday:%a}\n" in shown.output
    this_year = await cli("calendar", "show", "--year", str(paid_out.year))
    assert this_year.output.startswith(f"{paid_out.year}: from the holidays package ")
    assert f"not yet published): the bank's calendar file {file} does not list it\n" in \
        this_year.output


async def test_a_running_loan_learns_next_year_s_holiday_and_its_due_date_moves(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Offered and paid out on the package's estimate of next year; the bank's file lists
    that year once the notice is out, with a holiday on an instalment's due day, and the
    workers restart on it. At its next run (continued after a review) the loan learns the
    year: that instalment falls due on the next working day, its period kept, the customer is
    told once, the system's decision says why; the other due dates stand."""
    env, docs = time_skipping_env, Documents()
    monday = bank_day_at(await env.get_current_time(), 0, working=True)
    paid_out = monday.date()
    n, holiday = a_due_day_made_holiday(paid_out)
    package = estimate(paid_out)
    app = application(docs, term_months=12)
    queue = f"tq-{uuid.uuid4()}"
    # no sticky queue: the test server would keep the journey's tasks for the worker gone
    async with loan_worker(env.client, tmp_path, docs, task_queue=queue, cache=False,
                           restarting=True) as settings:
        await skip_to(env, monday)
        handle = await start(env.client, settings, app)
        await drive_to(handle, app, Stage.OFFER)
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        before = await until(handle, lambda s: s.account is not None)
    assert before.offer is not None and before.offer.schedule[n - 1].due_on == holiday

    source = f"国务院办公厅 {holiday.year - 1}-11 notice"
    monkeypatch.setenv("LOAN_JOURNEY_CALENDAR_FILE", str(published(
        tmp_path / "calendar.json", package, holiday, source)))
    async with loan_worker(env.client, tmp_path, docs, task_queue=queue) as settings:
        await review(env, settings, handle.id, 1)
        latest = env.client.get_workflow_handle_for(LoanJourneyWorkflow.run, handle.id)
        after = await until(latest, lambda s: s.offer is not None
                            and s.offer.schedule[n - 1].due_on != holiday)
        await until_sent(settings.db_url, handle.id, template="plan_changed")  # queued behind
        notices = [m for m in messages_for(settings.db_url, handle.id)
                   if m.template == "plan_changed"]
        await assert_replays(latest)

    assert after.offer is not None
    plan, moved = after.offer.schedule, after.offer.schedule[n - 1]
    assert (moved.due_on, moved.period_end) == (holiday + timedelta(days=1), holiday)
    assert [i for i in plan if i.number != n] == [
        i for i in before.offer.schedule if i.number != n]
    assert after.account is not None and after.account.instalments[n - 1].due_on == moved.due_on
    said = f"instalment {n} is due on {moved.due_on}, not {holiday}"
    [decision] = [d for d in after.decisions if d.verdict == "working calendar learned"]
    assert (decision.actor.id, decision.actor.role) == ("post-loan", "system")
    assert decision.reason == (f"the bank's working calendar of {holiday.year} ({source}); "
                               f"{said}")
    [notice] = notices
    assert (notice.recipient, notice.key) == ("customer",
                                              f"{handle.id}:redated:{n}@{moved.due_on}")
    assert f"the bank's working calendar of {holiday.year} is now published: {said}" in \
        notice.body

