"""A run reset twice on the Temporal server, held to the bank's sealed records
(starter/history_cross_check.py): each stage exit written in the part a reset threw away is
named under that reset, with the run it made to acknowledge it by; an acknowledged reset,
vouched for by its seal, settles its own exits and is told; one whose acknowledgement fails
its seal is not taken, and says to restore it; a reset that threw nothing away is told as
still to acknowledge, not a finding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from starter.history_cross_check import compared, histories_check
from starter.history_told import Acted, HistoryTold, Reset
from store.journey_sealed import Held, JourneySealed, Vouched
from store.sealed_records import ACKNOWLEDGEMENTS, STAGE_EVENTS

T0 = datetime(2026, 12, 7, 1, tzinfo=UTC)
FIRST = Reset(event_id=153, since=T0 + timedelta(minutes=10), at=T0 + timedelta(minutes=20),
              by="history-service", reason="root: first drill", base_run_id="run-0",
              run_id="run-1")
SECOND = Reset(event_id=156, since=T0 + timedelta(minutes=25), at=T0 + timedelta(minutes=30),
               by="ops-console", reason="second drill", base_run_id="run-1", run_id="run-2")


def _exit(number: int, minutes: int, actor: str) -> Held:
    row = SimpleNamespace(at=T0 + timedelta(minutes=minutes), actor=actor, outcome=None)
    return Held(row, f"stage event #{number} (exited risk_review)", Vouched.SEALED,
                STAGE_EVENTS, {})


def _acknowledged(reset: Reset, vouched: Vouched = Vouched.SEALED) -> Held:
    row = SimpleNamespace(run_id=reset.run_id, reset_event_id=reset.event_id,
                          acknowledged_by="sup-sme", why="checked with IT operations")
    return Held(row, f"acknowledgement #1 of the reset at event {reset.event_id}", vouched,
                ACKNOWLEDGEMENTS, {})


def _told(*resets: Reset) -> HistoryTold:
    return HistoryTold(
        workflow_id="loan-A", run_id="run-2", applied=None, amended=[], started_at=T0,
        ended_at=T0 + timedelta(hours=1), booked=[], noticed=[], resets=list(resets),
        acted=[Acted(update="record_risk_opinion", actor="risk-1", event_id=9,
                     task_at=T0 + timedelta(minutes=4))])


# the visit decided before both resets, then one exit in each part a reset threw away
EXITS = [_exit(3, 5, "risk-1"), _exit(7, 12, "risk-2"), _exit(9, 27, "risk-3")]


def test_each_reset_names_its_own_exits_and_the_run_to_acknowledge_it_by() -> None:
    checked = compared(_told(FIRST, SECOND), JourneySealed(None, EXITS, [], []))
    assert not checked.differs  # no decider differs: the thrown-away exits are the resets'
    first, second = checked.reset_away
    assert first.startswith("stage event #7 (exited risk_review) written in the part of the "
                            "run the reset at event 153 of loan-A run run-1 (2026-12-07 09:20 "
                            "UTC+8, reason: root: first drill) threw away"), first
    assert "records acknowledge-reset loan-A --run run-1 --as" in first
    assert second.startswith("stage event #9 (exited risk_review) written in the part of the "
                             "run the reset at event 156 of loan-A run run-2 (2026-12-07 09:30 "
                             "UTC+8, by ops-console, reason: second drill) threw away"), second
    assert "--run run-2" in second
    [finding] = histories_check([checked]).findings
    assert finding.record == "history of loan-A run run-2"
    assert finding.detail == f"{first}; {second}"


def test_an_acknowledged_reset_settles_its_own_exits_only() -> None:
    checked = compared(_told(FIRST, SECOND),
                       JourneySealed(None, EXITS, [], [], resets=[_acknowledged(SECOND)]))
    [left] = checked.reset_away
    assert "stage event #7" in left and "--run run-1" in left, left
    assert checked.resets_told == [
        "the reset at event 156 of loan-A run run-2 (2026-12-07 09:30 UTC+8, by ops-console, "
        "reason: second drill), acknowledged by sup-sme: checked with IT operations"]

    both = compared(_told(FIRST, SECOND), JourneySealed(
        None, EXITS, [], [], resets=[_acknowledged(SECOND), _acknowledged(FIRST)]))
    assert both.agrees and len(both.resets_told) == 2


def test_an_acknowledgement_failing_its_seal_is_not_taken() -> None:
    checked = compared(_told(FIRST), JourneySealed(
        None, EXITS[:2], [], [], resets=[_acknowledged(FIRST, Vouched.FAILS)]))
    [away] = checked.reset_away
    assert away.endswith("threw away: its acknowledgement (acknowledgement #1 of the reset at "
                         "event 153) fails its seal, not taken: restore it from a backup "
                         "(`records verify` names it under reset acknowledgements)"), away
    assert not checked.resets_told


def test_a_reset_that_threw_nothing_away_is_told_still_to_acknowledge() -> None:
    checked = compared(_told(SECOND), JourneySealed(None, EXITS[:1], [], []))
    assert checked.agrees
    [told] = checked.resets_told
    assert told.endswith("not acknowledged: nothing it threw away differs from the records; "
                         "`loan-journey records acknowledge-reset loan-A --run run-2 --as "
                         "<supervisor> --why ...`"), told
    assert histories_check([checked]).notes == [told]
