"""How a kept act is sent, when typed and at delivery: as which update (documents by where the
journey stands then), and, delivered, in whose name (its typist's, in the journey's history)
and again while its journey is still opening."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError

from journey.policy import NotOpenYet
from journey.stages import Stage
from starter import operations
from starter.connect import speaking_for
from starter.errors import NoAnswer, Refused
from store.pending import Instruction
from store.refusals import origin

# Documents typed for a journey: kept under this name, sent as where the journey stands then
# says (`documents_update`), whenever that is.
DOCUMENTS = "add_documents"
OPENING_WAITS = (0.2, 0.5, 1.0, 2.0)  # seconds before each delivery again to a journey opening


def documents_update(stage: Stage) -> str:
    """The update documents go by to a journey at `stage`: a running loan's are its newer
    statements, which its next review reads; before, supplements to the application."""
    return "add_statements" if stage is Stage.POST_LOAN else "add_documents"


async def sent_as(client: Client, workflow_id: str, update: str) -> str:
    """The update an act is sent as: documents as where the journey stands now says (its
    status, which a worker answers: `NoAnswer` without one), any other act as named."""
    if update != DOCUMENTS:
        return update
    now = await operations.status(client, workflow_id, within=operations.ANSWER_WITHIN)
    return documents_update(now.stage)


def typed_by(kept: Instruction) -> str:
    """The identity a kept instruction is delivered under, in the journey's history: whom
    and when it was typed by, and who delivers it."""
    return (f"pending #{kept.id} typed by {kept.origin} at {kept.typed_at:%Y-%m-%dT%H:%M:%SZ}, "
            f"delivered by {origin()}")


async def as_typist(client: Client, kept: Instruction, request: BaseModel,
                    result_type: type[BaseModel]) -> BaseModel:
    """Send a kept instruction under its first update id, in its typist's name. A journey
    still opening (begun while no worker ran: the worker that delivers has not run its first
    task yet) refuses it for now only: it is sent again a few times, then it stays pending
    (`NoAnswer`), never refused for that."""
    waits = iter(OPENING_WAITS)
    while True:
        try:
            return await operations.act(
                await speaking_for(client, typed_by(kept)), kept.workflow_id,
                await sent_as(client, kept.workflow_id, kept.update), request, result_type,
                within=operations.ANSWER_WITHIN, update_id=kept.update_id)
        except Refused as err:
            failed = err.__cause__
            if not (isinstance(failed, WorkflowUpdateFailedError)
                    and getattr(failed.cause, "type", None) == NotOpenYet.__name__):
                raise
            if (wait := next(waits, None)) is None:
                raise NoAnswer(f"{kept.workflow_id} is still opening: its first task has not "
                               f"run ({operations.NO_WORKER})") from err
        await asyncio.sleep(wait)
