"""Review schedules paused outside the engine (`temporal schedule toggle --pause`, the Web UI)
on a team's work list. The list reads the journeys' search attributes, which a journey sets
from what it is told: a pause recorded (`schedules pause`, `schedules record ... paused`)
puts the loan on its risk team's queue, its reviews to run again; one made outside the
engine the journey never hears of. So the list reads the schedules too, once per listing
(list_schedules, and one visibility list of the paused ones' journeys), not a call per
journey."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.service import RPCError

from starter import schedules, work_lists
from starter.work_lists import JourneyRow
from workflows.post_loan_warnings import REVIEWS_STOPPED

ELSEWHERE_TITLE = ("loans on no team's queue whose reviews were paused outside the engine "
                   "(recorded, each is on its risk team's)")
STOPPED_SAID = "reviews stopped"  # what a journey that recorded the pause awaits (QueueWait)


async def paused_outside(client: Client) -> dict[str, JourneyRow]:
    """The running loans whose review schedule is paused and whose journey has not recorded
    it, by journey id, each listed with the schedule's note (`paused_outside`); none when the
    server does not list schedules to this client."""
    try:
        listed = await schedules.list_schedules(client)
    except RPCError:  # a key not allowed to list schedules: the list as the journeys say it
        return {}
    paused = {r.journey_id: r.note for r in listed if r.paused}
    if not paused or any("'" in j for j in paused):  # no journey id has a quote
        return {}
    ids = ", ".join(f"'{j}'" for j in sorted(paused))
    rows = await work_lists.list_journeys(
        client, f"ExecutionStatus = 'Running' AND WorkflowId IN ({ids})", limit=None)
    return {r.workflow_id: r.model_copy(update={"paused_outside": paused[r.workflow_id]})
            for r in rows if not recorded(r)}


def recorded(row: JourneyRow) -> bool:
    """The journey `row` lists its reviews stopped: on its risk team's queue for it, or for
    an open warning, awaiting its reviews to run again."""
    awaiting = row.waiting.awaiting if row.waiting is not None else None
    return row.sla == REVIEWS_STOPPED or STOPPED_SAID in (awaiting or "")


def outside_said(row: JourneyRow) -> str:
    """What a team's list says of a loan whose reviews were paused outside the engine."""
    return (f"reviews paused outside the engine (the schedule's note: "
            f"{row.paused_outside or 'none'!r}), not recorded in the loan's history: "
            f"`loan-journey schedules record {row.workflow_id} paused --as <staff id>` "
            "records it")
