"""When the post-loan stage has something to do without anyone acting: reminders and overdue
notices due, and the next moment to wake up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo

from journey.arrears import threshold_days
from journey.loan_account import Account, InstalmentState
from journey.post_loan_policy import PostLoanPolicy, reminder_at, start_of


def reminders_due(
    account: Account, policy: PostLoanPolicy, reminded: list[int], now: datetime,
    zone: tzinfo = UTC,
) -> list[InstalmentState]:
    """Open instalments whose reminder time has come, not reminded yet, not yet past due
    (on the day `now` is in `zone`, the loan's days)."""
    today = now.astimezone(zone).date()
    return [
        i
        for i in account.instalments
        if i.settled_on is None
        and i.number not in reminded
        and reminder_at(policy, i.due_on) <= now
        and today <= i.due_on
    ]


def overdue_notices_due(account: Account, noticed: list[int], today: date) -> list[InstalmentState]:
    return [i for i in account.overdue(today) if i.settled_on is None and i.number not in noticed]


def next_wakeup(
    account: Account,
    policy: PostLoanPolicy,
    reminded: list[int],
    now: datetime,
    observing: bool = False,
    zone: tzinfo = UTC,
    daily_in_arrears: bool = False,
) -> datetime | None:
    """The next moment something changes without anyone acting: a reminder falls due, an
    instalment goes past due, the days past due cross a classification floor, or, while an
    upgrade is held in observation (`observing`), an instalment paid ahead falls due; with
    `daily_in_arrears`, also the next day for a loan in arrears, whose days past due and
    penalty interest grow by the day, so that what its status shows is never older than a
    day. Days begin at midnight in `zone`, the loan's."""
    times: list[datetime] = []
    if observing:
        times += [start_of(i.due_on, zone) for i in account.instalments]
    for i in account.instalments:
        if i.settled_on is not None:
            continue
        if i.number not in reminded:
            times.append(reminder_at(policy, i.due_on))
        times.append(start_of(i.due_on + timedelta(days=1), zone))
    today = now.astimezone(zone).date()
    late = account.overdue(today)
    if late:
        times += [start_of(d, zone) for d in threshold_days(late[0].due_on)]
        if daily_in_arrears:
            times.append(start_of(today + timedelta(days=1), zone))
    future = [t for t in times if t > now]
    return min(future, default=None)
