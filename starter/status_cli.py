"""Where one journey stands: `status` and `plan`."""

from __future__ import annotations

import json
from functools import partial
from typing import Annotated

import typer
from rich.markup import escape

from journey.policy.who_may import unconfirmable
from journey.settings import Settings
from starter import activity_waits, book_reviews, loan_figures, operations, quotes, schedules
from starter.bank_clock import bank_day, when
from starter.borrower_history import (
    ended_json,
    ended_lines,
    ended_of_borrower,
    former_names,
)
from starter.boundary import run
from starter.connect import connect
from starter.errors import BadInput, EndedOutside, SealBroken
from starter.journey_cli import JourneyId, console
from starter.money_not_in_run import (
    payouts_not_in_run,
    payouts_said,
    repayments_not_in_run,
    repayments_said,
)
from starter.pending_return import not_booked, returned_to_payer, status_json
from starter.pinned_policy import current_policy, pinned_of, post_loan_policy_of
from starter.refunds import credit_refunded, owed_said
from starter.repayment_view import plan_table
from starter.status_view import status_view
from store.ledger import bookings_for
from store.policies import PolicyTextChanged


def status(
    workflow_id: JourneyId,
    as_json: Annotated[bool, typer.Option("--json", help="print the raw status JSON")] = False,
) -> None:
    """Where a journey stands: stage, what it waits for, timeline, documents, decisions."""

    async def go() -> None:
        client = await connect()
        try:
            s = await operations.status(client, workflow_id)
        except EndedOutside as ended:  # how the server ended it, then the message, exit 3
            if as_json:
                print(ended.end.model_dump_json(indent=2))
            raise
        settings = Settings()
        ended, formerly = await ended_of_borrower(settings, s), await former_names(settings, s)
        # what its activities wait for: a queue no worker polls, an activity failing
        waits = [] if s.stage.terminal else await activity_waits.waits_of(
            client, workflow_id, partial(when, s))
        out = payouts_not_in_run(settings, s)  # a run reset to before its payout
        unrecorded = repayments_not_in_run(settings, s)  # or before repayments
        if as_json:
            print(json.dumps(status_json(s, settings) | ended_json(ended)
                             | {"applicant_formerly": formerly, "activities_waiting": waits,
                                "ledger_payouts_not_in_run": [b.model_dump(mode="json")
                                                              for b in out],
                                "repayments_claimed_not_in_run": [
                                    c.model_dump(mode="json") for c in unrecorded]},
                             indent=2, ensure_ascii=False))
        else:
            try:
                owed, unquoted = loan_figures.owed_on(s, quotes.fixings_for(s, settings)), None
            except SealBroken as err:  # the rest of the status stands
                owed, unquoted = None, f"what it owes not shown: {err}"
            unshown: list[str] = []  # left out by a policy failing its check; the rest stands
            try:
                reviews = (book_reviews.dates_of(
                    s, s.risk_class, await book_reviews.next_review(client, s), bank_day(),
                    post_loan_policy_of(settings, s))
                    if s.risk_class is not None else None)
            except PolicyTextChanged as err:
                reviews, unshown = None, [f"review dates not shown: {err}"]
            try:
                pinned = pinned_of(settings, s)
            except PolicyTextChanged as err:
                pinned, unshown = None, [*unshown, f"pinned policy not shown: {err}"]
            paid = bookings_for(settings.db_url, workflow_id) if s.drawdowns else []
            console.print(status_view(s, owed, credit_refunded(settings, workflow_id),
                                      formerly, pinned, reviews, paid))
            for line in unshown:
                console.print(f"[red]{escape(line)}[/]")
            for line in [*payouts_said(s, out), *repayments_said(s, unrecorded), *waits]:
                console.print(f"[red]{escape(line)}[/]")
            if (stuck := unconfirmable(current_policy(settings), s)) is not None:
                console.print(f"[red]{escape(stuck)}[/]")
            for line in ended_lines(s, ended):
                console.print(escape(line))
            if unquoted:
                console.print(f"[red]{escape(unquoted)}[/]")
            for line in not_booked(settings, s):
                console.print(f"[red]{escape(line)}[/]")
            for line in returned_to_payer(settings, s):
                console.print(escape(line))
            for line in owed_said(settings, s, bank_day()):
                console.print(escape(line))
            if (reviews := await schedules.reviews_said(client, s)) is not None:
                said, warning = reviews
                console.print(f"[yellow]{escape(said)}[/]" if warning else escape(said))

    run(go())


def plan(workflow_id: JourneyId) -> None:
    """The repayment plan of an offered or running loan."""

    async def go() -> None:
        s = await operations.status(await connect(), workflow_id)
        if s.offer is None:
            raise BadInput(f"{workflow_id} has no offer yet: it is at {s.stage}")
        console.print(plan_table(s))

    run(go())
