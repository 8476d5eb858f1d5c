"""What the loan journeys hold about one person (PIPL art. 45: a person may ask what
personal information the bank holds about them; the bank answers in 15 working days).

A person appears in two places this reads, and nowhere else the bank keeps apart:
- the journey database's document readings (`document_readings.fields`): a business
  licence's legal representative (法定代表人), a supporting page's text, a clerk's correction;
  one SQL query over every journey's readings;
- the application's `contact` (name, mobile, email), kept only in the journey's history on
  the Temporal server (encrypted there when the codec keys are set): its latest run's first
  event, read as the notifier reads it (starter/notifier.py `contact_of`), for every journey
  the server lists, or those started since a day: one read per journey; and, for a journey
  the server no longer has (its retention), its last archived run's first event
  (`loan-journey archive`), read and checked as `history` reads it.
Signatories, feedback comments and payers are in the later events of a history alone:
`history --full` shows them for each journey named here.

Match rules, so that one person is not taken for another: an id number or a mobile equals a
value with spaces removed on both sides (a mobile as the application keeps it: +86 left
out); a name equals one trimmed of spaces, a full-width space (U+3000) taken for a
half-width one; an email equals one trimmed, letters' case aside. A supporting page's text
(free text) is looked in for the value, the same way. Nothing is changed anywhere.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.service import RPCError, RPCStatusCode

from journey.contact import Contact, mobile_number
from journey.settings import Settings
from journey.timeline import EventType
from starter import work_lists
from starter.archivist import archived_text
from starter.errors import BadInput, JourneyError
from starter.notifier import contact_in, contact_or_why, why_unread
from store import archive
from store.db import ready
from store.models import DocumentReadingRow
from store.timing import events_for

Kind = Literal["name", "id_number", "mobile", "email"]
JOURNEY_TYPE = "LoanJourneyWorkflow"
READS_AT_ONCE = 8  # journeys' first events read at once: the server's other work goes on
FREE_TEXT = "text"  # a supporting page's text (journey/documents.py SupportingDocument)
_SPACES = re.compile(r"\s+")
# a mainland resident id number (居民身份证号码: 17 digits and a check digit or X; 15 digits
# before 1999) in a page's text, spaced as people type it: masked in any answer
_ID_NUMBER = re.compile(r"(?<![\dA-Za-z])(?:\d\s?){17}[\dXx](?![\dA-Za-z])|"
                        r"(?<![\dA-Za-z])(?:\d\s?){14}\d(?![\dA-Za-z])")


class Incomplete(JourneyError):
    """Some journeys' histories could not be read: what is found is printed, and the answer
    to the person is not whole until they are (set the keys, reach the server)."""


class Sought(BaseModel):
    """The person's value, as the match rules compare it."""

    kind: Kind
    value: str

    @classmethod
    def typed(cls, kind: Kind, text: str) -> Sought:
        """The value as typed, made comparable; one that cannot be of its kind refused."""
        value = _normal(kind, text)
        if not value:
            raise BadInput(f"--{kind.replace('_', '-')} is empty")
        if kind == "mobile":
            try:
                value = str(mobile_number(value))
            except ValueError as err:
                raise BadInput(f"--mobile {text!r}: {err}") from None
        return cls(kind=kind, value=value)

    def equals(self, text: str) -> bool:
        return _normal(self.kind, text) == self.value

    def within(self, text: str) -> bool:
        return self.value in _normal(self.kind, text)

    def shown(self, text: str, full: bool = False) -> str:
        """`text` as the output shows it: every id number in it masked but for its last 4,
        however it is spaced there (a page's text around it left as read), the one sought
        too when it is of no mainland shape (a passport's); whole with `full`."""
        if full:
            return text
        text = _ID_NUMBER.sub(lambda m: masked(m.group()), text)
        if self.kind != "id_number":
            return text
        spaced = r"\s*".join(re.escape(c) for c in self.value)
        return re.sub(spaced, lambda m: masked(m.group()), text, flags=re.IGNORECASE)


def _normal(kind: Kind, text: str) -> str:
    if kind in ("id_number", "mobile"):
        return _SPACES.sub("", text).upper()  # an id number's check character X either case
    if kind == "email":
        return text.strip().lower()
    return text.replace("\u3000", " ").strip()


def masked(id_number: str) -> str:
    """An id number with all but its last 4 characters starred (the output is personal data
    too): 110101199003077777 -> **************7777."""
    bare = _SPACES.sub("", id_number)
    return "*" * max(len(bare) - 4, 0) + bare[-4:]


class Held(BaseModel):
    """One place a journey holds the person: where, which document and field, the value."""

    where: Literal["document_readings", "history"]
    field: str  # the reading's field ("legal_representative"), or "contact"
    value: str  # as kept (an id number masked unless --full); the whole contact for "contact"
    document: str | None = None  # the reading's file and sha256's first 12
    kind: str | None = None  # the document's kind


