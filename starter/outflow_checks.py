"""The second pair of eyes on money going back to a payer (`pending confirm`, `pending
cancel`): a refund (starter/refunds.py) or a return (starter/pending_return.py) entered by one
operations person is paid, and kept as paid, only once a second confirms it by its number;
the checker is who may confirm an entrusted payout's instruction (the staff directory of the
policy in force: active operations, neither the maker nor the case's submitter,
`authorize_checker`), told what the maker typed beside what the bank knows of the payer.
Who may not confirm is refused before anything is written, the attempt kept for auditors.
With the archive key, what is confirmed is what its maker entered: an entry that fails its
seal (changed in the database since it was entered, or inserted) is refused, nothing paid
(`SealBroken`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from temporalio.client import Client

from journey.actors import Actor, Role
from journey.policy import DecisionRefused
from journey.policy.authority import CheckedWords, authorize_checker
from journey.settings import Settings
from starter import operations
from starter.connect import connect
from starter.errors import KeysNeeded, NotFound, Refused, SealBroken
from starter.payer_account import NOT_NAMED, checker_said
from starter.pinned_policy import attempt, authorized, current_policy
from starter.records import key_needed
from store import sealed_records
from store.exposure import parties
from store.payer_outflows import OutflowKind, OutflowState, PayerOutflow, outflow
from store.payer_returns import NotAwaiting, ReferenceUsed, cancel_outflow, enter_outflow
from store.seal_findings import Finding, Found
from store.seal_vouching import entry_read_failing
from store.seals import WrongKey

CONFIRM, CANCEL = "pending confirm", "pending cancel"  # refused attempts are kept under these
WORDS = {
    OutflowKind.REFUND: CheckedWords(
        what="refund", checks="confirms it, checked against the payment it refunds and the "
                              "payer's account",
        until="you may cancel it with `pending cancel` until then"),
    OutflowKind.RETURN: CheckedWords(
        what="return", checks="confirms it, checked against the money received and the "
                              "payer's account",
        until="you may cancel it with `pending cancel` until then"),
}
# what the checker is told of a payment that named no payer's account
NO_PAYER_ACCOUNT = NOT_NAMED
# what the checker is told where the payment's account could not be read
NOT_READ = ("the payment's account was not read (its journey's status was not, or nothing is "
            "owed back under it any more): check the account against the bank's books")
# where the account the checker is shown beside the one typed was read
CHECKED_AT_ENTRY = "payment {payment}'s account as kept with the entry, checked at its entry"
LOOKED_UP = "looked up now: entered before entries kept the account they were checked against"


def enter_awaiting(settings: Settings, entry: PayerOutflow, own_reference: str,
                   refused: Callable[[str], Refused]) -> PayerOutflow:
    """Keep `entry`, as its maker entered it, awaiting its checker (sealed with the archive
    key, which the returns' and the entries' chains need once sealed: `KeysNeeded`); its
    reference another payment's is `refused` why (`own_reference`: what to give instead)."""
    try:
        with key_needed(settings, sealed_records.RETURNED, sealed_records.ENTERED):
            number = enter_outflow(settings.db_url, entry, settings.archive_seal_key)
    except ReferenceUsed as used:
        raise refused(f"{used}: {own_reference}") from used
    return entry.model_copy(update={"id": number})


def checker_told(entry: PayerOutflow, source: str | None = None, read: bool = True) -> str:
    """What the checker is shown of a refund or a return: the account its maker typed, and
    beside it the account the payment came from (starter/payer_account.py), or that it named
    none: as the entry kept it, checked at its entry; for one entered before entries kept
    it, `source` as looked up now, or (not `read`) that it could not be read, and said so."""
    if entry.source_kept:
        return (f"{entry.said()}; {checker_said(entry.source_account, entry.account)} "
                f"({CHECKED_AT_ENTRY.format(payment=entry.source_payment)})")
    return (f"{entry.said()}; {checker_said(source, entry.account) if read else NOT_READ} "
            f"({LOOKED_UP})")


def entered_said(entry: PayerOutflow, submitted_by: str | None) -> str:
    """What the maker is told once a refund or a return is entered: nothing is paid yet, who
    may confirm it and how."""
    nor = f" nor the case's submitter {submitted_by}" if submitted_by not in (
        None, entry.entered_by) else ""
    return (f"{entry.said()}: nothing is paid until a second operations person, not "
            f"{entry.entered_by}{nor}, confirms it: `loan-journey pending confirm {entry.id} "
            "--as ...`")


