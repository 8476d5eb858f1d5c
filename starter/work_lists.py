"""What visibility lists: the journeys (`list`), a team's queue, most urgent first, with why a
case is at its approval tier (`queue`), the cases waiting on their customers, a relationship
manager's or all, the deadline nearest first (`queue --waiting-on customer`), each with its
applicant from the journey store, and the loan book, each running loan read from its journey
(`book`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowExecutionStatus

from activities.policy import china_calendar
from journey.actors import Actor
from journey.classification import RiskClass
from journey.credit_code import is_valid
from journey.loan_book import LoanBook, book_line, worst_first
from journey.policy import ApprovalTier, WorkingCalendar
from journey.policy.who_may import unconfirmable
from journey.queue_wait import QueueWait
from journey.settings import Settings
from journey.signed_pipeline import largest_first, pipeline_line
from journey.stages import Stage
from journey.status import JourneyStatus
from journey.undrawn_commitments import commitment_line
from starter import book_reviews, quotes
from starter.bank_clock import bank_day
from starter.errors import BadInput, Ended, EndedOutside, EndedUnread, NoAnswer, NotFound
from starter.journey_ids import JOURNEYS
from starter.loan_figures import owed_on
from starter.operations import status
from starter.pinned_policy import current_policy
from store.exposure import parties

BOOK_READS = 8  # status queries the loan book sends at once
# How long an approval tier's work list waits for its cases' reasons, read all at once
TIER_READ_WITHIN = timedelta(seconds=10)


class JourneyRow(BaseModel):
    workflow_id: str
    run_id: str | None = None  # the run visibility listed (a journey reset has two or more)
    status: str
    stage: str
    team: str
    sla: str
    product: str
    amount_band: str
    started: datetime
    # on a team's queue: since when the case has waited on the team, and its SLA on that wait
    waiting: QueueWait | None = None
    # whom its stage is assigned to (JourneyAssignee), "-" its whole team's; None: a journey
    # from before it listed that (marker assignee-attribute), or one that has ended
    assignee: str | None = None
    amount: Decimal | None = None  # applied for, from the journey store (`with_parties`)
    owes: str | None = None  # waiting on the customer: what, in a few words, from the journey
    # whose the case is, from the journey store (store/exposure.py `parties`): `list`, and the
    # submitters' work list (relationship managers', operations')
    applicant: str | None = None
    submitted_by: Actor | None = None
    why: str | None = None  # on an approval work list: why the case is at its tier
    # on an approval work list: the covenants the loan would carry that its file already breaches
    breached: list[str] = Field(default_factory=list)
    # on a team's work list: its review schedule paused outside the engine and the journey
    # not told (starter/reviews_paused.py), the schedule's note
    paused_outside: str | None = None


def _journeys(query: str | None) -> str:
    """Journeys, one row each: a run that continued as new is the same journey as its last
    run, so it is left out unless the query asks about run statuses itself."""
    base = JOURNEYS
    if query is None or "ExecutionStatus" not in query:
        base += " AND ExecutionStatus != 'ContinuedAsNew'"
    return f"{base} AND ({query})" if query else base


def _asks_for_runs(query: str | None) -> bool:
    """Whether `query` asks about run statuses itself (then it is shown every run it lists)."""
    return query is not None and "ExecutionStatus" in query


async def list_journeys(
    client: Client, query: str | None = None, limit: int | None = 100,
    runs: bool | None = None,
) -> list[JourneyRow]:
    """Journeys from Temporal visibility, newest first: the same list the Web UI and
    `temporal` show; every one with `limit` None. A journey reset (`temporal workflow reset`)
    is listed by its current run: the run the reset ended (terminated by it, or ended before
    it) is the same journey, and is left out (`current_runs`) unless `runs`, by default when
    the query asks about run statuses itself."""
    from workflows import search_attributes as sa

    rows = []
    async for wf in client.list_workflows(_journeys(query), limit=limit):
        attrs = wf.typed_search_attributes
        running = wf.status == WorkflowExecutionStatus.RUNNING
        rows.append(
            JourneyRow(
                workflow_id=wf.id,
                run_id=wf.run_id,
                status=WorkflowExecutionStatus(wf.status).name.lower() if wf.status else "-",
                stage=attrs.get(sa.STAGE) or "-",
                team=attrs.get(sa.TEAM) or "-",
                # an ended run's SlaState is its last stage's (before the journey cleared it at
                # its end, or when the server ended it): no SLA runs on it any more
                sla=(attrs.get(sa.SLA_STATE) or "-") if running else "-",
                product=attrs.get(sa.PRODUCT) or "-",
                amount_band=attrs.get(sa.AMOUNT_BAND) or "-",
                started=sa.journey_started(attrs, wf.start_time),
                waiting=QueueWait.of(attrs.get(sa.QUEUE_WAIT)) if running else None,
                assignee=attrs.get(sa.ASSIGNEE) if running else None,
            )
        )
    if runs if runs is not None else _asks_for_runs(query):
        return rows
    return await current_runs(client, rows)


RUNS_ASKED = 100  # workflow ids a visibility query asks the runs of at once


async def current_runs(client: Client, rows: list[JourneyRow]) -> list[JourneyRow]:
    """`rows` but the runs that are no longer their journey's: a reset ends the run it resets
    (terminated, or ended before) and carries the journey on in a new run, under the same
    workflow id. A running row is its journey's current run; an ended one is when its
    journey has no other run (continued as new runs aside), else the server says which run
    is current (a describe apiece of the journeys reset)."""
    ended = sorted({r.workflow_id for r in rows if r.status != "running"})
    several: set[str] = set()
    for at in range(0, len(ended), RUNS_ASKED):
        ids = ", ".join(f"'{w}'" for w in ended[at:at + RUNS_ASKED])
        seen: set[str] = set()
        async for wf in client.list_workflows(
                f"WorkflowId IN ({ids}) AND ExecutionStatus != 'ContinuedAsNew'"):
            (several if wf.id in seen else seen).add(wf.id)
    if not several:
        return rows
    current = {w: (await client.get_workflow_handle(w).describe()).run_id
               for w in sorted(several)}
    return [r for r in rows if r.workflow_id not in current or r.run_id == current[r.workflow_id]]


async def count_journeys(client: Client, query: str | None = None) -> int:
    return (await client.count_workflows(_journeys(query))).count


def book_query(risk_class: RiskClass | None = None) -> str:
    """Running loans after disbursement, and the journeys at disbursement: projects drawing,
    loans signed and not paid out yet (the pipeline); of one class when given, by the
    LoanClass attribute, with the loans that have none (runs begun before it, projects
    drawing: their class is read after)."""
    query = ("ExecutionStatus = 'Running' AND JourneyStage IN ('post_loan', 'disbursement')")
    if risk_class is None:
        return query
    return f"{query} AND (LoanClass = '{risk_class.value}' OR LoanClass IS NULL)"


async def loan_book(client: Client, risk_class: RiskClass | None = None,
                    settings: Settings | None = None) -> LoanBook:
    """Every running loan from visibility, each with its account read from the journey
    (a status query apiece, a few at a time) and its figures on its day (`owed_on`, to the
    LPR fixings recorded in `settings`' database); worst first. All of them, because the
    totals and the non-performing ratio are the whole book's, and visibility lists newest
    first: a cut would leave out the oldest loans, which are where arrears are. With them,
    from the same reads, the projects still drawing as undrawn commitments (those of the
    whole book: none when a class is asked, as a commitment undrawn has no class). Each
    loan with its review dates, the next by its schedule, as `book` shows them."""
    settings = settings or Settings()
    reads = await journey_reads(client, book_query(risk_class))
    return await book_reviews.dated_book(
        client, book_of(reads, risk_class, quotes.recorded(settings)), [s for _, s in reads],
        bank_day(), settings)


async def journey_reads(client: Client, query: str) -> list[tuple[str, JourneyStatus]]:
    """The journeys `query` lists, each once with its current run's status (a query apiece, a
    few at a time: a run a reset ended is not read as another journey), by product; those
    gone since the list was read, those ended since with no worker to answer (`EndedUnread`:
    a running loan no more), and those the server ended outside the engine (terminated:
    `status` says how, `list` shows them), left out."""
    rows = list({r.workflow_id: r for r in
                 await list_journeys(client, query, limit=None, runs=False)}.values())
    reads = asyncio.Semaphore(BOOK_READS)

    async def read(row: JourneyRow) -> tuple[str, JourneyStatus] | None:
        async with reads:
            try:
                return row.product, await status(client, row.workflow_id)
            except (NotFound, EndedUnread, EndedOutside):  # gone, ended, or ended outside
                return None

    return [r for r in await asyncio.gather(*(read(r) for r in rows)) if r is not None]


def book_of(reads: list[tuple[str, JourneyStatus]], risk_class: RiskClass | None,
            fixings: quotes.QuoteFixings) -> LoanBook:
    """The loan book of the journeys read (`journey_reads`): the running loans' lines, of
    `risk_class` when given, and (the whole book only) the projects still drawing and the
    loans signed and not paid out."""
    lines = [book_line(s, product, owed_on(s, fixings)) for product, s in reads]
    whole = risk_class is None
    commitments = [c for _, s in reads if (c := commitment_line(s)) is not None] if whole else []
    pipeline = [p for product, s in reads
                if (p := pipeline_line(s, product)) is not None] if whole else []
    return LoanBook(
        lines=worst_first([b for b in lines if b is not None
                           and (risk_class is None or b.risk_class is risk_class)]),
        commitments=sorted(commitments, key=lambda c: (c.available_until, c.workflow_id)),
        pipeline=largest_first(pipeline))


def queue_query(team: str) -> str:
    """What waits on a team: running journeys whose current stage waits on it."""
    if "'" in team:
        raise BadInput("a team name has no quotes")
    return f"ExecutionStatus = 'Running' AND JourneyTeam = '{team}'"


def person_query(person: str) -> str:
    """The cases assigned to a staff member: running journeys whose current stage is theirs."""
    if "'" in person:
        raise BadInput("a staff id has no quotes")
    return f"ExecutionStatus = 'Running' AND JourneyAssignee = '{person}'"


def borrower_query(credit_code: str, query: str | None = None) -> str:
    """One borrower's journeys, every stage and status, by its credit code (CreditCode), and
    `query` too when given; journeys from before CreditCode was listed are not among them."""
    code = credit_code.strip().upper()
    if not is_valid(code):
        raise BadInput(f"credit code {credit_code!r} is not a valid unified social credit code "
                       "(18 characters, GB 32100-2015 check character): copy it from the "
                       "licence or from `status <journey>`")
    return f"CreditCode = '{code}'" + (f" AND ({query})" if query else "")


def with_parties(settings: Settings, rows: list[JourneyRow]) -> list[JourneyRow]:
    """`rows`, each with its applicant, submitter and amount from the journey store, in
    one read (a journey with no line keeps its row as listed)."""
    found = parties(settings.db_url, [r.workflow_id for r in rows])
    return [r.model_copy(update={"applicant": p.applicant,
                                 "submitted_by": p.submitted_by, "amount": p.amount})
            if (p := found.get(r.workflow_id)) is not None else r for r in rows]


CUSTOMER_OWES = (Stage.COMPLETENESS, Stage.OFFER)


def customer_query() -> str:
    """What waits on customers: running journeys at a stage that waits for the customer's
    act (completeness: documents or an answer; offer: the signature)."""
    stages = ", ".join(f"'{s.value}'" for s in CUSTOMER_OWES)
    return f"ExecutionStatus = 'Running' AND JourneyStage IN ({stages})"


async def owed_by_customers(client: Client, settings: Settings,
                            rm: str | None = None) -> list[JourneyRow]:
    """Every case waiting on its customer, of staff member `rm` when given (who submitted it,
    a relationship manager or operations, as the journey store keeps it), with the applicant:
    the deadline nearest first (the application expires then), the cases listed before the
    journey said (no deadline in QueueWait) last. Every one, as a team's queue."""
    rows = with_parties(settings, await list_journeys(client, customer_query(), limit=None))
    mine = [r for r in rows
            if rm is None or (r.submitted_by is not None and r.submitted_by.id == rm)]

    def due(r: JourneyRow) -> tuple[bool, datetime, datetime, str]:
        until = r.waiting.until if r.waiting is not None else None
        return until is None, until or r.started, r.started, r.workflow_id

    return sorted(mine, key=due)


