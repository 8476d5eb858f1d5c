"""A loan's days are the bank's, not UTC's: Beijing's midnight begins them, and nothing
falls due on a weekend or a holiday (顺延 to the next working day)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar
from journey.actors import Actor, Role
from journey.arrears import threshold_days
from journey.decisions import ScheduleAction, ScheduleChange
from journey.loan_account import Account, InstalmentState
from journey.policy import build_calendar
from journey.post_loan_policy import start_of
from journey.post_loan_wakeups import next_wakeup
from journey.queue_wait import QueueWait
from journey.repayment import (
    Frequency,
    RepaymentMethod,
    add_months,
    build_schedule,
    on_working_days,
)
from journey.stages import Stage
from starter import loan_figures
from tests.post_loan.loan_kit import (
    DEFAULT_POLICY,
    assert_replays,
    disbursed,
    disbursed_loan,
    loan_worker,
    review,
    skip_to,
    until,
)
from tests.workflows.journey_kit import Documents, application, start, until_stage
from workflows import search_attributes as sa
from workflows.loan_journey import LoanJourneyWorkflow

BEIJING = timezone(timedelta(hours=8))
# 2027: Labour Day off 1-5 May, Saturday 8 May worked in its place (调休)
MAY_2027 = build_calendar([date(2027, 5, d) for d in range(1, 6)], [date(2027, 5, 8)])


def test_a_due_date_off_work_moves_to_the_next_working_day() -> None:
    assert MAY_2027.next_working_day(date(2027, 4, 30)) == date(2027, 4, 30)  # a Friday
    assert MAY_2027.next_working_day(date(2027, 5, 1)) == date(2027, 5, 6)  # the holiday
    assert MAY_2027.next_working_day(date(2027, 5, 8)) == date(2027, 5, 8)  # worked Saturday
    assert MAY_2027.next_working_day(date(2027, 5, 15)) == date(2027, 5, 17)  # a Saturday
    plan = build_schedule(principal=1_200_000, annual_rate="0.036", term_months=3,
                          method=RepaymentMethod.EQUAL_INSTALMENT,
                          frequency=Frequency.MONTHLY, start=date(2027, 3, 1))
    moved = on_working_days(plan, MAY_2027.next_working_day)
    # Apr 1 is a Thursday; May 1 the holiday; Jun 1 a Tuesday: each steps from the anchor
    assert [i.due_on for i in moved] == [date(2027, 4, 1), date(2027, 5, 6), date(2027, 6, 1)]
    assert [(i.principal, i.interest) for i in moved] == [(i.principal, i.interest) for i in plan]


def test_a_day_is_the_banks_day() -> None:
    late_evening_utc = datetime(2027, 5, 6, 16, 30, tzinfo=UTC)
    assert MAY_2027.day_of(late_evening_utc) == date(2027, 5, 7)  # 00:30 in Beijing
    assert start_of(date(2027, 5, 7), BEIJING) == datetime(2027, 5, 6, 16, 0, tzinfo=UTC)


def test_a_loan_in_arrears_wakes_every_day_on_the_banks_days() -> None:
    due = InstalmentState(number=1, due_on=date(2027, 5, 6), interest_due=Decimal("10.00"),
                          principal_due=Decimal("100.00"))
    account = Account(instalments=[due])
    now = datetime(2027, 5, 9, 3, 0, tzinfo=UTC)  # 11:00 in Beijing, three days late
    daily = next_wakeup(account, DEFAULT_POLICY, [1], now, zone=BEIJING, daily_in_arrears=True)
    assert daily == datetime(2027, 5, 9, 16, 0, tzinfo=UTC)  # Beijing's next midnight
    # without the daily wake, the next change is the first classification floor crossed
    floor = next_wakeup(account, DEFAULT_POLICY, [1], now, zone=BEIJING)
    assert floor == min(start_of(d, BEIJING) for d in threshold_days(due.due_on)
                        if start_of(d, BEIJING) > now)


async def test_a_loan_paid_out_after_midnight_in_beijing_runs_on_beijings_days(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Paid out at 00:30 in Beijing (16:30 UTC the day before): the plan runs from
    Beijing's day; at 00:30 after an unpaid due date the loan is a day past due, and its
    days past due grow by the day without anyone acting."""
    env, docs = time_skipping_env, Documents()
    now = await env.get_current_time()
    payout = datetime.combine(now.date(), time(16, 30), tzinfo=UTC)
    payout = payout if payout > now else payout + timedelta(days=1)
    await skip_to(env, payout)
    async with disbursed_loan(env, tmp_path, docs) as (_app, _settings, handle, running):
        # the journey's clock: the ledger's booking time is the machine's, not the server's
        assert running.offer.starts_on == payout.astimezone(BEIJING).date()
        assert running.offer.starts_on == payout.date() + timedelta(days=1)
        assert running.days_utc_offset == 8
        first = running.offer.schedule[0]
        assert first.due_on.weekday() < 5

        await skip_to(env, start_of(first.due_on + timedelta(days=1), BEIJING)
                      + timedelta(minutes=30))
        late = await until(handle, lambda s: s.days_past_due == 1)
        assert late.risk_class_reason.endswith("(floor 关注), no review yet")
        assert late.arrears == first.payment + late.account.penalty_owed
        assert loan_figures.loan_day(late, payout) == running.offer.starts_on

        await skip_to(env, await env.get_current_time() + timedelta(days=5))
        later = await until(handle, lambda s: s.days_past_due == 6)
        assert later.account.penalty_owed > late.account.penalty_owed
        await assert_replays(handle)


