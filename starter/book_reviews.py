"""Running loans' review dates, for the loan book and `status`: the last review (the
journey's), the next one (its review schedule's next action time: for the book from one list
of the schedules, not a describe per loan), the day a review is due by on the post-loan
policy's cadence for its class, and whether its reviews are late (journey/review_dates.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.review import post_loan_policy_text
from journey.classification import RiskClass
from journey.loan_book import BookLine, LoanBook
from journey.post_loan_policy import PostLoanPolicy, parse_post_loan_policy, review_every
from journey.review_dates import ReviewDates, review_dates
from journey.status import JourneyStatus
from starter import schedules
from starter.errors import NotFound


async def next_reviews(client: Client) -> dict[str, datetime]:
    """Each journey's next review, by its review schedule; none for a paused one (it runs no
    review), and none at all on a server without schedules (the time-skipping one)."""
    try:
        rows = await schedules.list_schedules(client)
    except RPCError as err:
        if err.status is RPCStatusCode.UNIMPLEMENTED:
            return {}
        raise
    return {r.journey_id: r.next_runs[0] for r in rows if r.next_runs and not r.paused}


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
             now: datetime | None = None, policy: PostLoanPolicy | None = None
             ) -> ReviewDates | None:
    """A reviewed loan's review dates, its cadence the post-loan policy's for `risk_class`;
    None for a journey not reviewed."""
    if not s.reviewed():
        return None
    zone = timezone(timedelta(hours=s.days_utc_offset))
    paid = s.reviewed_from()
    every = review_every(policy or parse_post_loan_policy(post_loan_policy_text()), risk_class)
    return review_dates(s.last_review.reviewed_on if s.last_review is not None else None,
                        paid.astimezone(zone).date() if paid else None, every, next_at, today,
                        now or datetime.now(UTC))


def with_reviews(book: LoanBook, statuses: list[JourneyStatus], next_at: dict[str, datetime],
                 today: date, now: datetime) -> LoanBook:
    """`book`, each loan line with its review dates, on `today` (the bank's day) at `now`."""
    policy = parse_post_loan_policy(post_loan_policy_text())
    by_id = {s.workflow_id: s for s in statuses}

    def dated(b: BookLine) -> BookLine:
        s = by_id.get(b.workflow_id)
        dates = None if s is None else dates_of(s, b.risk_class, next_at.get(b.workflow_id),
                                                today, now, policy)
        if dates is None:
            return b
        return b.model_copy(update={"last_review": dates.last, "next_review": dates.next,
                                    "review_due": dates.due, "reviews_late": dates.late})

    return book.model_copy(update={"lines": [dated(b) for b in book.lines]})
