"""Journeys and loans listed: `list`, a team's `queue`, the loan `book`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer
from rich.markup import escape

from journey.borrower_exposure import by_borrower
from journey.classification import RiskClass
from journey.settings import Settings
from starter import (
    activity_waits,
    book_exposure_view,
    book_reviews,
    book_sections,
    quotes,
    work_lists,
)
from starter.bank_clock import bank_day
from starter.book_json import book_json
from starter.boundary import run
from starter.connect import connect
from starter.journey_cli import console
from starter.listings_view import book_table, book_title, journeys_table, stuck_table
from starter.money_paid_out import money_paid_out
from starter.money_received import closed_since, drawn_up_today, money_received, received_period
from starter.month_end import month_end
from starter.pending_return import received_money
from starter.terminal import BOOK_WIDTH, wide_console
from starter.typed_values import day
from store.pending import Delivery


def list_(
    query: Annotated[
        str | None, typer.Option(help="a visibility query, e.g. \"JourneyStage='offer'\"")
    ] = None,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    credit_code: Annotated[str | None, typer.Option(
        help="one borrower's journeys, by its unified social credit code (with --query: "
             "both)")] = None,
    stuck: Annotated[bool, typer.Option(
        "--stuck", help="the running journeys stuck on an activity: one no worker polls the "
                        "task queue of, one tried --attempts times, one not started within "
                        "--waited minutes (each running journey is described: --query "
                        "narrows it)")] = False,
    attempts: Annotated[int, typer.Option(
        min=2, help="with --stuck: an activity tried this many times is stuck")]
    = activity_waits.FAILING_AFTER,
    waited: Annotated[int, typer.Option(
        min=1, help="with --stuck: an activity no worker started within this many minutes "
                    "is stuck")] = activity_waits.NOT_STARTED_WITHIN // timedelta(minutes=1),
) -> None:
    """Journeys from Temporal visibility, newest first, each with its applicant; with --stuck,
    the running journeys stuck on an activity, and why."""

    async def go() -> None:
        asked = query if credit_code is None else work_lists.borrower_query(credit_code, query)
        client = await connect()
        if stuck:
            running = "ExecutionStatus = 'Running'" + (f" AND ({asked})" if asked else "")
            rows = await work_lists.list_journeys(client, running, limit=None)
            found = await activity_waits.stuck_journeys(
                client, rows, datetime.now(UTC), attempts, timedelta(minutes=waited))
            console.print(stuck_table(found[:limit], len(found), len(rows)))
            return
        rows = work_lists.with_parties(Settings(),
                                       await work_lists.list_journeys(client, asked, limit))
        total = await work_lists.count_journeys(client, asked) if len(rows) == limit else None
        console.print(journeys_table(rows, "journeys", total))

    run(go())


ShowQuery = Annotated[bool, typer.Option(
    "--show-query", help="print the Temporal visibility query the list was read with (the "
                         "Web UI lists the same with it)")]


def book(
    risk_class: Annotated[
        RiskClass | None, typer.Option("--class", parser=RiskClass.named,
                                       help="one class only, e.g. special_mention or 关注")
    ] = None,
    limit: Annotated[
        int, typer.Option(help="list at most this many loans, worst first; the totals count all")
    ] = 500,
    month: Annotated[str | None, typer.Option(
        help="the money received and paid out valued in this month, YYYY-MM (default: the "
             "current one, to today)")] = None,
    first: Annotated[datetime | None, typer.Option(
        "--from", parser=day, metavar="YYYY-MM-DD",
        help="the money received and paid out valued from this day")] = None,
    last: Annotated[datetime | None, typer.Option(
        "--to", parser=day, metavar="YYYY-MM-DD",
        help="... to this day (default: today)")] = None,
    on: Annotated[datetime | None, typer.Option(
        parser=day, metavar="YYYY-MM-DD",
        help="the day the book is drawn up on: today only (the loans' figures are the "
             "journeys' today)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="the same figures as JSON, money as "
                                                         "strings to the fen, and the query "
                                                         "the loans were read with")] = False,
    show_query: ShowQuery = False,
    payments: Annotated[bool, typer.Option(
        "--payments", help="under the money received, each payment of the period and where "
                           "it went (--json has them always)")] = False,
) -> None:
    """The loan book: running loans by five-tier class (五级分类), worst first, each with its
    borrower and review dates, with totals and the reviews late; then (the whole book) the
    undrawn commitments of projects still drawing, the loans signed and not paid out, the
    book by borrower with what is committed to each; the money received and not booked, and
    (the whole book only) the money received in a period, reconciled: booked to the loans by
    kind, not booked, returned to the payer, kept and not delivered; the money paid out in
    it, the ledger's bookings tied to what each journey records it lent; and the loans at its
    start and end: principal and interest earned and not paid, the principal rolled forward."""

    async def go() -> None:
        today = bank_day()
        period = received_period(today, month, first.date() if first else None,
                                 last.date() if last else None)
        drawn_up_today(today, on.date() if on else None)
        settings = Settings()
        client = await connect()
        whole = risk_class is None
        query = work_lists.book_query(risk_class)
        if whole:
            query = f"({query}) OR ({closed_since(period.first)})"
        reads = await work_lists.journey_reads(client, query)
        book = await book_reviews.dated_book(
            client, work_lists.book_of(reads, risk_class, quotes.recorded(settings)),
            [s for _, s in reads], today, settings)
        unbooked = received_money(settings, Delivery.UNBOOKED)
        received = money_received([s for _, s in reads], settings, period) if whole else None
        paid_out = money_paid_out([s for _, s in reads], settings, period) if whole else None
        end = (month_end([s for _, s in reads], period, received, paid_out)
               if received is not None and paid_out is not None else None)
        if as_json:
            print(json.dumps(book_json(book, unbooked, today, received, paid_out, end)
                             | {"query": query}, indent=2, ensure_ascii=False))
            return
        out = wide_console(BOOK_WIDTH)
        out.print(book_table(book.lines, book_title(risk_class), shown=limit))
        if show_query:
            out.print(escape(f"visibility query: {query}"))
        if whole:
            out.print(book_sections.commitments_table(book.commitments))
            out.print(book_exposure_view.pipeline_table(book.pipeline))
            out.print(book_exposure_view.borrowers_table(by_borrower(book)))
        out.print(book_sections.unbooked_table(unbooked))
        if received is not None:
            out.print(book_sections.received_table(received))
            if payments:
                out.print(book_sections.payments_table(received))
        if paid_out is not None:
            out.print(book_sections.paid_out_table(paid_out))
        if end is not None:
            out.print(book_sections.month_end_table(end))

    run(go())
