"""Running loans' review dates, for the loan book and `status`: the last review (the
journey's), the next one (its review schedule's next action time: for the book from one list
of the schedules, not a describe per loan), the day a review is due by on the post-loan
policy's cadence for its class, and whether its reviews are late (journey/review_dates.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta, timezone

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from journey.classification import RiskClass
from journey.loan_book import BookLine, LoanBook
from journey.post_loan_policy import PostLoanPolicy, review_every
from journey.review_dates import ReviewDates, review_dates
from journey.settings import Settings
from journey.status import JourneyStatus
from starter import schedules
from starter.errors import NotFound
from starter.pinned_policy import post_loan_policy_of
from starter.schedules import ScheduleRow


async def next_reviews(client: Client, statuses: list[JourneyStatus]) -> dict[str, datetime]:
    """Each of `statuses`' next review, by its review schedule; none for a paused one (it
    runs no review), and none at all on a server without schedules (the time-skipping one).
    The list of schedules comes a moment behind (a schedule created seconds ago is not in
    it yet), so a reviewed loan it leaves out is described, one call each (`next_review`),
    before it is said to have none."""
    try:
        rows = await schedules.list_schedules(client)
    except RPCError as err:
        if err.status is RPCStatusCode.UNIMPLEMENTED:
            return {}
        raise
    missing = unlisted(statuses, rows)
    described = await asyncio.gather(*(next_review(client, s) for s in missing))
    nexts = {r.journey_id: r.next_runs[0] for r in rows if r.next_runs and not r.paused}
    return nexts | {s.workflow_id: at for s, at in zip(missing, described, strict=True)
                    if at is not None}


def unlisted(statuses: list[JourneyStatus], rows: list[ScheduleRow]) -> list[JourneyStatus]:
    """The reviewed loans of `statuses` whose schedule `rows` (the list) leave out."""
    listed = {r.journey_id for r in rows}
    return [s for s in statuses if s.reviewed() and s.workflow_id not in listed]


async def next_review(client: Client, s: JourneyStatus) -> datetime | None:
    """One loan's next review, by its review schedule (None: none, paused, or no schedules
    on the server)."""
    if not s.reviewed():
        return None
    try:
        row = await schedules.describe(client, s.workflow_id)
    except NotFound:
        return None
    except RPCError as err:
        if err.status is RPCStatusCode.UNIMPLEMENTED:
            return None
        raise
    return row.next_runs[0] if row.next_runs and not row.paused else None


def dates_of(s: JourneyStatus, risk_class: RiskClass, next_at: datetime | None, today: date,
             policy: PostLoanPolicy, now: datetime | None = None) -> ReviewDates | None:
    """A reviewed loan's review dates, its cadence `policy`'s (the loan's pinned post-loan
    policy) for `risk_class`; None for a journey not reviewed."""
    if not s.reviewed():
        return None
    zone = timezone(timedelta(hours=s.days_utc_offset))
    paid = s.reviewed_from()
    every = review_every(policy, risk_class)
    return review_dates(s.last_review.reviewed_on if s.last_review is not None else None,
                        paid.astimezone(zone).date() if paid else None, every, next_at, today,
                        now or datetime.now(UTC))


async def dated_book(client: Client, book: LoanBook, statuses: list[JourneyStatus],
                     today: date, settings: Settings) -> LoanBook:
    """`book` with its loans' review dates (`with_reviews`), the next ones read now from
    the schedules of the loans in `statuses` (`next_reviews`)."""
    return with_reviews(book, statuses, await next_reviews(client, statuses), today,
                        datetime.now(UTC), settings)


def with_reviews(book: LoanBook, statuses: list[JourneyStatus], next_at: dict[str, datetime],
                 today: date, now: datetime, settings: Settings) -> LoanBook:
    """`book`, each loan line with its review dates, on `today` (the bank's day) at `now`, by
    each loan's pinned post-loan policy as the workers recorded it, checked against its seal
    with the archive key where set (read once per version: `post_loan_policy_of`)."""
    by_id = {s.workflow_id: s for s in statuses}
    policies: dict[str | None, PostLoanPolicy] = {}

    def dated(b: BookLine) -> BookLine:
        s = by_id.get(b.workflow_id)
        if s is None:
            return b
        version = s.post_loan_policy_version
        if version not in policies:
            policies[version] = post_loan_policy_of(settings, s)
        dates = dates_of(s, b.risk_class, next_at.get(b.workflow_id), today, policies[version],
                         now)
        if dates is None:
            return b
        return b.model_copy(update={"last_review": dates.last, "next_review": dates.next,
                                    "review_due": dates.due, "reviews_late": dates.late})

    return book.model_copy(update={"lines": [dated(b) for b in book.lines]})
