"""Acts typed while no worker answers are kept, not lost, and delivered once one runs.

A repayment (money received), a decision, documents (their bytes in the document store, as any
upload's), or what a customer said or asked (feedback, an inquiry) that the journey did not
take because no worker polls its task queue is kept in the journey database (store/pending.py),
sealed where the archive key is set (unsealed, with a warning, where it is not), with who typed
it, from where, when, and the whole request (a feedback's comment, which never reaches SQL, set
aside beside the document store: store/pending_aside.py); `loan-journey pending deliver`, and
every worker of the journeys as it starts, sends each again under the update id it was first
sent under. The server takes an update once per id, so the first attempt, which the server may
still hold and hand to the next worker, and the delivery are taken once; a repayment's
reference keeps it from being booked twice also where the id cannot (a run that continued as
new since). A refusal by the journey's validator is no missing worker: it stays a refusal,
nothing kept.
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

from journey.decisions import (
    AddDocuments,
    ApprovalDecision,
    Reassignment,
    Repayment,
    RiskOpinion,
    Signature,
    UpdateResult,
    Withdrawal,
    WriteOff,
    WrittenAnswer,
)
from journey.drawdowns import DrawdownDecision, DrawdownOutcome, DrawdownRequest
from journey.entrusted_payment import PaymentConfirmation, PaymentInstruction
from journey.fee_waiver import FeeWaiver
from journey.post_loan_warnings import AcknowledgeWarning
from journey.reading_corrections import ReadingCorrection
from journey.repayment import money
from journey.settings import Settings
from journey.status import JourneyStatus
from journey.touchpoints import Feedback, Inquiry
from starter import loan_figures, money_references, operations
from starter.attempts import Attempt, keep, refusal_of, refused
from starter.connect import connect
from starter.errors import (
    Ended,
    JourneyError,
    KeysNeeded,
    NoAnswer,
    NotFound,
    Refused,
    SetupError,
)
from starter.pending_late import AFTER_THE_END, taken_after_the_end
from starter.pending_request import dropped, kept_request, set_aside, whole
from starter.pending_send import as_typist, sent
from starter.pending_typist import typist_allowed
from starter.pinned_policy import listed_in_force
from starter.unbooked_steps import booking, loan_of, on_its_loan
from store import record_seals
from store.pending import (
    Delivery,
    Instruction,
    PendingRow,
    booked_at_last,
    instructions,
    keep_instruction,
    settle,
)
from store.pending_aside import AsideMissing
from store.record_seals import Finding, instructions_failing, sealing_key
from store.refusals import Refusal, origin
from store.seals import KEY_SETTING, WrongKey, sealed_in

log = logging.getLogger(__name__)

R = TypeVar("R", bound=BaseModel)
# The acts people type, kept when no worker takes them: money, decisions, documents, and what
# customers say and ask; each update's input, and what it answers.
KEPT: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    "record_repayment": (Repayment, UpdateResult),
    "record_risk_opinion": (RiskOpinion, UpdateResult),
    "decide": (ApprovalDecision, UpdateResult),
    "answer_question": (WrittenAnswer, UpdateResult),
    "sign": (Signature, UpdateResult),
    "withdraw": (Withdrawal, UpdateResult),
    "reassign": (Reassignment, UpdateResult),
    "correct_reading": (ReadingCorrection, UpdateResult),
    "acknowledge_warning": (AcknowledgeWarning, UpdateResult),
    "write_off": (WriteOff, UpdateResult),
    "record_payment_instruction": (PaymentInstruction, UpdateResult),
    "confirm_payment_instruction": (PaymentConfirmation, UpdateResult),
    "request_drawdown": (DrawdownRequest, DrawdownOutcome),
    "decide_drawdown": (DrawdownDecision, DrawdownOutcome),
    "waive_commitment_fee": (FeeWaiver, UpdateResult),
    "add_documents": (AddDocuments, UpdateResult),  # DOCUMENTS: sent as `sent_as` says
    "record_feedback": (Feedback, UpdateResult),
    "record_inquiry": (Inquiry, UpdateResult),
}
# What a kept act's typist is told besides: an inquiry waits for its answer.
MEANWHILE = {
    "record_inquiry": " Tell the customer the inquiry is taken and answered, with where the "
                      "loan stands, once a worker takes it: the delivery prints the answer",
}
DELIVER = "`loan-journey pending deliver`"


class DeliveryRun(BaseModel):
    """What one delivery did: the instructions it settled, and, when it stopped because no
    worker answered, why (the rest stay pending)."""

    settled: list[Instruction]
    stopped: str = ""


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
    money received and not booked (`KeptUnbooked`). Staff absent from or inactive in the
    policy in force are refused first, nothing claimed, sent or kept (`listed_in_force`)."""
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
        raise