def bank_query() -> str:
    """What of an application waits on the bank: running journeys before the loan runs, at a
    stage that does not wait for the customer's act (post-loan: the loan book's, `book`)."""
    stages = ", ".join(f"'{s.value}'" for s in (*CUSTOMER_OWES, Stage.POST_LOAN))
    return f"ExecutionStatus = 'Running' AND JourneyStage NOT IN ({stages})"


async def submitted_waiting_on_bank(client: Client, settings: Settings,
                                    rm: str) -> list[JourneyRow]:
    """The applications staff member `rm` submitted (as the journey store keeps it) that wait
    on the bank, most urgent first: the rest of their book beside what their customers owe,
    so that a relationship manager sees every case of theirs, on whom it waits and its SLA,
    not only those waiting on the customer."""
    rows = with_parties(settings, await list_journeys(client, bank_query(), limit=None))
    return most_urgent_first([r for r in rows if r.submitted_by is not None
                              and r.submitted_by.id == rm])


# SlaState, most urgent first; "ok" and anything else after these
_URGENCY = {"breached": 0, "early_warning": 1, "warned": 2}


def most_urgent_first(rows: list[JourneyRow]) -> list[JourneyRow]:
    """Breached SLAs first, then early warnings, then warned; within each, the journey that
    started first."""
    def urgency(r: JourneyRow) -> tuple[int, datetime, str]:
        return _URGENCY.get(r.sla, len(_URGENCY)), r.started, r.workflow_id

    return sorted(rows, key=urgency)


