"""A run's history held to the bank's sealed records the workers wrote as it ran: the
history is on the Temporal server (or in the archive), and whoever can write the Temporal
database can rewrite it there, as the sealed records cannot be without the archive key.

What is compared, each only against a row its seal vouches for (store/journey_sealed.py):

- the application its started event carries against the journey's credit exposure line:
  the amount applied for (as the run's last accepted amendment gave it, where one did, or
  the amount before while the line's keeping of it is not completed) and the credit code
  (sealed), and the applicant's name (kept on the line by `start`, outside its seal);
- each person a stage exit names as its decider (the last decision of the stage visit: a
  risk opinion, an approval, a signature, a withdrawal, a reassignment, a correction, a
  post-loan vote; a committee's every deciding vote joined by "+") against the accepted update
  that decided that visit: the last accepted update that records a decision, after the exit
  before it (the visit's start: updates accepted with it were validated at the stage before)
  and not after the exit, by the time of the workflow task each was accepted in, which is the
  time the workflow's clock read as its handler recorded the decision. An exit is held to the
  run it happened in (each run of a chain continued as new, post-loan, its own); a visit
  begun in a run before, whose part in this run holds no update that decides, was decided
  there and is not held to this run. An exit the server ended (terminated, store/ended_outside.py)
  or that names the workflow's own decider (a timer, the rules) names no person's update;
  one written in the part of the run a reset threw away (from the workflow task it reset to
  until the reset) is the run's it was reset from, whose history holds its update: not held
  to this run, but named under that reset until a supervisor acknowledges the reset as the
  bank's (store/reset_acknowledgements.py), and told as acknowledged then;
- each payout its `book_disbursement` activity booked against the ledger booking of that
  booking id: amount, payee and account;
- each notice its `notify` activities were asked to queue (completed) against the outbox
  notice of that key, which the activity wrote as asked: recipient, text, template, channel
  (where its result says it queued it; else one of that key was queued before, and is there).

A database that holds none of what the journey's workers wrote (no stage exit: one kept
apart from the journeys') has no notices of it to compare, and none are.

A difference names the fact and the places of both values, never the values. A row kept
unsealed, or that fails its seal (`records verify` names it), is not compared: skipped, and
said so.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from temporalio.client import WorkflowHistory
from temporalio.converter import DataConverter

from starter.changed_fields import facts_changed
from starter.history_told import HistoryTold, amounts_kept, told
from store.ended_outside import ENDED_OUTSIDE
from store.journey_sealed import Held, JourneySealed, Vouched, of_journey
from store.seal_findings import Finding, Found, RecordsCheck
from workflows.bookings import LEDGER
from workflows.drawdowns import RULES
from workflows.exposure import EXPOSURE_KEEPER
from workflows.exposure_now import AUTHORITY_CHECK
from workflows.info_requests import VOTE_KEEPER
from workflows.post_loan_monitoring import REVIEWER, SYSTEM
from workflows.post_loan_repricing import REPRICING
from workflows.reading_corrections import READER

RECORDS = "journeys' histories against the sealed records"
# deciders that are the workflow's own, not a person's update (an SLA's timer among them)
SYSTEM_DECIDERS = {a.id for a in (RULES, EXPOSURE_KEEPER, AUTHORITY_CHECK, VOTE_KEEPER,
                                  READER, SYSTEM, REVIEWER, REPRICING, LEDGER)} | {"sla-timer"}
# the updates that record no decision (every other update a person makes does, by the
# workflows' record_decision): none of them decides a stage visit
RECORD_NO_DECISION = {"add_documents", "add_statements", "record_repayment",
                      "request_drawdown", "record_feedback", "record_inquiry"}
# the workflow's clock and the history's event times, each read to the microsecond through
# a float or not: the same instant may differ by one
SAME_INSTANT = timedelta(microseconds=10)


@dataclass
class CrossChecked:
    workflow_id: str
    run_id: str
    differs: list[str] = field(default_factory=list)  # each fact and both its places
    lacking: int = 0  # of `differs`, the facts the history has and the records lack
    # each reset of the run not acknowledged (or whose acknowledgement fails its seal) that
    # threw away what the records keep, and what to do
    reset_away: list[str] = field(default_factory=list)
    # each reset of the run told as it stands: acknowledged, or throwing nothing away
    resets_told: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows no seal vouches for
    # what changed in each row that fails its seal, by its name (starter/changed_fields.py)
    changed: dict[str, str] = field(default_factory=dict)
    held: int = 0  # the journey's sealed rows it was held to (none: it agrees with nothing)

    @property
    def agrees(self) -> bool:
        return not self.differences

    @property
    def differences(self) -> list[str]:
        """Every way the history and the records disagree, its resets' among them."""
        return [*self.differs, *self.reset_away]


