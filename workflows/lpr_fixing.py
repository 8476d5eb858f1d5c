"""The LPR fixing in force on a day, read from the bank's record by an activity: what a new
offer is priced on and a floating-rate loan repriced to (journey/lpr.py)."""

from datetime import date

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.lpr import READ_LPR_FIXING, LprFixing, LprFixingInput, LprFixingResult
    from journey.lpr_record import last_publication
    from journey.policy.calendar import WorkingCalendar
    from workflows.activity_options import FIXING_RETRY, QUICK
    from workflows.decision_reads import decisions_queue


async def read_fixing(day: date, task_queue: str | None = None) -> LprFixing | None:
    """The latest fixing dated on or before `day`, read on `task_queue` (the journey's own
    when None); None when none is recorded."""
    read = await workflow.execute_activity(
        READ_LPR_FIXING, LprFixingInput(on=day), result_type=LprFixingResult,
        task_queue=task_queue, start_to_close_timeout=QUICK, retry_policy=FIXING_RETRY,
    )
    return read.fixing


async def fixing_on(day: date, pinned: LprFixing | None, calendar: WorkingCalendar
                    ) -> LprFixing | None:
    """The fixing in force on `day` for an offer, which the last approval waits for: the one
    pinned with the policy while it is the latest published (no publication day has come
    since), else read from the bank's record on the decisions queue."""
    if pinned is not None and pinned.fixed_on >= last_publication(day, calendar):
        return pinned
    return await read_fixing(day, decisions_queue())
