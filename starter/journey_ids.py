"""A journey's id as an operator types it: trimmed of the spaces a copy from a table or a
notice brings, and, when no journey has it, the ids it may have meant: the journey of an
application typed by its own id (`start` names it `loan-<application id>`, as notices say
"your application APP-..."), or a near miss of a journey's id."""

from __future__ import annotations

import difflib

from temporalio.client import Client
from temporalio.service import RPCError

from starter.errors import NotFound

# Every journey run, as the server's visibility is asked for them (the workflow's type).
JOURNEYS = "WorkflowType = 'LoanJourneyWorkflow'"
# The newest journeys among whose ids a near miss is looked for: enough for a bank's
# open cases and more, and one visibility read of the server at most.
MEANT_AMONG = 5000
# How alike a typed id and a journey's must be to be offered (difflib's ratio): one or two
# characters off an id of ten or more ("loan-APP-OPS-1" for "loan-APP-OPS-01").
ALIKE = 0.85


def journey_id(application_id: str) -> str:
    """Stable, readable workflow ids: the same in the CLI, the Web UI and `temporal`."""
    return f"loan-{application_id}"


def typed(text: str) -> str:
    """The id as typed, without the spaces (and the ideographic space) around it."""
    return text.strip(" \t\r\n\u3000")


async def meant(client: Client, workflow_id: str, err: NotFound) -> NotFound:
    """A new `err` (no journey `workflow_id`), saying which journeys it may have meant, if
    any (a new one: `err` is its cause)."""
    try:
        ids = [w.id async for w in client.list_workflows(JOURNEYS, limit=MEANT_AMONG)]
    except RPCError:  # the id is unknown all the same: say that, not why no list came
        ids = []
    wrapped = journey_id(workflow_id)
    near = [wrapped] if wrapped in ids else []
    near += [i for i in difflib.get_close_matches(workflow_id, ids, n=3, cutoff=ALIKE)
             if i not in near]
    hint = f" (did you mean {' or '.join(near)}?)" if near else ""
    return NotFound(f"{err}{hint}", err.attempt)