# the acts whom to ask instead of a refused actor depends on the case for (four eyes)
CASE_ACTS = {"confirm_payment_instruction", "correct_reading", "decide"}


async def _case(client: Client | None, settings: Settings, workflow_id: str
                ) -> JourneyStatus | None:
    """The journey's status, answered within seconds (without a `client`, from the settings'
    server); None without an answer."""
    try:
        return await operations.status(client or await connect(settings), workflow_id,
                                       timedelta(seconds=5))
    except JourneyError:
        return None


async def _sent_or_kept(client: Client | None, settings: Settings, workflow_id: str,
                        update: str, request: BaseModel, result_type: type[R]) -> R:
    update_id, typed_at = str(uuid.uuid4()), datetime.now(UTC)

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
                sealing_key, settings.db_url, settings.archive_seal_key, record_seals.KEPT)
            unsealed = key is None and await asyncio.to_thread(
                sealed_in, settings.db_url, PendingRow.seal)  # kept unsealed among sealed
            number = await asyncio.to_thread(keep_instruction, settings.db_url, instruction, key)
        except Exception as failed:  # noqa: BLE001 - any store failure: say it, lose nothing
            return type(err)(
                f"{why} This {update} could not be kept either ({failed}): once a worker runs, see "
                f"`loan-journey status {workflow_id}` (the server may still hand this one to "
                "it) and type it again if it is not there")
        if isinstance(err, Ended):
            said = unbooked(instruction.model_copy(update={"id": number}), err, None, settings)
            await asyncio.to_thread(settle, settings.db_url, number, Delivery.UNBOOKED, said,
                                    datetime.now(UTC))
            return KeptUnbooked(said)
        return type(err)(
            f"{why} This {update} is kept as pending instruction {number} ({instruction.actor}, "
            f"{typed_at:%Y-%m-%d %H:%M:%S} UTC): a worker delivers it as it starts, or "
            f"{DELIVER} once one runs; do not type it again (`loan-journey pending list`)."
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
            raise KeysNeeded(f"{err}; this {update} is not sent either, nor kept, as the "
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
                                f"booked when typed again, on {workflow_id}: {_answer(result)}",
                                datetime.now(UTC))
    return result


async def deliver(client: Client, settings: Settings,
                  workflow_id: str | None = None) -> DeliveryRun:
    """Send each pending instruction (of the journey `workflow_id`, when given), oldest
    first, under its first update id, and mark it delivered (with the journey's answer;
    feedback or an inquiry whose journey has ended, kept beside it as one typed after the end:
    starter/pending_late.py) or refused (the refused attempt kept for auditors, as any
    refusal, also a journey that has ended or is gone: under the id it was typed for, with
    who typed it, when and where), a
    repayment unbooked: money received that still needs someone (`unbooked`); stop at the
    first that no worker takes in time: the rest stay pending. KeysNeeded, none delivered,
    when the archive key set is not the one they were sealed with."""
    settled: list[Instruction] = []
    waiting = await asyncio.to_thread(instructions, settings.db_url, workflow_id=workflow_id)
    key = settings.archive_seal_key  # with it, each is checked against its seal
    failing = await _failing(settings.db_url, key) if waiting and key is not None else {}
    for kept in waiting:
        assert kept.id is not None
        models = KEPT.get(kept.update)
        try:
            if models is None:
                raise NotFound(f"{kept.update} is not an act the command line keeps")
            vouched_for(failing.get(kept.id))
            request = await _dated(client, kept, await whole(settings, kept, models[0]))
            try:
                outcome = _answer(await as_typist(client, kept, request, models[1]))
            except Ended:  # what customers say after the end is taken there
                if isinstance(request, Repayment) and (
                        before := await money_references.recorded_before_the_end(
                            client, kept.workflow_id, request)) is not None:
                    outcome = _answer(before)  # taken, and its answer lost, before the end
                elif kept.update not in AFTER_THE_END:
                    raise
                else:
                    outcome = await taken_after_the_end(client, settings, kept, request)
            state = Delivery.DELIVERED
        except (Refused, NotFound) as err:  # Ended is a Refused
            keep(_as_typed(refused(err) or refusal_of(
                Attempt(kept.workflow_id, kept.update, kept.actor, kept.role), str(err)), kept))
            state, outcome = Delivery.REFUSED, str(err)
            if kept.update == "record_repayment" and not isinstance(err, Unvouched):
                # refused, ended, or no such journey: money received and not booked
                loan = (None if isinstance(err, (Ended, NotFound))
                        else await loan_of(client, kept.workflow_id))
                state, outcome = Delivery.UNBOOKED, unbooked(kept, err, loan, settings)
        except NoAnswer as err:
            return DeliveryRun(settled=settled, stopped=(
                f"pending instruction {kept.id} ({kept.update} on {kept.workflow_id}) is not "
                f"delivered: {sentence(str(err))} It and the ones after it stay pending."))
        except AsideMissing as err:  # the comment is not lost: where it is must be set
            return DeliveryRun(settled=settled, stopped=f"pending instruction {kept.id} cannot "
                                                        f"be delivered: {err}. It and the rest "
                                                        "stay pending")
        at = datetime.now(UTC)
        await asyncio.to_thread(settle, settings.db_url, kept.id, state, outcome, at)
        await asyncio.to_thread(dropped, settings, kept)
        settled.append(kept.model_copy(update={"state": state, "outcome": outcome,
                                               "settled_at": at}))
    return DeliveryRun(settled=settled)


async def _failing(url: str, key: bytes) -> dict[int, Finding]:
    """Each pending instruction that fails its seal (`instructions_failing`); KeysNeeded,
    none delivered and none refused, when the key is not the one they were sealed with: a
    wrong key, not a forgery, and each stays pending for a delivery with the right one."""
    try:
        return await asyncio.to_thread(instructions_failing, url, key)
    except WrongKey as err:
        raise KeysNeeded(f"no pending instruction delivered, each stays pending: {err}"
                         ) from None


class Unvouched(Refused):
    """A kept instruction that fails its seal: it is not delivered."""


def vouched_for(broken: Finding | None) -> None:
    """`Unvouched` when a kept instruction fails its seal as `records verify` checks it
    (`broken`, with the archive key): changed since it was kept, or kept unsealed after
    sealing began (written into the database, or by a command line without the key).
    Without the key, or kept before sealing began, there is nothing to check it against."""
    if broken is not None:
        raise Unvouched(
            f"not delivered: it fails its seal ({broken.found.value}: {broken.detail}); if it "
            f"was typed, type it again where {KEY_SETTING} is set, and see `loan-journey "
            "records verify`")


def unbooked(kept: Instruction, err: Refused | NotFound, loan: JourneyStatus | None,
             settings: Settings) -> str:
    """What a repayment refused at delivery (`err`) needs: money was received and is not
    booked; the steps that settle it, and only those: booked on the loan it pays, where its
    journey has ended or never was; booked on its journey, of status `loan` (None: not read),
    as that journey takes it (starter/unbooked_steps.py); or returned to the payer (`pending
    return`)."""
    paid = Repayment.model_validate_json(kept.request)
    wid, gone = kept.workflow_id, isinstance(err, (Ended, NotFound))
    steps = [f"if it pays another loan, book it there (`loan-journey repay <journey> "
             f"{booking(paid, paid.paid_on)}`)"] if gone else []
    if loan is not None:
        steps += on_its_loan(loan, paid, kept.typed_at, settings)
    steps.append(f"return it to the payer and record that (`loan-journey pending return "
                 f"{kept.id} --as <operations> --reason ... --reference <the return's>`)")
    shown = "`loan-journey pending list`" + ("" if isinstance(err, NotFound) else
                                             f" and `loan-journey status {wid}`")
    return (f"{sentence(str(err))} NOT BOOKED: {money(paid.amount)} received under "
            f"{paid.reference} needs action: {'; or '.join(steps)}. {shown} show it until then")


def _as_typed(refusal: Refusal, kept: Instruction) -> Refusal:
    """A refusal met at delivery as auditors keep it: typed by whom, from where and when the
    instruction was, and when and by whom it was delivered."""
    return refusal.model_copy(update={
        "origin": kept.origin, "at": kept.typed_at,
        "reason": f"{refusal.reason} (pending instruction {kept.id}, delivered "
                  f"{refusal.at:%Y-%m-%d %H:%M:%S} UTC by {refusal.origin})"})


async def _dated(client: Client, kept: Instruction, request: BaseModel) -> BaseModel:
    """A kept repayment as delivered: paid on the day it was typed (by the loan's days), not
    the day it is delivered, when it names no day itself: money received while no worker ran
    is not late for it. (Where the server still holds the first attempt, sent without a
    day, that one is taken, under the same update id: the day the journey took it.)"""
    if not isinstance(request, Repayment) or request.paid_on is not None:
        return request
    typed_on = loan_figures.loan_day(await operations.status(client, kept.workflow_id),
                                     kept.typed_at)
    return request.model_copy(update={"paid_on": typed_on})


def _answer(result: BaseModel) -> str:
    """What the journey answered a delivered act: where it stands (a stage, or a drawdown's
    state), and its message."""
    where = getattr(result, "stage", None) or getattr(result, "state", "")
    return f"{where}: {getattr(result, 'message', '')}".strip(": ")


async def deliver_on_start(client: Client, settings: Settings) -> None:
    """A worker of the journeys, once it polls, delivers what was kept while none ran; what
    it cannot deliver stays pending, and is logged, never ending the worker."""
    try:
        done = await deliver(client, settings)
    except KeysNeeded as err:  # the worker's archive key: said, the instructions stay kept
        log.error("pending instructions not delivered: %s", err)
        return
    except Exception:  # noqa: BLE001 - the worker runs on; the instructions stay kept
        log.exception("pending instructions not delivered: `loan-journey pending deliver`")
        return
    log_delivery(done)
    if done.stopped:
        log.warning("pending instructions: %s", done.stopped)


def sentence(text: str) -> str:
    """`text` ending as a sentence does (a full stop, unless it ends with one, a question or
    an exclamation mark), so that another may follow it."""
    return text if text.endswith((".", "?", "!")) else f"{text}."


# how loud a delivery's outcome is logged: money received needs someone; an act refused was
# not taken, and its typist must act again; what was taken is news only
LOUDNESS = {Delivery.UNBOOKED: logging.ERROR, Delivery.REFUSED: logging.WARNING}


def log_delivery(done: DeliveryRun) -> None:
    """Log what a delivery settled (on a command line's stderr too, from warnings up): a
    repayment left unbooked as an error, an act refused as a warning with who typed it."""
    for kept in done.settled:
        log.log(LOUDNESS.get(kept.state, logging.INFO),
                "pending instruction %s (%s on %s, typed by %s as %s) %s: %s", kept.id,
                kept.update, kept.workflow_id, kept.actor, kept.role, kept.state,
                kept.outcome)