async def cross_check(url: str, key: bytes, history: WorkflowHistory,
                      converter: DataConverter) -> CrossChecked:
    """`history` against its journey's sealed records (with `key`, the archive key)."""
    said = await told(history, converter)
    sealed = await asyncio.to_thread(of_journey, url, key, history.workflow_id)
    checked = compared(said, sealed)
    checked.changed = facts_changed(key, said, sealed,
                                    lambda row: bool(unnamed_deciders(said, row)))
    return checked


def compared(said: HistoryTold, sealed: JourneySealed) -> CrossChecked:
    checked = CrossChecked(said.workflow_id, said.run_id,
                           held=(sealed.line is not None) + len(sealed.exits)
                           + len(sealed.bookings))
    _application(checked, said, sealed.line)
    _resets(checked, said, sealed.resets, _deciders(checked, said, sealed.exits))
    _bookings(checked, said, sealed.bookings)
    if sealed.workers_here:
        _notices(checked, said, sealed.notices)
    return checked


def _usable(checked: CrossChecked, held: Held) -> bool:
    """Whether `held` can be compared; if not, it is said skipped."""
    if held.vouched is Vouched.SEALED:
        return True
    checked.skipped.append(f"{held.name}: {held.vouched.value}, not compared")
    return False


def _application(checked: CrossChecked, said: HistoryTold, line: Held | None) -> None:
    if said.applied is None or line is None or not _usable(checked, line):
        return
    place = f"the application in the history's started event (event 1) of run {said.run_id}"
    row = line.row
    if row.amount not in amounts_kept(said):
        amended = (f" as amended at event {said.amended[-1].event_id}" if said.amended
                   else "")
        checked.differs.append(f"amount differs: {place}{amended} against {line.name}")
    if said.applied.credit_code != row.credit_code:
        checked.differs.append(f"credit code differs: {place} against {line.name}")
    if row.applicant_name is not None and said.applied.applicant_name != row.applicant_name:
        checked.differs.append(f"applicant differs: {place} against {line.name} (its "
                               "applicant_name, which its seal does not cover)")


def _resets(checked: CrossChecked, said: HistoryTold, kept: list[Held],
            thrown: dict[int, list[str]]) -> None:
    """Each reset of the run as it stands: acknowledged by a supervisor (its acknowledgement
    vouched for by its seal, store/reset_acknowledgements.py), told; not, where it threw away
    stage exits the records keep (`thrown`, by its event), a difference that says what to do;
    not, and throwing nothing away, told too, as one still to acknowledge."""
    by_reset = {(h.row.run_id, h.row.reset_event_id): h for h in kept}
    for r in said.resets:
        named, away = r.said(said.workflow_id), thrown.get(r.event_id, [])
        held = by_reset.get((r.run_id, r.event_id))
        if held is not None and held.vouched is Vouched.SEALED:
            checked.resets_told.append(f"{named}, acknowledged by {held.row.acknowledged_by}: "
                                       f"{held.row.why}")
            continue
        acknowledge = (f"`loan-journey records acknowledge-reset {said.workflow_id} --run "
                       f"{r.run_id} --as <supervisor> --why ...`")
        if not away:
            checked.resets_told.append(f"{named}, not acknowledged: nothing it threw away "
                                       f"differs from the records; {acknowledge}")
        elif held is not None:
            checked.reset_away.append(
                f"{', '.join(away)} written in the part of the run {named} threw away: its "
                f"acknowledgement ({held.name}) {held.vouched.value}, not taken: restore it "
                "from a backup (`records verify` names it under reset acknowledgements)")
        else:
            checked.reset_away.append(
                f"{', '.join(away)} written in the part of the run {named} threw away, by the "
                "run it was reset from (whose history holds its decisions): check that reset "
                "with whoever made it; if the bank made it, a supervisor acknowledges it "
                f"({acknowledge}); if nobody at the bank did, restore the Temporal database "
                "from a backup")


def _deciders(checked: CrossChecked, said: HistoryTold, exits: list[Held]
              ) -> dict[int, list[str]]:
    """Each stage exit held to the update that decided its visit; one written in the part of
    the run a reset threw away is the run's it was reset from (its history holds that
    update), not held to this one: returned by the reset's event."""
    run = said.run_id
    thrown: dict[int, list[str]] = {}
    began: datetime | None = None  # the visit of the exit in hand began as the one before ended
    for held in exits:
        if (reset := next((r for r in said.resets
                           if r.threw_away(held.row.at, SAME_INSTANT)), None)) is not None:
            thrown.setdefault(reset.event_id, []).append(held.name)
            continue
        row, since, began = held.row, began, held.row.at
        if (not _a_persons(row) or not said.started_at - SAME_INSTANT <= row.at
                <= said.ended_at + SAME_INSTANT or not _usable(checked, held)):
            continue
        made = [a for a in said.acted if a.update not in RECORD_NO_DECISION
                and (since is None or a.task_at > since + SAME_INSTANT)
                and a.task_at <= row.at + SAME_INSTANT]
        whole = since is None or since >= said.started_at - SAME_INSTANT  # begun in this run
        if not made and not whole:
            continue  # decided in a run before this one, which holds its update
        deciders = row.actor.split("+")
        if made and made[-1].actor not in deciders:
            checked.differs.append(
                f"decider differs: {held.name} names a decider other than the accepted update "
                f"that decided its visit (event {made[-1].event_id} of run {run}, the last of "
                "the visit that records a decision)")
        elif not made or (whole and not set(deciders) <= {a.actor for a in made}):
            checked.differs.append(
                f"decider differs: {held.name} names a decider that no accepted update of run "
                f"{run} made in its visit ({len(made)} accepted update(s) that record a "
                "decision)")
    return thrown