def queue_clock(now: datetime) -> tuple[datetime, WorkingCalendar]:
    """`now` and the bank's working calendar (China's, this year's and last year's) that a
    queue's waits are counted on (journey/queue_wait.py)."""
    return now, china_calendar(now.date(), 1)


async def waiting_on(client: Client, team: str) -> list[JourneyRow]:
    """Every journey that waits on `team`, most urgent first. Every one: visibility lists
    newest first, so a cut at a page would hide the cases that have waited longest. On an
    approval tier's list, each says why it is at the tier (`tier_reasons`)."""
    rows = most_urgent_first(await list_journeys(client, queue_query(team), limit=None))
    return await tier_reasons(client, rows) if team in set(ApprovalTier) else rows


async def tier_reasons(client: Client, rows: list[JourneyRow],
                       within: timedelta = TIER_READ_WITHIN,
                       keep: Callable[[JourneyStatus], bool] | None = None,
                       ) -> list[JourneyRow]:
    """`rows`, each with why its case is at its approval tier: the amount, or the borrower's
    exposure the route weighed (统一授信) and what its new applications told since it was
    read (`exposure_told`), and the covenants the loan would carry that its
    file already breaches (an approval is then an exception), read from the journey (a status
    query apiece, all at once, each answered `within` or marked unavailable: a worker answers
    them, and the list stands without one); a journey gone or ended since the list was read
    keeps its row as listed. With `keep`, only the cases whose status it keeps, and those not
    answering (it is not known whether they would be kept)."""
    unknown = "" if keep is None else "; nor whether it is yours"

    async def why(row: JourneyRow) -> JourneyRow | None:
        try:
            s = await status(client, row.workflow_id, within)
        except (NotFound, Ended):
            return row if keep is None else None
        except NoAnswer:
            return row.model_copy(update={"why": (
                f"unavailable: no answer within {within.total_seconds():g} s (is a worker "
                f"running?); its covenants on file are not read either{unknown}")})
        if keep is not None and not keep(s):
            return None
        return row.model_copy(update={
            "why": "; ".join([s.route.why_tier(), *filter(None, [s.exposure_told])])
                   if s.route else None,
            "breached": [c.detail for c in s.covenants_on_file if c.breached]})

    return [r for r in await asyncio.gather(*(why(r) for r in rows)) if r is not None]


async def stuck_payouts(client: Client, settings: Settings, rows: list[JourneyRow],
                        within: timedelta = TIER_READ_WITHIN) -> list[str]:
    """Of `rows`, the payouts whose awaiting instruction nobody in the policy in force may
    confirm (`unconfirmable`), each said with its journey; read from the journey (a status
    query apiece, all at once), one not answering `within`, gone or ended left unsaid."""
    policy = current_policy(settings)

    async def said(row: JourneyRow) -> str | None:
        try:
            s = await status(client, row.workflow_id, within)
        except (NotFound, Ended, NoAnswer):
            return None
        return f"{row.workflow_id}: {stuck}" if (stuck := unconfirmable(policy, s)) else None

    return [line for line in await asyncio.gather(*(said(r) for r in rows)) if line]
