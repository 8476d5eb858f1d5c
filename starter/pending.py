"""Acts typed while no worker answers are kept, not lost, and delivered once one runs.

A repayment (money received), a decision, documents (their bytes in the document store, as any
upload's), or what a customer said or asked (feedback, an inquiry) that the journey did not
take because no worker polls its task queue is kept in the journey database (store/pending.py),
sealed where the archive key is set (unsealed, with a warning, where it is not), with who typed
it, from where, when, and the whole request (a feedback's comment, which never reaches SQL, set
aside beside the document store: store/pending_aside.py); `loan-journey pending deliver`, and
every worker of the journeys as it starts, sends each again under the update id it was first
sent under (starter/pending_delivery.py). The server takes an update once per id, so the first
attempt, which the server may still hold and hand to the next worker, and the delivery are
taken once; a repayment's reference keeps it from being booked twice also where the id cannot
(a run that continued as new since). A refusal by the journey's validator is no missing worker:
it stays a refusal, nothing kept.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import TypeVar, cast

from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from temporalio.client import Client

from journey.bank_reference import bank_reference
from journey.decisions import Repayment, UpdateResult
from journey.policy.calendar import moment_at
from journey.settings import Settings
from journey.status import JourneyStatus
from starter import money_references, operations
from starter.act_words import act_words
from starter.bank_clock import bank_offset
from starter.connect import connect
from starter.delivery_log import log_delivery
from starter.errors import (
    Ended,
    JourneyError,
    KeysNeeded,
    NoAnswer,
    NotFound,
    Refused,
    SetupError,
)
from starter.kept_acts import KEPT, MEANWHILE
from starter.pending_delivery import DeliveryRun, answer, deliver
from starter.pending_request import kept_request, set_aside
from starter.pending_send import sent
from starter.pending_typist import typist_allowed
from starter.pending_unbooked import unbooked
from starter.pinned_policy import listed_in_force
from starter.sentences import sentence
from store import sealed_records
from store.pending import (
    Delivery,
    Instruction,
    PendingRow,
    booked_at_last,
    keep_instruction,
    settle,
)
from store.refusals import origin
from store.seal_key import sealing_key
from store.seals import KEY_SETTING, sealed_in

log = logging.getLogger(__name__)

R = TypeVar("R", bound=BaseModel)
DELIVER = "`loan-journey pending deliver`"


class KeptUnbooked(Ended):
    """A repayment sent to a loan that had ended, kept as money received and not booked."""


async def act_or_keep(client: Client | None, settings: Settings, workflow_id: str,
                      update: str, request: BaseModel,
                      result_type: type[R] = UpdateResult,  # type: ignore[assignment]
                      ) -> R:
    """`operations.act`, under an update id of its own (without a `client`, on the settings'
    server). An act of `KEPT` that no worker took in time, or that could not be sent because
    the server cannot be reached, is kept as a pending instruction, and the `NoAnswer` or
    `SetupError` says so and how it will be delivered; unless its typist may not send it, as
    far as that is known without the journey (`typist_allowed`: `Refused`, nothing kept). A
    repayment's reference is claimed for its loan first (starter/money_references.py:
    `Refused` when another payment holds it), and released when nothing is recorded; one sent
    to a loan that has ended is answered as recorded if that loan recorded it, else kept as
    money received and not booked (`KeptUnbooked`); its reference is claimed, kept and sent in
    its normal form (journey/bank_reference.py). Staff absent from or inactive in the
    policy in force are refused first, nothing claimed, sent or kept (`listed_in_force`)."""
    if isinstance(request, Repayment):  # one spelling: claimed, kept and recorded under it
        request = request.model_copy(update={"reference": bank_reference(request.reference)})
    try:
        listed_in_force(settings, workflow_id, update, request)
    except Refused:
        if update not in CASE_ACTS:
            raise
        # named again by who may do it on this case, as far as the journey answers at once
        listed_in_force(settings, workflow_id, update, request,
                        await _case(client, settings, workflow_id))
    held = await money_references.claimed(settings, workflow_id, request)
    try:
        return await _sent_or_kept(client, settings, workflow_id, update, request, result_type)
    except (Refused, NotFound, KeysNeeded) as err:
        if not isinstance(err, KeptUnbooked):
            await money_references.released(settings, held)
        if isinstance(err, NotFound) and isinstance(request, Repayment):
            raise money_references.no_such_loan(workflow_id, request) from err
        raise


# the acts whom to ask instead of a refused actor depends on the case for (four eyes, its
# risk team, its approval tier)
CASE_ACTS = {"confirm_payment_instruction", "correct_reading", "decide", "record_risk_opinion",
             "reassign"}
CASE_READ_WITHIN = timedelta(seconds=5)  # how long a refusal waits to name them by the case


async def _case(client: Client | None, settings: Settings, workflow_id: str
                ) -> JourneyStatus | None:
    """The journey's status, answered within seconds (without a `client`, from the settings'
    server); None without an answer."""
    try:
        return await operations.status(client or await connect(settings), workflow_id,
                                       CASE_READ_WITHIN)
    except JourneyError:
        return None


async def _sent_or_kept(client: Client | None, settings: Settings, workflow_id: str,
                        update: str, request: BaseModel, result_type: type[R]) -> R:
    update_id, typed_at = str(uuid.uuid4()), datetime.now(UTC)
    act = act_words(update)  # as its typist names it

    async def kept(err: NoAnswer | SetupError | Ended, why: str
                   ) -> NoAnswer | SetupError | Ended:
        """`err` again, with what became of the act (`why`: what it was not taken for); a
        repayment to a loan that has ended (`Ended`) kept as money received and not booked."""
        if update not in KEPT:
            return err
        typist_allowed(settings, workflow_id, update, request)  # or refused: nothing kept
        actor = getattr(request, "actor", None)
        instruction = Instruction(
            workflow_id=workflow_id, update=update, update_id=update_id,
            request=kept_request(update, request), actor=actor.id if actor else "-",
            role=actor.role if actor else "-", typed_at=typed_at, origin=origin()[:200])
        try:
            await asyncio.to_thread(set_aside, settings, update, update_id, request)
            key = await asyncio.to_thread(  # None, as without, for a key not theirs
                sealing_key, settings.db_url, settings.archive_seal_key, sealed_records.KEPT)
            unsealed = key is None and await asyncio.to_thread(
                sealed_in, settings.db_url, PendingRow.seal)  # kept unsealed among sealed
            number = await asyncio.to_thread(keep_instruction, settings.db_url, instruction, key)
        except Exception as failed:  # noqa: BLE001 - any store failure: say it, lose nothing
            return type(err)(
                f"{why} What you typed ({act}) could not be kept either ({failed}): once a "
                f"worker runs, see "
                f"`loan-journey status {workflow_id}` (the server may still hand this one to "
                "it) and type it again if it is not there")
        if isinstance(err, Ended):
            said = unbooked(instruction.model_copy(update={"id": number}), err, None, settings)
            await asyncio.to_thread(settle, settings.db_url, number, Delivery.UNBOOKED, said,
                                    datetime.now(UTC))
            return KeptUnbooked(said)
        return type(err)(
            f"{why} What you typed ({act}) is kept as pending instruction {number} "
            f"({instruction.actor}, "
            f"{moment_at(typed_at, bank_offset(), seconds=True)}): a worker delivers it as it "
            f"starts, or {DELIVER} once one runs; do not type it again "
            "(`loan-journey pending list`)."
            f"{MEANWHILE.get(update, '')}"
            + (f" Warning: it is kept unsealed among sealed ones, and a worker with the "
               "archive key will not deliver it (`loan-journey records verify` reports it as "
               f"inserted): set {KEY_SETTING}, the key they were sealed "
               "with, where the command line runs and type it again."
               if unsealed else ""))

    try:
        client = client or await connect(settings)
    except KeysNeeded:
        raise
    except SetupError as err:  # the server cannot be reached: nothing sent
        raise await kept(err, sentence(str(err))) from err
    if update in KEPT:  # kept ones first, in the order typed
        try:
            before = await deliver(client, settings, workflow_id)
        except KeysNeeded as err:  # they go first: nothing sent, nothing kept
            raise KeysNeeded(f"{err}; what you typed ({act}) is not sent either, nor kept, as the "
                             f"instructions kept before it go first: type it again once "
                             f"{KEY_SETTING} is set") from None
        except SQLAlchemyError as err:  # the store cannot be read: the act goes on its own
            log.warning("pending instructions of %s not read (%s): this act is sent first",
                        workflow_id, err)
            before = DeliveryRun(settled=[])
        log_delivery(before)
        if before.stopped:
            raise await kept(NoAnswer(before.stopped), f"{workflow_id} has instructions kept "
                                                       f"before this one: {before.stopped}")
    try:
        result = await sent(client, workflow_id, update, request, result_type, update_id)
    except NoAnswer as err:
        raise await kept(err, sentence(str(err))) from err
    except Ended as err:  # money for a loan that has ended: recorded before its end, or held
        if not isinstance(request, Repayment):
            raise
        before = await money_references.recorded_before_the_end(client, workflow_id, request)
        if before is None:
            raise await kept(err, sentence(str(err))) from err
        return cast(R, before)
    if isinstance(request, Repayment):
        await asyncio.to_thread(booked_at_last, settings.db_url, workflow_id, request.reference,
                                request.amount,
                                f"booked when typed again, on {workflow_id}: {answer(result)}",
                                datetime.now(UTC))
    return result
