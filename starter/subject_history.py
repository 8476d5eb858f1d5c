"""The later events of the journeys' histories, for `subject` (starter/subject.py): every run
of every journey, and every LateFeedbackWorkflow run (the feedback about a journey that had
ended), from the server, or the archive's copy (starter/documents_used.py `each_history`
reads them, one history fetch per run); in each, the acts that name people
(starter/subject_acts.py): a journey run's accepted `sign`, `record_repayment` and
`record_feedback` updates, a late feedback run's input. Only those payloads are decoded.

A run that cannot be read (encrypted and the codec keys not set here, an archived copy that
fails its checks and that the server no longer has) is said unread, by its workflow id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter

from journey.settings import Settings
from journey.touchpoints import LATE_FEEDBACK_WORKFLOW
from starter import audit
from starter.codec import undecodable
from starter.documents_used import each_history, first_payload
from starter.journey_ids import JOURNEYS
from starter.notifier import why_unread
from starter.subject_acts import ACTS, FEEDBACK, in_act
from starter.subject_match import Held, Sought, Unread
from store import archive

JOURNEY_TYPE = "LoanJourneyWorkflow"
RUNS = f"({JOURNEYS} OR WorkflowType = '{LATE_FEEDBACK_WORKFLOW}')"
Found = list[tuple[str, Held]] | Unread  # what a run holds, by journey; or why it is unread


async def in_histories(settings: Settings, client: Client, sought: Sought,
                       since: datetime | None = None, full: bool = False) -> list[Found]:
    """What each run holds of the person (the runs the server lists, started since `since`
    when given, and the archived ones, closed since), or why it could not be read."""
    query = RUNS if since is None else f"{RUNS} AND {since_query(since)}"

    def damaged(run: archive.ArchivedRun, err: Exception) -> Found:
        return Unread(workflow_id=run.workflow_id,
                      why=f"its archived run {run.run_id} could not be read: {err}")

    return await each_history(settings, client, held_in(sought, full), query=query,
                              closed_since=since.replace(tzinfo=UTC) if since else None,
                              damaged=damaged)


def since_query(since: datetime | None) -> str | None:
    return None if since is None else f"StartTime >= '{since.isoformat()}Z'"


def held_in(sought: Sought, full: bool
            ) -> Callable[[WorkflowHistory, DataConverter], Awaitable[Found]]:
    """The reader of one run's history, for `each_history`."""

    async def read(history: WorkflowHistory, converter: DataConverter) -> Found:
        try:
            return await _acts(history, converter, sought, full)
        except Exception as err:
            why = (why_unread(err, "its history") if undecodable(err) else
                   f"its run {audit.run_id(history)} could not be read: {err}")
            return Unread(workflow_id=history.workflow_id, why=why)

    return read


async def _acts(history: WorkflowHistory, converter: DataConverter, sought: Sought,
                full: bool) -> list[tuple[str, Held]]:
    started = history.events[0].workflow_execution_started_event_attributes
    source = f"run {audit.run_id(history)}"
    if started.workflow_type.name == LATE_FEEDBACK_WORKFLOW:
        late = await first_payload(converter, started.input)
        found = in_act(sought, FEEDBACK, late["feedback"], _at(history.events[0]), full) if (
            late.get("feedback")) else None
        return [] if found is None else [(late["journey_id"], Held(
            where="history", source=f"{source} of {history.workflow_id}, its input",
            **found.model_dump()))]
    if started.workflow_type.name != JOURNEY_TYPE:
        return []
    held: list[tuple[str, Held]] = []
    for event_id, request in audit.update_requests(history).items():
        event = history.events[event_id - 1]
        asked = request.input
        if asked.name not in ACTS:
            continue
        fields = await first_payload(converter, asked.args)
        if (found := in_act(sought, asked.name, fields, _at(event), full)) is not None:
            held.append((history.workflow_id, Held(
                where="history", source=f"{source}, event {event.event_id}",
                **found.model_dump())))
    return held


def _at(event: HistoryEvent) -> datetime:
    return event.event_time.ToDatetime(tzinfo=UTC)
