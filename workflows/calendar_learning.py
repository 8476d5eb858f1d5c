"""A running loan learns the bank's working calendar for the years that have not begun.

The journey pinned its calendar at intake, a year not yet published being the `holidays`
package's estimate. Each post-loan run that continues from the one before asks the worker for
the calendar as it has it now (the bank's calendar file over the package's: an activity), takes
the years after today's (journey/calendar_learned.py), re-dates the future instalments nobody
has paid anything of whose due date that moves (顺延 from their plan's day), records it as the
system's decision and tells the customer once.
"""

from collections.abc import Callable

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.calendar_contracts import LOAD_CALENDAR, CalendarResult, LoadCalendarInput
    from journey.calendar_learned import learned, pinned_until, redated, years_changed
    from workflows.activity_options import QUICK
    from workflows.io_retry import io_retry
    from workflows.post_loan_monitoring import SYSTEM
    from workflows.post_loan_repricing import Repricing

# workflow.patched marker: before it, a loan kept the working calendar it pinned at intake for
# its whole life (a year not yet published then, the package's estimate); since, each run it
# continues in learns the years that have not begun, and its due dates move with them.
CALENDAR_LEARNED = "calendar-learned"


class CalendarLearning(Repricing):
    async def learn_calendar(self, named: Callable[[], str]) -> None:
        """Take the years after today's from the calendar the workers have now; re-date the
        instalments it moves and tell the customer (`named` begins the notice)."""
        pinned, today = self.calendar, self.today()
        last = pinned_until(pinned, today)
        if last <= today.year or self._offer is None:
            return
        now = await workflow.execute_activity(
            LOAD_CALENDAR, LoadCalendarInput(today=today, years=last - today.year + 1),
            result_type=CalendarResult, start_to_close_timeout=QUICK, retry_policy=io_retry())
        calendar = learned(pinned, now.calendar, today)
        years = years_changed(pinned, calendar)
        if not years:
            return
        assert self._snapshot is not None, "pinned at intake"
        self._snapshot = self._snapshot.model_copy(update={"calendar": calendar})
        plan, moved = redated(self._offer.schedule, self._account().instalments, calendar, today)
        self._offer = self._offer.model_copy(update={"schedule": plan})
        learnt = ", ".join(f"{y} ({now.sources.get(y, 'the holidays package')})" for y in years)
        self.record_decision(SYSTEM, "working calendar learned", "; ".join(
            [f"the bank's working calendar of {learnt}"] + [m.said() for m in moved]))
        if moved:
            await self.notify(
                f"{self._workflow_id}:redated:" + ",".join(f"{m.number}@{m.due_on}"
                                                           for m in moved),
                "customer", "plan_changed",
                f"{named()}the bank's working calendar of {', '.join(map(str, years))} is now "
                f"published: {'; '.join(m.said() for m in moved)} (a due date on a holiday "
                "moves to the next working day); the amounts are unchanged")