def _a_persons(row: Any) -> bool:
    """Whether a stage exit names a person's decision: the last decision of its visit made by
    an update, not the workflow's own nor the server's end of the run."""
    return bool(row.actor) and row.outcome != ENDED_OUTSIDE and not any(
        d in SYSTEM_DECIDERS for d in row.actor.split("+"))


def unnamed_deciders(said: HistoryTold, row: Any) -> list[str]:
    """The deciders the stage exit `row` names as a person's decision that no accepted update
    of the run names (where records verify reads an actor its seal may confirm)."""
    if not _a_persons(row):
        return []
    named = {a.actor for a in said.acted}
    return [d for d in row.actor.split("+") if d not in named]


def _bookings(checked: CrossChecked, said: HistoryTold, bookings: list[Held]) -> None:
    by_id = {h.row.booking_id: h for h in bookings}
    for booked in said.booked:
        place = f"the payout booked at event {booked.event_id} of run {said.run_id}"
        held = by_id.get(booked.booking_id)
        if held is None:
            checked.differs.append(f"payout differs: {place} has no ledger booking of its "
                                   "booking id (ledger_bookings)")
            checked.lacking += 1
            continue
        _compared(checked, place, held, [("payout amount", booked.amount, held.row.amount),
                                         ("payee", booked.payee, held.row.payee),
                                         ("payout account", booked.account,
                                          held.row.account)])


def _notices(checked: CrossChecked, said: HistoryTold, notices: list[Held]) -> None:
    by_key = {h.row.key: h for h in notices}
    for noticed in said.noticed:
        place = (f"the notice its notify activity was asked to queue at event "
                 f"{noticed.event_id} of run {said.run_id}")
        held = by_key.get(noticed.key)
        if held is None:
            checked.differs.append(f"notice differs: {place} has no outbox notice of its key "
                                   "(outbox)")
            checked.lacking += 1
            continue
        if not noticed.queued:
            continue  # one of its key was queued before it (compared as that one's): not this
        row = held.row
        _compared(checked, place, held, [
            ("notice recipient", noticed.recipient, row.recipient),
            ("notice text", noticed.body, row.body),
            ("notice template", noticed.template, row.template),
            ("notice channel", noticed.channel, row.channel)])


def _compared(checked: CrossChecked, place: str, held: Held,
              facts: list[tuple[str, Any, Any]]) -> None:
    """Each fact as the history told it against `held`'s, where its seal vouches for it."""
    if not _usable(checked, held):
        return
    checked.differs += [f"{fact} differs: {place} against {held.name}"
                        for fact, told, kept in facts if told != kept]


def histories_check(crossed: list[CrossChecked]) -> RecordsCheck:
    """`records verify`'s finding for each history that disagrees (the rows not compared are
    its chains' own findings, unsealed or failing their seals), with what likely made it; and
    its resets, each told once (a reset's event is in every run made from the run it made)."""
    return RecordsCheck(records=RECORDS, rows=len(crossed), findings=[
        Finding(record=f"history of {c.workflow_id} run {c.run_id}", found=Found.CHANGED,
                detail="; ".join(([f"{'; '.join(c.differs)}: {_likely(c)}"] if c.differs
                                  else []) + c.reset_away))
        for c in crossed if not c.agrees],
        notes=list(dict.fromkeys(t for c in crossed for t in c.resets_told)))


def _likely(c: CrossChecked) -> str:
    """What likely made `c` disagree, and what to do. Only payouts and notices the records
    lack: the journey database is older than the history (restored alone from an older
    backup), not the history changed; restoring the Temporal database would lose what the
    history holds of money really paid."""
    if c.lacking == len(c.differs):
        return ("the journey database lacks what the history says the workers wrote: it was "
                "restored from a backup older than the Temporal database's, or those rows "
                "were deleted; do not restore the Temporal database: restore the journey "
                "database and the documents from the backup set the Temporal database's was "
                "taken with (docker/README.md, \"Backups and restore\"), or check each "
                "payout against the ledger")
    if c.reset_away:
        return ("the run was reset on the Temporal server (below): the records keep what the "
                "workers wrote in the run before its reset; check that reset with whoever "
                "made it; if nobody at the bank did, restore the Temporal database from a "
                "backup")
    return ("the history on the Temporal server (or the archive's copy) was changed outside "
            "the engine, the sealed records not: restore the Temporal database from a backup")
