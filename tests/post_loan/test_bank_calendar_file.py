"""A journey pins the working calendar its worker read the bank's calendar file into: a holiday
the file gives next year moves the instalment due on it to the next working day (顺延), where
the `holidays` package's estimate would not; `loan-journey calendar show` says the same days,
and where they come from."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from activities.policy import china_calendar, load_calendar_file
from journey.repayment import add_months
from journey.stages import Stage
from tests.cli_kit import cli
from tests.post_loan.loan_kit import assert_replays, bank_day_at, loan_worker, skip_to, until
from tests.workflows.journey_kit import (
    Documents,
    application,
    drive_to,
    offer_signature,
    start,
)
from workflows.loan_journey import LoanJourneyWorkflow


def a_due_day_made_holiday(paid_out: date, estimate_of: date) -> tuple[int, date]:
    """The instalment (number) of a 12-month loan paid out on `paid_out` due next year on a
    working day of the package's calendar, and that day: the one the bank's file makes a
    holiday."""
    package = china_calendar(estimate_of, 3, load_calendar_file(None))
    for n in range(1, 12):
        day = add_months(paid_out, n)
        if day.year == paid_out.year + 1 and package.is_working_day(day) \
                and package.is_working_day(day + timedelta(days=1)):
            return n, day
    raise AssertionError(f"no due day next year for a loan paid out on {paid_out}")


async def test_a_holiday_in_the_bank_s_file_moves_the_due_date_on_it(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = time_skipping_env
    monday = bank_day_at(await env.get_current_time(), 0, working=True)  # paid out that day
    paid_out = monday.date()
    n, holiday = a_due_day_made_holiday(paid_out, paid_out)
    next_year = holiday.year
    package = china_calendar(paid_out, 3, load_calendar_file(None))
    file = tmp_path / "calendar.json"
    file.write_text(json.dumps({"years": {str(next_year): {
        "source": f"国务院办公厅 {next_year - 1}-11 notice",
        "holidays": sorted({str(d) for d in package.holidays if d.year == next_year}
                           | {str(holiday)}),
        "makeup_workdays": [str(d) for d in package.makeup_workdays if d.year == next_year],
    }}}, ensure_ascii=False), encoding="utf-8")
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
