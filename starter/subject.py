"""What the loan journeys hold about one person (PIPL art. 45: a person may ask what
personal information the bank holds about them; the bank answers in 15 working days).

A person appears in these places, and this reads each:
- the journey database's document readings (`document_readings.fields`): a business
  licence's legal representative (法定代表人), a supporting page's text, a clerk's correction;
  one SQL query over every journey's readings; a reading whose scan was erased after
  retention (`scans erase`, store/scan_erasures.py) says so: the reading stays, the file went;
- the application's `contact` (name, mobile, email), kept only in the journey's history on
  the Temporal server (encrypted there when the codec keys are set): its latest run's first
  event, read as the notifier reads it (starter/notifier.py `contact_of`), for every journey
  the server lists, or those started since a day: one read per journey; and, for a journey
  the server no longer has (its retention), its last archived run's first event
  (`loan-journey archive`), read and checked as `history` reads it;
- the people acts name, in the later events of every run's history and of the late feedback
  runs (starter/subject_history.py): the offer's signatory, a repayment payer's account, a
  feedback's comment; and the same acts kept as pending instructions, and the refunds and
  returns to payers' accounts, in the journey database (starter/subject_kept.py).
People named in staff's free text (a decision's reason, a signature's evidence, a refund's
reason) are not looked for.

Match rules: starter/subject_match.py. Nothing is changed anywhere.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.service import RPCError, RPCStatusCode

from journey.contact import Contact
from journey.settings import Settings
from journey.timeline import EventType
from starter import work_lists
from starter.archivist import archived_text
from starter.errors import JourneyError
from starter.notifier import contact_in, contact_or_why, why_unread
from starter.subject_history import JOURNEY_TYPE, in_histories, since_query
from starter.subject_kept import in_store
from starter.subject_match import Held, Kind, Sought, Unread
from store import archive
from store.db import ready
from store.models import DocumentReadingRow
from store.scan_erasures import erasures_by_reading
from store.timing import events_for

READS_AT_ONCE = 8  # journeys' first events read at once: the server's other work goes on
FREE_TEXT = "text"  # a supporting page's text (journey/documents.py SupportingDocument)


class Incomplete(JourneyError):
    """Some journeys' histories could not be read: what is found is printed, and the answer
    to the person is not whole until they are (set the keys, reach the server)."""


class Journey(BaseModel):
    """A journey that holds the person, where it stands, and what it holds."""

    workflow_id: str
    status: str  # running, completed, terminated, ...; "-" not on the server
    stage: str
    ended: bool | None  # None: not known (its history is on no server)
    where_kept: str  # "the server", "the archive alone (N runs)", "neither ..."
    held: list[Held]


class Findings(BaseModel):
    """The answer: every journey holding the person, and those whose contact was not read."""

    kind: Kind
    value: str  # as sought (masked for an id number unless --full)
    since: datetime | None
    readings_rows: int  # every reading was looked at: one query
    server_read: int  # journeys whose first event was read on the server
    archived_read: int  # ... in the archive (those the server did not list)
    runs_read: int  # runs whose later events were read (the server's and the archive's)
    journeys: list[Journey]
    unread: list[Unread]


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a reading's fields, with its path ("corrections.name.value")."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _strings(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _strings(inner, f"{path}[{n}]")


def in_readings(url: str, sought: Sought, full: bool = False) -> tuple[int, dict[str, list[Held]]]:
    """Every reading's fields that hold the person, by journey, and how many readings there
    were: one query over the journey database's readings, each field compared here (the
    fields are JSON, whose SQL differs by database)."""
    found: dict[str, list[Held]] = {}
    rows = 0
    erasures = erasures_by_reading(url)
    with Session(ready(url)) as s:
        query = select(DocumentReadingRow.workflow_id, DocumentReadingRow.sha256,
                       DocumentReadingRow.filename, DocumentReadingRow.kind,
                       DocumentReadingRow.fields).order_by(DocumentReadingRow.id)
        for workflow_id, sha256, filename, kind, fields in s.execute(query):
            rows += 1
            for path, text in _strings(fields or {}):
                free = path.split(".")[-1] == FREE_TEXT
                if sought.equals(text) or (free and sought.within(text)):
                    gone = erasures.get((sha256, workflow_id))
                    found.setdefault(workflow_id, []).append(Held(
                        where="document_readings", field=path,
                        value=sought.shown(text, full), document=f"{filename} ({sha256[:12]})",
                        kind=kind, scan_erased=gone.said() if gone else None))
    return rows, found


def contact_matches(contact: Contact, sought: Sought) -> bool:
    value = {"name": contact.name, "mobile": contact.mobile, "email": contact.email}.get(
        sought.kind)
    return value is not None and sought.equals(value)


def contact_said(contact: Contact) -> str:
    return (f"name {contact.name or '-'}, mobile {contact.mobile or '-'}, "
            f"email {contact.email or '-'}")


async def subject(client: Client, settings: Settings, sought: Sought,
                  since: datetime | None = None, full: bool = False) -> Findings:
    """Every journey holding the person: its readings' fields that match (every journey's),
    its application's contact (the journeys the server lists, started since `since` when
    given), the acts of its runs' histories that name them (the runs started or archived
    since), its pending instructions and the money back to a payer's account that do; each
    journey with its stage and whether it ended; those that could not be read named with
    why. Reads only."""
    rows, held = in_readings(settings.db_url, sought, full)
    listed = {r.workflow_id: r for r in await work_lists.list_journeys(
        client, since_query(since), limit=None)}
    gate = asyncio.Semaphore(READS_AT_ONCE)

    async def read(workflow_id: str) -> tuple[str, Contact | None | str]:
        async with gate:
            return workflow_id, await contact_or_why(client, workflow_id)

    contacts = await asyncio.gather(*(read(w) for w in listed))
    kept = await in_archive(settings, client.data_converter, set(listed), since)
    runs = await in_histories(settings, client, sought, since, full)
    unread: dict[str, Unread] = {}  # one reason each: the first
    for workflow_id, contact in [*contacts, *kept]:
        if isinstance(contact, str):
            unread.setdefault(workflow_id, Unread(workflow_id=workflow_id, why=contact))
        elif contact is not None and contact_matches(contact, sought):
            held.setdefault(workflow_id, []).append(Held(
                where="history", field="contact", value=contact_said(contact)))
    for run in runs:
        if isinstance(run, Unread):
            unread.setdefault(run.workflow_id, run)
    acts = [found for run in runs if not isinstance(run, Unread) for found in run]
    for workflow_id, found in [*acts, *await in_store(settings, sought, full)]:
        held.setdefault(workflow_id, []).append(found)
    journeys = [await _journey(client, settings, w, listed.get(w), h)
                for w, h in sorted(held.items())]
    return Findings(kind=sought.kind, value=sought.shown(sought.value, full), since=since,
                    readings_rows=rows, server_read=_read(contacts), archived_read=_read(kept),
                    runs_read=sum(not isinstance(r, Unread) for r in runs), journeys=journeys,
                    unread=sorted(unread.values(), key=lambda u: u.workflow_id))


async def in_archive(settings: Settings, converter: DataConverter, listed: set[str],
                     since: datetime | None) -> list[tuple[str, Contact | None | str]]:
    """The contact of each journey the archive holds that the server did not list (deleted
    after its retention, or left out by `since`), from its last archived run's first event
    (closed since `since` when given), or why it could not be read: the archive's digest,
    seal or the codec keys."""
    last: dict[str, archive.ArchivedRun] = {}
    after = since.replace(tzinfo=UTC) if since is not None else None
    for run in await asyncio.to_thread(archive.runs_of, settings.db_url):  # oldest first
        if (run.workflow_type == JOURNEY_TYPE and run.workflow_id not in listed
                and (after is None or run.closed_at >= after)):
            last[run.workflow_id] = run
    found: list[tuple[str, Contact | None | str]] = []
    for workflow_id, run in last.items():
        try:
            text = await asyncio.to_thread(archived_text, settings, run)
            [started, *_] = WorkflowHistory.from_json(workflow_id, text).events
            found.append((workflow_id, await contact_in(converter, started)))
        except JourneyError as err:  # damaged, or another archive key
            found.append((workflow_id, f"its archived history could not be read: {err}"))
        except Exception as err:
            found.append((workflow_id, why_unread(err, "its archived history")))
    return found


async def _journey(client: Client, settings: Settings, workflow_id: str,
                   row: work_lists.JourneyRow | None, held: list[Held]) -> Journey:
    """Where the journey stands: from the server's list, or (a journey held in readings
    that the list left out: started before --since, or gone from the server) its own
    description, or the archive when the server no longer has it."""
    from workflows import search_attributes as sa

    if row is not None:
        return Journey(workflow_id=workflow_id, status=row.status, stage=row.stage,
                       ended=row.status != "running", where_kept="the server", held=held)
    try:
        described = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        runs = archive.runs_of(settings.db_url, workflow_id)
        where = (f"the archive alone ({len(runs)} run(s), the last closed "
                 f"{runs[-1].closed_at:%Y-%m-%d %H:%M} UTC {runs[-1].status})" if runs else
                 "neither the server nor the archive: its history is gone")
        return Journey(workflow_id=workflow_id, status=runs[-1].status if runs else "-",
                       stage=await asyncio.to_thread(last_stage, settings.db_url, workflow_id),
                       ended=True if runs else None, where_kept=where, held=held)
    status = described.status.name.lower() if described.status else "-"
    return Journey(workflow_id=workflow_id, status=status,
                   stage=described.typed_search_attributes.get(sa.STAGE) or "-",
                   ended=status != "running", where_kept="the server", held=held)


def _read(contacts: Sequence[tuple[str, Contact | None | str]]) -> int:
    return sum(not isinstance(c, str) for _, c in contacts)


def last_stage(url: str, workflow_id: str) -> str:
    """The stage the journey database last recorded the journey entering or leaving for,
    for a journey the server no longer has; "-" when it recorded none."""
    moves = [e for e in events_for(url, workflow_id)
             if e.type in (EventType.ENTERED, EventType.EXITED)]
    if not moves:
        return "-"
    last = moves[-1]
    return last.outcome if last.type is EventType.EXITED and last.outcome else last.stage.value


_IN = {"history": "its history", "pending_instructions": "a pending instruction",
       "payer_outflows": "money back entered", "payer_refunds": "a refund paid",
       "payer_returns": "a return paid"}


def said(findings: Findings) -> str:
    """The findings in plain words, for the requester's file or the terminal."""
    whom = f"{findings.kind.replace('_', ' ')} {findings.value}"
    since = f"{findings.since:%Y-%m-%d}" if findings.since else ""
    scope = (f"the document readings of every journey ({findings.readings_rows} readings); "
             f"the application's contact of {findings.server_read} journey(s) on the server"
             + (f" started since {since}" if since else "") +
             f" and of {findings.archived_read} whose history is in the archive alone"
             + (f" closed since {since}" if since else "") +
             f"; the signatories, payers' accounts and feedback comments of "
             f"{findings.runs_read} run(s)' histories, on the server"
             + (f" started since {since}" if since else "") + " and archived"
             + (f" closed since {since}" if since else "") +
             "; the pending instructions; the refunds and returns to payers' accounts "
             "(not staff's free text)")
    if findings.journeys:
        headline = f"journeys holding {whom}: {len(findings.journeys)}"
    elif findings.unread:  # not "nothing found": those unread may hold the person
        headline = (f"no journey read holds {whom}, but {len(findings.unread)} could not be "
                    "read (below)")
    else:
        headline = f"nothing found: no journey holds {whom}"
    lines = [headline, f"looked in: {scope}"]
    for j in findings.journeys:
        state = (f"ended ({j.status})" if j.ended else "running" if j.ended is False
                 else "not known")
        lines.append(f"{j.workflow_id}: stage {j.stage}, {state}; its history on "
                     f"{j.where_kept}")
        for h in j.held:
            if h.field == "contact":
                lines.append(f"  the application's contact (its history's first event): "
                             f"{h.value}")
            elif h.where == "document_readings":
                lines.append(f"  document reading {h.document}, {h.kind}: field {h.field} = "
                             f"{h.value}" + (f"; its scan {h.scan_erased}, the reading kept"
                                             if h.scan_erased else ""))
            else:
                lines.append(f"  {h.about} ({_IN[h.where]}, {h.source}): {h.value}")
    if findings.unread:
        lines.append(f"could not be read ({len(findings.unread)} journey(s)): the answer is "
                     "not whole until they are")
        lines.extend(f"  {u.workflow_id}: {u.why}" for u in findings.unread)
    return "\n".join(lines) + "\n"