async def test_a_long_loans_due_dates_move_off_holidays_to_its_end(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """The calendar a journey pins covers its whole term, not three years: the instalments
    of a 60-month loan are all on working days, Spring Festival 2030 and 2031 included."""
    env, docs = time_skipping_env, Documents()
    app = application(docs, term_months=60)
    async with loan_worker(env.client, tmp_path, docs) as settings:
        _, running = await disbursed(env.client, settings, app)
        plan = running.offer.schedule
        working = china_calendar(running.offer.starts_on, 60 // 12 + 3)
        assert plan[-1].due_on.year >= running.offer.starts_on.year + 5
        assert all(working.is_working_day(i.due_on) for i in plan)
        assert [i.due_on for i in plan] == [
            working.next_working_day(add_months(running.offer.starts_on, n))
            for n in range(1, 61)]


async def test_a_licence_ending_yesterday_in_beijing_is_expired(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """At 00:30 in Beijing the licence that ended 'today' by UTC ended yesterday."""
    env, docs = time_skipping_env, Documents()
    now = await env.get_current_time()
    late = datetime.combine(now.date(), time(16, 30), tzinfo=UTC)
    late = late if late > now else late + timedelta(days=1)
    await skip_to(env, late)
    app = application(docs)
    licence = docs.readings[app.documents[0].sha256].license
    assert licence is not None
    licence.valid_until = late.date()  # the UTC day; Beijing's is the next
    async with loan_worker(env.client, tmp_path, docs) as settings:
        handle = await start(env.client, settings, app)
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert [f.code for f in asked.completeness.failures] == ["licence_expired"]


async def test_a_review_and_a_pause_after_midnight_in_beijing_are_dated_on_beijings_day(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Paid out at 02:30 in Beijing (18:30 UTC the day before), reviewed at 02:31 and its
    reviews paused at 02:42: the review and the pause are dated on Beijing's day, the loan's
    own, not UTC's; the pause puts the loan on its risk team's queue, saying so, and the
    resumption takes it off."""
    env, docs = time_skipping_env, Documents()
    now = await env.get_current_time()
    payout = datetime.combine(now.date(), time(18, 30), tzinfo=UTC)
    payout = payout if payout > now else payout + timedelta(days=1)
    await skip_to(env, payout)
    async with disbursed_loan(env, tmp_path, docs) as (_app, settings, handle, running):
        bank_day = payout.astimezone(BEIJING).date()
        assert running.today == bank_day and bank_day == payout.date() + timedelta(days=1)
        await skip_to(env, payout + timedelta(minutes=1))
        reviewed = await review(env, settings, handle.id, 1)
        assert reviewed.result is not None and reviewed.result.reviewed_on == bank_day
        shown = await until(handle, lambda s: s.last_review is not None)
        assert shown.last_review.reviewed_on == shown.today == bank_day

        await skip_to(env, payout + timedelta(minutes=12))
        team = shown.route.team
        await handle.execute_update(LoanJourneyWorkflow.record_schedule_change, ScheduleChange(
            actor=Actor(id="risk-sme-2", role=Role.RISK_OFFICER), action=ScheduleAction.PAUSED,
            note="the borrower restructures"))
        paused = await until(handle, lambda s: s.reviews_stopped is not None)
        assert paused.reviews_stopped == f"reviews stopped: paused since {bank_day} by risk-sme-2"
        listed = (await handle.describe()).typed_search_attributes
        assert (listed.get(sa.TEAM), listed.get(sa.SLA_STATE)) == (team, "reviews_stopped")
        wait = QueueWait.of(listed.get(sa.QUEUE_WAIT))
        assert wait is not None and wait.awaiting == (
            f"its reviews to run again (reviews stopped: paused since {bank_day} by risk-sme-2)")

        await handle.execute_update(LoanJourneyWorkflow.record_schedule_change, ScheduleChange(
            actor=Actor(id="risk-sme-2", role=Role.RISK_OFFICER),
            action=ScheduleAction.UNPAUSED, note="restructured"))
        resumed = await until(handle, lambda s: s.reviews_stopped is None)
        assert resumed.team is None
        listed = (await handle.describe()).typed_search_attributes
        assert (listed.get(sa.TEAM), listed.get(sa.SLA_STATE)) == ("-", "ok")
        await assert_replays(handle)
