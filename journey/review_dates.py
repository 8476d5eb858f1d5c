"""A running loan's review dates as the loan book shows them (贷后检查): the last review's day,
the next one's time, and whether reviews are late. A review is due one cadence (the months
between reviews the post-loan policy gives the loan's class) after the last one, or after the
payout while none has run; reviews are late when that day has passed, or when the next review
the schedule lists is already past."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from journey.repayment import add_months


class ReviewDates(BaseModel):
    last: date | None  # the last review's day; None: none run yet
    next: datetime | None  # the next one the schedule lists; None: none listed (paused, gone)
    due: date | None  # the day a review is due by
    late: bool


def review_dates(last: date | None, reviewed_from: date | None, every_months: int,
                 next_review: datetime | None, today: date, now: datetime) -> ReviewDates:
    """A reviewed loan's review dates on `today` (`now`)."""
    due = review_due(last, reviewed_from, every_months)
    return ReviewDates(last=last, next=next_review, due=due,
                       late=reviews_late(due, next_review, today, now))


def review_due(last_review: date | None, reviewed_from: date | None,
               every_months: int) -> date | None:
    """The day the next review is due by: one cadence after the last, or after the payout
    (a project's first drawdown) while none has run; None for a loan not reviewed."""
    since = last_review or reviewed_from
    return None if since is None else add_months(since, every_months)


def reviews_late(due: date | None, next_review: datetime | None, today: date,
                 now: datetime) -> bool:
    """Whether the loan's reviews are late on `today` (`now`): its review was due before
    today, or the next one listed is past."""
    return (due is not None and today > due) or (next_review is not None and next_review < now)
