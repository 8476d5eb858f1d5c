"""How a kept act is sent, when typed and at delivery: as which update (documents by where the
journey stands then), deciding which drawdown (one typed without its tranche: the one waiting
then), and, delivered, in whose name (its typist's, in the journey's history) and again while
its journey is still opening."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from temporalio.client import Client

from journey.drawdowns import DrawdownDecision, DrawdownState
from journey.status import JourneyStatus
from starter import operations
from starter.act_words import act_words
from starter.connect import speaking_for
from starter.errors import NoAnswer, Refused
from store.pending import Instruction
from store.refusals import origin

R = TypeVar("R", bound=BaseModel)
# Documents typed for a journey: kept under this name, sent as where the journey stands then
# says (`documents_update`), whenever that is.
DOCUMENTS = "add_documents"


def documents_update(now: JourneyStatus) -> str:
    """The update documents go by to a journey as status `now` shows it: a reviewed loan's
    (running, or a project that has drawn) are its newer statements, which its next review
    reads; before, supplements to the application."""
    return "add_statements" if now.reviewed() else "add_documents"


async def sent_as(client: Client, workflow_id: str, update: str) -> str:
    """The update an act is sent as: documents as where the journey stands now says (its
    status, which a worker answers: `NoAnswer` without one), any other act as named."""
    if update != DOCUMENTS:
        return update
    now = await operations.status(client, workflow_id, within=operations.ANSWER_WITHIN)
    return documents_update(now)


def waiting_tranche(current: JourneyStatus) -> str:
    """The tranche of the drawdown that waits for a decision (the latest), or `Refused`."""
    waiting = [d for d in current.drawdowns if d.state is DrawdownState.AWAITING_DECISION]
    if not waiting:
        raise Refused(f"no drawdown of {current.workflow_id} waits for a decision")
    return waiting[-1].request.tranche_id


async def decided_on(client: Client, workflow_id: str, request: BaseModel) -> BaseModel:
    """The request as sent: a drawdown decision typed without its tranche decides the one
    waiting when it is sent (the journey's status, which a worker answers: `NoAnswer` without
    one; `Refused` when none waits), any other as typed."""
    if not isinstance(request, DrawdownDecision) or request.tranche_id:
        return request
    now = await operations.status(client, workflow_id, within=operations.ANSWER_WITHIN)
    return request.model_copy(update={"tranche_id": waiting_tranche(now)})


async def sent(client: Client, workflow_id: str, update: str, request: BaseModel,
               result_type: type[R], update_id: str) -> R:
    """`operations.act` under `update_id`, as `sent_as` and `decided_on` say; no answer in
    time is a `NoAnswer` that says why only (what becomes of the act, its sender says: kept)."""
    body = await decided_on(client, workflow_id, request)
    update = await sent_as(client, workflow_id, update)
    try:
        return await operations.act(client, workflow_id, update, body, result_type,
                                    within=operations.ANSWER_WITHIN, update_id=update_id)
    except NoAnswer as err:
        raise NoAnswer(f"{workflow_id} did not take the {act_words(update)} within "
                       f"{operations.ANSWER_WITHIN.total_seconds():g} s: "
                       f"{operations.NO_WORKER}") from err


def typed_by(kept: Instruction) -> str:
    """The identity a kept instruction is delivered under, in the journey's history: whom
    and when it was typed by, and who delivers it."""
    return (f"pending #{kept.id} typed by {kept.origin} at {kept.typed_at:%Y-%m-%dT%H:%M:%SZ}, "
            f"delivered by {origin()}")


async def as_typist(client: Client, kept: Instruction, request: BaseModel,
                    result_type: type[BaseModel]) -> BaseModel:
    """Send a kept instruction under its first update id, in its typist's name. A journey
    still opening (begun while no worker ran: the worker that delivers has not run its first
    task yet) refuses it for now only: `operations.act` sends it again a few times, then it
    stays pending (`NoAnswer`), never refused for that."""
    try:
        return await sent(await speaking_for(client, typed_by(kept)), kept.workflow_id,
                          kept.update, request, result_type, kept.update_id)
    except Refused as err:
        if not operations.still_opening(err.__cause__):
            raise
        raise NoAnswer(f"{kept.workflow_id} is still opening: its first task has not "
                       f"run: {operations.NO_WORKER}") from err
