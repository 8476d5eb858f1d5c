"""Pending instructions delivered, oldest first, each under the update id it was first sent
under: marked delivered, refused, or unbooked (money received that still needs someone)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from temporalio.client import Client

from journey.decisions import Repayment
from journey.policy.calendar import moment_at
from journey.settings import Settings
from starter import loan_figures, money_references, operations
from starter.act_words import act_words
from starter.attempts import Attempt, keep, refusal_of, refused
from starter.bank_clock import bank_offset
from starter.errors import Ended, NoAnswer, NotFound, Refused
from starter.kept_acts import KEPT, VOTES
from starter.pending_late import AFTER_THE_END, taken_after_the_end
from starter.pending_request import dropped, whole
from starter.pending_send import as_typist
from starter.pending_unbooked import unbooked
from starter.pending_vouched import Unvouched, failing_seals, vouched_for
from starter.pinned_policy import listed_in_force
from starter.sentences import sentence
from starter.unbooked_steps import loan_of
from store.pending import Delivery, Instruction, instructions, settle
from store.pending_aside import AsideMissing
from store.refusals import Refusal


class DeliveryRun(BaseModel):
    """What one delivery did: the instructions it settled, the votes among them that do not
    count (`uncounted`), and, when it stopped because no worker answered, why (the rest stay
    pending)."""

    settled: list[Instruction]
    stopped: str = ""
    not_counted: list[Instruction] = Field(default_factory=list)

    def uncounted(self) -> str:
        """The votes delivered that do not count, named, with why; "" for none."""
        return "; ".join(
            f"pending instruction {k.id}, the vote of {k.actor} ({act_words(k.update)} on "
            f"{k.workflow_id}, typed {moment_at(k.typed_at, bank_offset(), seconds=True)}), "
            f"{k.state}: {k.outcome}" for k in self.not_counted)


async def deliver(client: Client, settings: Settings,
                  workflow_id: str | None = None) -> DeliveryRun:
    """Send each pending instruction (of the journey `workflow_id`, when given), oldest
    first, under its first update id, and mark it delivered (with the journey's answer;
    feedback or an inquiry whose journey has ended, kept beside it as one typed after the end:
    starter/pending_late.py) or refused (the refused attempt kept for auditors, as any
    refusal, also a journey that has ended or is gone, or a typist no longer listed and
    active in the policy in force: under the id it was typed for, with who typed it, when
    and where), a
    repayment unbooked: money received that still needs someone (`unbooked`); a vote set
    aside by the journey, or refused, listed as not counted as well; stop at the
    first that no worker takes in time: the rest stay pending. KeysNeeded, none delivered,
    when the archive key set is not the one they were sealed with."""
    settled: list[Instruction] = []
    not_counted: list[Instruction] = []
    waiting = await asyncio.to_thread(instructions, settings.db_url, workflow_id=workflow_id)
    key = settings.archive_seal_key  # with it, each is checked against its seal
    failing = await failing_seals(settings.db_url, key) if waiting and key is not None else {}
    for kept in waiting:
        assert kept.id is not None
        models = KEPT.get(kept.update)
        counted = True  # but a vote set aside by the journey
        try:
            if models is None:
                raise NotFound(f"{kept.update} is not an act the command line keeps")
            vouched_for(failing.get(kept.id))
            request = await _dated(client, kept, await whole(settings, kept, models[0]))
            # still listed and active: whoever left since it was typed acts no more
            await asyncio.to_thread(listed_in_force, settings, kept.workflow_id, kept.update,
                                    request)
            state = Delivery.DELIVERED
            try:
                taken = await as_typist(client, kept, request, models[1])
                outcome, counted = answer(taken), getattr(taken, "counted", True)
                if not getattr(taken, "accepted", True) and isinstance(request, Repayment):
                    # its reference held by another payment: the journey kept it not booked
                    state, outcome = Delivery.UNBOOKED, taken.message
            except Ended:  # what customers say after the end is taken there
                if isinstance(request, Repayment) and (
                        before := await money_references.recorded_before_the_end(
                            client, kept.workflow_id, request)) is not None:
                    outcome = answer(before)  # taken, and its answer lost, before the end
                elif kept.update not in AFTER_THE_END:
                    raise
                else:
                    outcome = await taken_after_the_end(client, settings, kept, request)
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
            return DeliveryRun(settled=settled, not_counted=not_counted, stopped=(
                f"pending instruction {kept.id} ({act_words(kept.update)} on "
                f"{kept.workflow_id}) is not delivered: {sentence(str(err))} It and the ones "
                "after it stay pending."))
        except AsideMissing as err:  # the comment is not lost: where it is must be set
            return DeliveryRun(settled=settled, not_counted=not_counted, stopped=(
                f"pending instruction {kept.id} cannot be delivered: {err}. It and the rest "
                "stay pending"))
        at = datetime.now(UTC)
        await asyncio.to_thread(settle, settings.db_url, kept.id, state, outcome, at)
        await asyncio.to_thread(dropped, settings, kept)
        settled.append(kept.model_copy(update={"state": state, "outcome": outcome,
                                               "settled_at": at}))
        if not counted or (state is Delivery.REFUSED and kept.update in VOTES):
            not_counted.append(settled[-1])
    return DeliveryRun(settled=settled, not_counted=not_counted)


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


def answer(result: BaseModel) -> str:
    """What the journey answered a delivered act: where it stands (a stage, or a drawdown's
    state), and its message."""
    where = getattr(result, "stage", None) or getattr(result, "state", "")
    return f"{where}: {getattr(result, 'message', '')}".strip(": ")
