"""`loan-journey records verify|seal|rebuild-events|acknowledge-reset`: the bank's own records
(LPR fixings with their corrections, refused attempts, pending instructions, money returned to
its payers, ledger bookings, credit exposures, outbox notices) checked against their seals, and
those kept before the key sealed by a supervisor (starter/records.py); the stage events, the
document store and the recorded policies, which are not sealed, checked by their numbering and
their digests; the stage events a journey's history holds and the database lacks written from
it; and a supervisor's acknowledgement of a reset the bank made on the Temporal server."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from journey.actors import Actor, Role
from journey.settings import Settings
from starter import records
from starter.attempts import Attempt, acting
from starter.boundary import run
from starter.errors import KeysNeeded
from starter.history_timing import numbered
from starter.journey_cli import As, JourneyId, RoleOpt
from starter.journey_ids import typed
from starter.terminal import wide_console
from store.chain_anchors import Anchored
from store.seal_findings import Finding, Found, RecordsCheck
from store.seals import KEY_SETTING
from store.unsealed_rows import Sealed

console = wide_console()
records_app = typer.Typer(
    help="The bank's own records (LPR fixings, refused attempts, pending instructions, money "
         "returned to payers, ledger bookings, credit exposures, outbox notices), sealed with "
         "the archive key; the stage events and stored documents checked beside them.",
    no_args_is_help=True,
)


@records_app.command("verify")
def verify(
    offline: Annotated[
        bool, typer.Option("--offline", help="do not ask the server (when it cannot be reached)"
                                             " for the chains' anchor: the newest rows' deletion"
                                             " then goes unseen")
    ] = False,
) -> None:
    """Check the LPR fixings with their corrections, the refused attempts, the pending
    instructions (as typed), the money returned to its payers, the ledger bookings, the
    credit exposures and the outbox notices against their seals: each row changed, inserted
    or deleted in the database is named, and an instruction marked returned whose return is
    not recorded; rows kept before the key are listed as unsealed, vouched for by no seal.
    The stage events are checked by each journey's numbering (events deleted, a time moved
    back) and against its history (its newest events lost: `records rebuild-events` writes
    them), the document store by each blob's digest (a scan replaced) and each read
    document's presence, and the policies the workers recorded by their texts' digests (a
    text changed in the database). Exit 1 on any, as `archive verify` on an
    unsealed run. Needs LOAN_JOURNEY_ARCHIVE_KEY, the key they were sealed with: one that
    matches no seal of a chain is said, exit 8. Each chain is compared with the head the
    archivist's last pass anchored on the server too: a chain shorter than its anchor (its
    newest rows deleted) is named, and each anchored row an earlier pass found lost that
    its chain still lacks (a pass after a deletion anchors the shortened chain, and carries
    the loss on); rows sealed after the anchor are not covered by it. A
    server that cannot be reached is exit 5 (--offline checks without the anchor)."""
    settings = Settings()
    verified = run(records.verify(settings, offline=offline))
    checks = verified.checks
    for c in checks:
        _told(c)
    anchor_told(verified.anchored, verified.offline, [c.records for c in checks])
    tampered = sum(f.tampered for c in checks for f in c.shown)
    unsealed = sum(not f.tampered for c in checks for f in c.shown)
    if unsealed:
        typer.echo(f"{unsealed} row(s) unsealed, kept before the records were sealed: no seal "
                   "vouches for them (nor would for a row whose seal was removed): check them "
                   "against a backup, then `loan-journey records seal --as <supervisor>`",
                   err=True)
    if tampered:
        typer.echo(f"{tampered} row(s), event(s) or document(s) changed, inserted or deleted "
                   "since they were written: do as each says (for most, restore it from a "
                   "backup; a reset the bank made on the Temporal server is acknowledged "
                   "instead)", err=True)
    wrong = [c.records for c in checks if c.wrong_key]
    if wrong:
        typer.echo(f"error: the key does not match the one these records were sealed with "
                   f"({', '.join(wrong)}): their seals were not checked; set {KEY_SETTING} "
                   "as the workers have it", err=True)
        raise typer.Exit(KeysNeeded.exit_code)
    if tampered or unsealed:
        raise typer.Exit(1)


def anchor_told(anchored: Anchored | None, offline: bool, chains: Collection[str]) -> None:
    """Which anchor `chains` were compared with, and what it cannot cover (`records verify`,
    and `archive verify` for the archive's own)."""
    if anchored is not None:
        lost = sum(loss.head.records in chains for loss in anchored.anchor.lost)
        carried = (f", and with the {lost} anchored row(s) earlier passes found lost"
                   if lost else "")
        console.print(f"compared with the chains' anchor, recorded by archivist run "
                      f"{escape(anchored.run)} at "
                      f"{anchored.at:%Y-%m-%d %H:%M:%S %Z}{carried}: the rows sealed "
                      "after it are not covered (their deletion only a backup shows) until "
                      "the next pass anchors them")
        return
    why = ("not compared with the chains' anchor (--offline)" if offline else
           "no anchor yet: no archivist pass on this task queue has recorded the chains' "
           "heads (`loan-journey archive schedule` runs one an hour)")
    typer.echo(f"warning: {why}: the deletion of each chain's newest sealed rows cannot be "
               "told", err=True)


def _told(check: RecordsCheck) -> None:
    counted = Counter(f.found for f in check.shown)
    said = ", ".join(f"{counted[f]} {f.value.lower()}" for f in Found
                     if not (check.wrong_key and f is Found.CHANGED))
    findings_told(check.records, check.shown)
    if check.wrong_key:
        console.print(f"{check.records}: {check.rows} row(s), the key does not match the one "
                      f"these records were sealed with: their seals not checked, {said}")
        return
    console.print(f"{check.records}: {check.rows} row(s) checked, {said}")
    for note in check.notes:
        console.print(f"  {escape(note)}")


def findings_told(title: str, findings: list[Finding]) -> None:
    """A table of `findings`, each row's (or place's) with its detail; none without."""
    if findings:
        table = Table("row", "found", "detail", title=title)
        for f in findings:
            table.add_row(escape(f.record), f.found.value, escape(f.detail))
        console.print(table)


def _attempt(params: Mapping[str, Any]) -> Attempt:
    return Attempt(records.RECORDS, "records seal", str(params["actor"]),
                   str(params.get("role") or Role.SUPERVISOR))


@records_app.command("seal")
@acting("records seal", named=_attempt)
def seal(actor: As, role: RoleOpt = Role.SUPERVISOR) -> None:
    """Seal the rows kept before LOAN_JOURNEY_ARCHIVE_KEY was set, as a supervisor who checked
    them against a backup, naming each: from then on they are checked too. A row inserted
    after sealing began (`records verify`: INSERTED) is not sealed, but named: exit 1, the
    others sealed."""
    settings = Settings()

    async def go() -> list[Sealed]:
        return records.seal(settings, Actor(id=actor, role=role))

    done = run(go())
    for chain in done:
        console.print(f"{chain.records}: sealed {len(chain.sealed)} row(s)"
                      + "".join(f"\n  {escape(name)}" for name in chain.sealed))
    inserted = [name for chain in done for name in chain.inserted]
    for name in inserted:
        typer.echo(f"{name}: INSERTED after sealing began, not sealed: no supervisor vouches "
                   "for a row written around the key; delete it, or restore the table from a "
                   "backup, then `loan-journey records verify`", err=True)
    if inserted:
        raise typer.Exit(1)


def _acknowledging(params: Mapping[str, Any]) -> Attempt:
    return Attempt(str(params.get("workflow_id") or "-"), records.ACKNOWLEDGE_RESET,
                   str(params["actor"]), str(params.get("role") or Role.SUPERVISOR))


@records_app.command("acknowledge-reset")
@acting(records.ACKNOWLEDGE_RESET, named=_acknowledging)
def acknowledge_reset(
    workflow_id: JourneyId,
    actor: As,
    why: Annotated[str, typer.Option("--why", help="what was checked, with whom: kept, sealed, "
                                                   "with the acknowledgement")],
    run_id: Annotated[str | None, typer.Option(
        "--run", help="the run the reset made, as `records verify` names it (needed when the "
                      "journey was reset more than once)")] = None,
    role: RoleOpt = Role.SUPERVISOR,
) -> None:
    """Acknowledge, as a supervisor, a reset of a journey's run on the Temporal server as the
    bank's, once checked with whoever made it: kept sealed with the archive key (exit 8
    without it). From then on `records verify` holds the stage exits the reset threw away to
    the run it was reset from, whose history holds their decisions, not to the run it made;
    anything else that differs is still found. A reset nobody at the bank made is not
    acknowledged: restore the Temporal database from a backup."""
    settings = Settings()
    done = run(records.acknowledge_reset(settings, Actor(id=actor, role=role), workflow_id,
                                         why, run_id))
    for t in done:
        state = "acknowledged" if t.acknowledged else "acknowledged before, left as it was"
        console.print(f"{escape(t.reset.said(workflow_id))}, from run "
                      f"{escape(t.reset.base_run_id)}: {state}")


@records_app.command("rebuild-events")
def rebuild_events(
    journey: Annotated[str | None, typer.Argument(help="the journey's workflow id")] = None,
    every: Annotated[bool, typer.Option("--all", help="every journey on the task queue, and "
                                                      "every archived one")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="say what would be added, add "
                                                            "nothing")] = False,
) -> None:
    """Write the stage events a journey's history says its workers wrote and the journey
    database lacks (restored from a backup older than the Temporal database's), from each
    RECORD_TIMING activity its runs completed, sealed as the workers seal them. A row that is
    there is never changed: one that differs from its history is named, left as is (`records
    verify` judges it: exit 1). With the key set when the stage events are sealed (exit 8
    without, nothing written)."""
    if every == (journey is not None):
        raise typer.BadParameter("name one journey, or --all")
    found = run(records.rebuild_events(Settings(), None if journey is None else typed(journey),
                                       dry_run=dry_run))
    done = "would be rebuilt" if dry_run else "rebuilt"
    for j in found:
        if j.lacking:
            console.print(f"{escape(j.workflow_id)}: {len(j.lacking)} stage event(s) {done} "
                          f"from its history ({j.numbers})")
    differing = [j for j in found if j.differing]
    for j in differing:
        typer.echo(f"{j.workflow_id}: stage event(s) {numbered(j.differing)} differ from its "
                   "history: left as is; `loan-journey records verify` says whether their "
                   "seals vouch for them", err=True)
    if not any(j.lacking for j in found):
        console.print("nothing to rebuild")
    if differing:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(records_app, name="records")