class Journey(BaseModel):
    """A journey that holds the person, where it stands, and what it holds."""

    workflow_id: str
    status: str  # running, completed, terminated, ...; "-" not on the server
    stage: str
    ended: bool | None  # None: not known (its history is on no server)
    where_kept: str  # "the server", "the archive alone (N runs)", "neither ..."
    held: list[Held]


class Unread(BaseModel):
    workflow_id: str
    why: str


class Findings(BaseModel):
    """The answer: every journey holding the person, and those whose contact was not read."""

    kind: Kind
    value: str  # as sought (masked for an id number unless --full)
    since: datetime | None
    readings_rows: int  # every reading was looked at: one query
    server_read: int  # journeys whose first event was read on the server
    archived_read: int  # ... in the archive (those the server did not list)
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
    with Session(ready(url)) as s:
        query = select(DocumentReadingRow.workflow_id, DocumentReadingRow.sha256,
                       DocumentReadingRow.filename, DocumentReadingRow.kind,
                       DocumentReadingRow.fields).order_by(DocumentReadingRow.id)
        for workflow_id, sha256, filename, kind, fields in s.execute(query):
            rows += 1
            for path, text in _strings(fields or {}):
                free = path.split(".")[-1] == FREE_TEXT
                if sought.equals(text) or (free and sought.within(text)):
                    found.setdefault(workflow_id, []).append(Held(
                        where="document_readings", field=path,
                        value=sought.shown(text, full), document=f"{filename} ({sha256[:12]})",
                        kind=kind))
    return rows, found


def contact_matches(contact: Contact, sought: Sought) -> bool:
    value = {"name": contact.name, "mobile": contact.mobile, "email": contact.email}.get(
        sought.kind)
    return value is not None and sought.equals(value)


def contact_said(contact: Contact) -> str:
    return (f"name {contact.name or '-'}, mobile {contact.mobile or '-'}, "
            f"email {contact.email or '-'}")


def since_query(since: datetime | None) -> str | None:
    return None if since is None else f"StartTime >= '{since.isoformat()}Z'"


async def subject(client: Client, settings: Settings, sought: Sought,
                  since: datetime | None = None, full: bool = False) -> Findings:
    """Every journey holding the person: its readings' fields that match (every journey's),
    and its application's contact (the journeys the server lists, started since `since` when
    given), each journey with its stage and whether it ended; those whose contact could not
    be read named with why. Reads only."""
    rows, held = in_readings(settings.db_url, sought, full)
    listed = {r.workflow_id: r for r in await work_lists.list_journeys(
        client, since_query(since), limit=None)}
    gate = asyncio.Semaphore(READS_AT_ONCE)

    async def read(workflow_id: str) -> tuple[str, Contact | None | str]:
        async with gate:
            return workflow_id, await contact_or_why(client, workflow_id)

    contacts = await asyncio.gather(*(read(w) for w in listed))
    kept = await in_archive(settings, client.data_converter, set(listed), since)
    unread = []
    for workflow_id, contact in [*contacts, *kept]:
        if isinstance(contact, str):
            unread.append(Unread(workflow_id=workflow_id, why=contact))
        elif contact is not None and contact_matches(contact, sought):
            held.setdefault(workflow_id, []).append(Held(
                where="history", field="contact", value=contact_said(contact)))
    journeys = [await _journey(client, settings, w, listed.get(w), h)
                for w, h in sorted(held.items())]
    return Findings(kind=sought.kind, value=sought.shown(sought.value, full), since=since,
                    readings_rows=rows, server_read=_read(contacts), archived_read=_read(kept),
                    journeys=journeys, unread=sorted(unread, key=lambda u: u.workflow_id))


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


def said(findings: Findings) -> str:
    """The findings in plain words, for the requester's file or the terminal."""
    whom = f"{findings.kind.replace('_', ' ')} {findings.value}"
    since = f"{findings.since:%Y-%m-%d}" if findings.since else ""
    scope = (f"the document readings of every journey ({findings.readings_rows} readings); "
             f"the application's contact of {findings.server_read} journey(s) on the server"
             + (f" started since {since}" if since else "") +
             f" and of {findings.archived_read} whose history is in the archive alone"
             + (f" closed since {since}" if since else ""))
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
            if h.where == "history":
                lines.append(f"  the application's contact (its history's first event): "
                             f"{h.value}")
            else:
                lines.append(f"  document reading {h.document}, {h.kind}: field {h.field} = "
                             f"{h.value}")
    if findings.unread:
        lines.append(f"could not be read ({len(findings.unread)} journey(s)): the answer is "
                     "not whole until they are")
        lines.extend(f"  {u.workflow_id}: {u.why}" for u in findings.unread)
    return "\n".join(lines) + "\n"
