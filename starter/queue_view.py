"""A queue's work lists as a team's head or a committee's member reads them (`queue`), on a
terminal of any width, 80 columns too: each case in a few short columns of short lines, its
journey id whole, its moments on the bank's clock without year or zone ("12-07 17:30", the
zone said once in the title), and its long texts (why it is at its approval tier, the
covenants its file already breaches, what it awaits, what its customer owes) in full under
the table, beside its journey id: in columns of their own, squeezed among a dozen others,
they and the id were cut to "…"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from journey.policy.calendar import WorkingCalendar, short_moment
from starter.listings_view import amount_cell, caption
from starter.reviews_paused import outside_said
from starter.work_lists import JourneyRow


def queue_title(team: str) -> str:
    return f"queue of {team}: cases waiting on the team"


def owed_title(rm: str | None) -> str:
    return f"cases waiting on the customer{f' submitted by {rm}' if rm else ''}"


def bank_title(rm: str) -> str:
    return f"cases submitted by {rm} waiting on the bank"


def queue_view(rows: list[JourneyRow], title: str, now: datetime, calendar: WorkingCalendar,
               total: int | None = None, order: str | None = None) -> RenderableType:
    """Cases waiting on a team or a person, as listed: each case's journey and applicant, its
    stage and team, whom it is assigned to ("-": the whole team's), when it started; its SLA
    state and, on the wait on the team, since when, how long by `now` and its warning and
    due points; the amount applied for (the band where the journey store has none); then its
    notes in full. `total`: how many there are, when more than the rows (the first by
    `order`)."""
    offset = calendar.utc_offset_hours
    table = _table(title, rows, total, order, offset, now, calendar, lambda r: [
        f"{r.stage}, {r.team}", _assigned(r),
        f"started {short_moment(r.started, offset)}"])
    if any(r.assignee is None for r in rows):
        table.caption = (f"{table.caption}\nassigned to \"not listed\": the journey began "
                         "before it listed its assignee; status <journey> says")
    return _with_notes(table, rows, _team_notes)


def owed_view(rows: list[JourneyRow], title: str, now: datetime, calendar: WorkingCalendar,
              total: int | None = None, order: str | None = None) -> RenderableType:
    """Cases waiting on their customers: whose (the applicant, who submitted it in which
    role), asked since when and how long by `now`, by when (the application expires then),
    the SLA on the wait, on the bank's clock, the amount; then what each customer owes (in a
    few words where the journey answered, else as QueueWait says it) under the table; "-"
    where the journey did not say (listed before it kept what is owed in QueueWait)."""
    table = _table(title, rows, total, order, calendar.utc_offset_hours, now, calendar,
                   lambda r: [r.stage, "submitted by " + (
                       f"{r.submitted_by.id} ({r.submitted_by.role.replace('_', ' ')})"
                       if r.submitted_by else "-")])
    return _with_notes(table, rows, _owed_notes)


def _table(title: str, rows: list[JourneyRow], total: int | None, order: str | None,
           offset: int, now: datetime, calendar: WorkingCalendar,
           about: Callable[[JourneyRow], list[str]]) -> Table:
    """A work list in three columns, its zone in the title: each case's journey id, whole on
    its line, its applicant and what `about` says under it; its wait; its amount."""
    table = Table(title=f"{title}; times: bank time, UTC{offset:+d}",
                  caption=caption(rows, total, order), show_lines=True)
    table.add_column("journey", overflow="fold",
                     min_width=max((len(r.workflow_id) for r in rows), default=7))
    table.add_column("SLA on the wait", overflow="fold")
    table.add_column("amount\nproduct", overflow="fold")
    for r in rows:
        table.add_row(Group(Text(r.workflow_id, no_wrap=True, overflow="ignore"),
                            Text(r.applicant or "-", overflow="fold"),
                            Text("\n".join(about(r)), overflow="fold")),
                      _wait(r, now, calendar), f"{amount_cell(r)}\n{r.product}")
    return table


def _assigned(r: JourneyRow) -> str:
    """Whom the case is assigned to: "-" the whole team; "not listed" by a journey from
    before it listed that (JourneyAssignee)."""
    return f"assigned to {r.assignee or 'not listed'}" + (
        " (the whole team)" if r.assignee == "-" else "")


def _wait(r: JourneyRow, now: datetime, calendar: WorkingCalendar) -> str:
    """The SLA state and, on the wait: since when, how long by `now`, by when (the customer's:
    the application expires then), its warning and due points ("-": listed before the
    journey said its wait, QueueWait)."""
    w = r.waiting
    if w is None:
        return f"{_state(r.sla)}\n-"
    offset = calendar.utc_offset_hours
    return "\n".join([_state(r.sla), f"since {short_moment(w.since, offset)}",
                      w.waited(now, calendar),
                      *([f"expires {short_moment(w.until, offset)}"] if w.until else []),
                      *w.sla_points(lambda at: short_moment(at, offset))])


def _state(sla: str) -> str:
    colour = {"breached": "red", "warned": "yellow", "early_warning": "yellow"}.get(sla)
    return f"[{colour}]{sla}[/]" if colour else sla


def _team_notes(r: JourneyRow) -> list[str]:
    """A case's long texts on a team's list, each on its line: what it awaits of the team
    where its stage does not say it all, its reviews paused outside the engine, why it is at
    its approval tier, the covenants its file already breaches."""
    w = r.waiting
    return [*([f"awaiting: {escape(w.awaiting)}"] if w and w.awaiting else []),
            *([f"[red]{escape(outside_said(r))}[/]"] if r.paused_outside is not None else []),
            *([f"why this tier: {escape(r.why)}"] if r.why else []),
            *([f"[red]covenants already breached:[/] {escape('; '.join(r.breached))}"]
              if r.breached else [])]


def _owed_notes(r: JourneyRow) -> list[str]:
    """What the customer owes: in a few words where the journey answered, else as QueueWait
    says it ("-": listed before it kept that)."""
    w = r.waiting
    return [f"owes: {escape(r.owes or (w.awaiting if w else None) or '-')}"]


def _with_notes(table: Table, rows: list[JourneyRow],
                notes: Callable[[JourneyRow], list[str]]) -> RenderableType:
    """`table`, and under it each case's `notes` in full beside its journey id (none: the
    table alone)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for r in rows:
        if said := notes(r):
            grid.add_row(r.workflow_id, "\n".join(said))
    return Group(table, grid) if grid.row_count else table