async def awaiting_checker(client: Client | None, settings: Settings, number: int, actor: Actor,
                           action: str) -> tuple[PayerOutflow, Role]:
    """Entry `number`, still awaiting its checker, and `actor`, who may settle it by `action`:
    for a confirmation, a second operations person by the four-eyes rule; for a
    cancellation, operations. `NotFound`, `Refused` (the attempt kept) otherwise; to confirm
    it with the archive key, `SealBroken` when it is not as its maker entered it, and
    `KeysNeeded` when the key is not the entries' (`as_read`)."""
    entry, broken = as_read(settings, number, action)
    if entry is None:
        raise NotFound(f"no refund or return entered under {number}: `loan-journey pending "
                       "refunds` and `pending list` show those awaiting confirmation")
    not_done = f"{entry.kind} {number} not {'confirmed' if action == CONFIRM else 'cancelled'}"
    tried = (entry.workflow_id, action)
    if entry.state is not OutflowState.AWAITING:
        why = (f"it is {entry.state} already" + (f" by {entry.settled_by}"
                                                  if entry.settled_by else ""))
        raise Refused(f"{not_done}: {why}", attempt(*tried, actor, why))
    if action == CANCEL:
        authorized(settings, actor, {Role.OPERATIONS}, not_done, tried)
        return entry, actor.role
    submitter = await submitter_of(client, settings, entry.workflow_id)
    try:
        member = authorize_checker(current_policy(settings), actor, entry.entered_by,
                                   submitter or "", WORDS[entry.kind])
    except DecisionRefused as err:
        raise Refused(f"{not_done}: {err}", attempt(*tried, actor, str(err))) from err
    if broken is not None:
        raise not_as_entered(entry, broken)
    return entry, member.role


def as_read(settings: Settings, number: int, action: str
            ) -> tuple[PayerOutflow | None, Finding | None]:
    """Entry `number` (None: none), and, to confirm it with the archive key, what its seal
    finds wrong with it, read with it (store/seal_vouching.py `entry_read_failing`): what is
    checked is what is paid. `KeysNeeded`, nothing paid, when the key is not the one the
    entries were sealed with. Without the key, or to cancel it, nothing is checked: a
    cancelled entry pays nothing, whatever it says."""
    key = settings.archive_seal_key
    if action != CONFIRM or key is None:
        return outflow(settings.db_url, number), None
    try:
        return entry_read_failing(settings.db_url, key, number) or (None, None)
    except WrongKey as err:
        raise KeysNeeded(f"refund or return {number} not confirmed, nothing paid: {err}"
                         ) from None


def not_as_entered(entry: PayerOutflow, broken: Finding) -> SealBroken:
    """`entry`, confirmed, fails its seal (`broken`): changed in the database since its maker
    entered it, or written around the key; what to do."""
    why = {Found.CHANGED: "its seal no longer matches: its amount, account or another fact "
                          "its maker entered was changed in the database",
           Found.INSERTED: "it has no seal, though entered after sealing began: inserted in "
                           "the database, or entered without the key"}
    return SealBroken(
        f"{entry.kind} {entry.id} is not as its maker entered it "
        f"({why.get(broken.found, broken.detail)}): nothing paid; run `loan-journey records "
        f"verify`, cancel it (`loan-journey pending cancel {entry.id}`) and enter it again")


async def submitter_of(client: Client | None, settings: Settings, workflow_id: str
                       ) -> str | None:
    """Who submitted journey `workflow_id`: as `start` kept it beside the borrower's exposure
    (no server nor worker needed: money returned may be a loan's that has ended), else as
    the journey says it (one started without `start`; without a `client`, on the settings'
    server); None when neither says."""
    if (kept := kept_submitter(settings, workflow_id)) is not None:
        return kept
    s = await operations.status(client or await connect(settings), workflow_id)
    return s.submitted_by.id if s.submitted_by is not None else None


def kept_submitter(settings: Settings, workflow_id: str) -> str | None:
    """Who submitted journey `workflow_id`, as `start` kept it beside the borrower's exposure
    (None: kept without, or not by `start`)."""
    line = parties(settings.db_url, [workflow_id]).get(workflow_id)
    return line.submitted_by.id if line is not None and line.submitted_by is not None else None


def cancel(settings: Settings, entry: PayerOutflow, actor: Actor, why: str,
           now: datetime | None = None) -> PayerOutflow:
    """Cancel `entry` (awaiting): nothing is paid; it stays listed as cancelled, by whom and
    why. `Refused` when it was settled meanwhile."""
    assert entry.id is not None
    at = now or datetime.now(UTC)
    try:
        with key_needed(settings, sealed_records.RETURNED):
            cancel_outflow(settings.db_url, entry.id, actor.id, at, why)
    except NotAwaiting as gone:
        raise Refused(f"{entry.kind} {entry.id} not cancelled: {gone}") from gone
    return entry.model_copy(update={"state": OutflowState.CANCELLED, "settled_by": actor.id,
                                    "settled_at": at, "settled_why": why})


def settled_meanwhile(entry: PayerOutflow, gone: NotAwaiting) -> Refused:
    """The entry confirmed or cancelled by someone else while this checker confirmed it."""
    return Refused(f"{entry.kind} {entry.id} not confirmed: {gone}")

