"""The borrower's credit exposure in the journey store (store/exposure.py): each journey
keeps its line there, and routing reads the others of the same credit code, as does an
approval about to settle, which routes the case again on them. The Temporal server is asked
about each of those journeys (a borrower has few): one ended outside the engine (`temporal
workflow terminate`) recorded no end in the store, and is left out, saying why, as is one
that read another company's business licence (`another_company`), as the journey itself holds
its readings (`mistyped`). With the archive key, the lines read to decide are checked against
their seals (store/exposure_vouched.py): one that fails its seal fails the read, logged at
ERROR, and is retried, the journey waiting (`waiting_on_seals`). A new application tells the
borrower's other applications that their exposure rose."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from temporalio import activity
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowQueryRejectedError,
)
from temporalio.common import QueryRejectCondition
from temporalio.service import RPCError, RPCStatusCode

from activities.run_started import started_event
from journey.application import LoanApplication
from journey.contracts import RouteNowInput
from journey.documents import BusinessLicense, DocumentKind, ReadStatus
from journey.exposure import (
    EXPOSURE_FELL,
    EXPOSURE_ROSE,
    KEEP_EXPOSURE,
    ROUTE_ON_EXPOSURE,
    TELL_EXPOSURE_FELL,
    Exposure,
    ExposureFell,
    ExposureFellResult,
    ExposureLine,
    ExposureRose,
    KeepExposureInput,
    KeepExposureResult,
    another_company,
)
from journey.policy import Route
from journey.renames import Rename, current_name, one_company
from journey.settings import Settings
from journey.status import JourneyInput, JourneyStatus
from store.code_names import renames_of
from store.documents import licences_of, licences_printing
from store.exposure import keep, others
from store.exposure_vouched import ExposureSealBroken, vouched_others
from store.seal_key import sealing_key
from store.sealed_records import EXPOSED

WAITING = ("No case of this borrower is routed on its exposure until then: the journeys "
           "reading it wait and retry")
STATUS_QUERY = "status"  # the journey's (workflows/journey_updates.py)
QUERY_TIMEOUT = timedelta(seconds=10)  # well inside the activities' start-to-close


class ExposureActivities:
    def __init__(self, settings: Settings) -> None:
        self._url, self._key = settings.db_url, settings.archive_seal_key

    @activity.defn(name=KEEP_EXPOSURE)
    async def keep_exposure(self, request: KeepExposureInput) -> KeepExposureResult:
        """Keep the line (`kept_and_told`), unless the journey's application is new and its
        credit code one the bank holds for another company (`code_held_by_another`): then
        nothing is kept or told, and the result says why. An amended one's is not asked again
        (its line, kept at intake, holds the code; none kept, none is). Retried whole: a
        second keep changes nothing, a second notice only asks a re-read."""
        client = activity.client()
        name = (await applicant_of(client, request.workflow_id)
                if request.principal is None and not request.amended else None)
        with waiting_on_seals(request.credit_code):
            held = None if name is None else await code_held_by_another(
                client, self._url, request.credit_code, name, self._key)
        if held is not None:
            said, holder = held
            return KeepExposureResult(kept=False, held=(
                f"{said}: not counted in {holder}'s exposure (统一授信); its relationship "
                f"manager checks the code against {name}'s business licence"))
        told = await kept_and_told(client, self._url, request, self._key)
        return KeepExposureResult(kept=True, told=told)

    @activity.defn(name=TELL_EXPOSURE_FELL)
    async def tell_exposure_fell(self, request: ExposureFell) -> ExposureFellResult:
        """Tell the borrower's other applications that the journey of `request`, ended without
        a loan, counts no more: what they were told of it (`exposure_rose`) is not said
        again. Retried whole: a second notice changes nothing."""
        kept = await asyncio.to_thread(others, self._url, request.credit_code,
                                       request.workflow_id)
        client = activity.client()
        return ExposureFellResult(told=[
            line.workflow_id for line in kept
            if not line.running and await _tell(client, line.workflow_id, EXPOSURE_FELL, request)])

    async def _exposure(self, workflow_id: str, app: LoanApplication) -> Exposure:
        """This application and the borrower's other journeys the store counts, each still
        running on the Temporal server; the others left out, saying why."""
        kept = await lines_vouched(self._url, app.credit_code, workflow_id, self._key)
        licences = await asyncio.to_thread(licences_of, self._url,
                                           [line.workflow_id for line in kept])
        client = activity.client()
        ended = await asyncio.gather(*(_left_out(client, line, app.credit_code,
                                                 licences.get(line.workflow_id, []))
                                       for line in kept))
        return Exposure(
            credit_code=app.credit_code,
            amount=app.amount,
            others=[line for line, why in zip(kept, ended, strict=True) if why is None],
            left_out=[line.model_copy(update={"note": why})
                      for line, why in zip(kept, ended, strict=True) if why is not None],
        )

    @activity.defn(name=ROUTE_ON_EXPOSURE)
    async def route_on_exposure(self, request: RouteNowInput) -> Route:
        """The case routed on the borrower's exposure as it stands: read and route in one
        activity, at routing and as an approval would settle."""
        case = request.case
        with waiting_on_seals(case.application.credit_code):
            exposure = await self._exposure(request.workflow_id, case.application)
        return case.model_copy(update={"exposure": exposure}).routed()


async def kept_and_told(client: Client, url: str, request: KeepExposureInput,
                        key: bytes | None) -> list[str]:
    """Keep the journey's line in the store, sealed with `key` where it is the one the
    exposures were sealed with (store/exposure.py); a new application's (no principal yet),
    or an amended one's, then tells the borrower's other applications, whose approvals would
    otherwise settle on the exposure they read: those told. The command line that starts a
    journey keeps its line so, before any worker runs its intake (which keeps it again, for
    journeys started otherwise)."""
    await asyncio.to_thread(_keep_sealed, url, request, key)
    if request.principal is not None:
        return []
    kept = await asyncio.to_thread(others, url, request.credit_code, request.workflow_id)
    rose = ExposureRose(credit_code=request.credit_code, line=ExposureLine(
        workflow_id=request.workflow_id, amount=request.amount))
    return [line.workflow_id for line in kept
            if not line.running and await _tell(client, line.workflow_id, EXPOSURE_ROSE, rose)]


def _keep_sealed(url: str, request: KeepExposureInput, key: bytes | None) -> None:
    keep(url, request, sealing_key(url, key, EXPOSED))


async def _tell(client: Client, workflow_id: str, signal: str,
                what: ExposureRose | ExposureFell) -> bool:
    """Signal `workflow_id` that the borrower's exposure rose or fell; False when it is no
    longer running on the server (it ended, and has no approval to settle). Other errors are
    retried."""
    try:
        await client.get_workflow_handle(workflow_id).signal(signal, what)
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        return False
    return True


async def code_held_by_another(client: Client, url: str, code: str, name: str,
                               key: bytes | None = None) -> tuple[str, str] | None:
    """Whether the bank holds credit `code` for another company than `name`
    (`held_by_another`, on the code's holders and renames as the store and server have
    them; the lines checked against their seals with `key`, `holders_of`)."""
    return held_by_another(code, name, await holders_of(client, url, code, key),
                           await asyncio.to_thread(renames_of, url, code))


def held_by_another(code: str, name: str, holders: list[tuple[str, str, str]],
                    known: list[Rename]) -> tuple[str, str] | None:
    """Whether `holders` (`holders_of`) hold credit `code` for another company than `name`: a
    business licence printing it read in a journey, or a live application of the code (a line
    of its exposure) in that company's name, unless its own licence shows its code mistyped
    (`another_company`). In words, with the company by its current name; None when it holds
    it for none (a company of the same name, `same_name`, or one the code's renames `known`
    link to `name`, is `name`). The first to come holds the code: the journeys of a mistyped
    code started first are caught once their licence is read."""
    conflicts = [(wf, what, holder) for wf, what, holder in holders
                 if holder and not one_company(known, holder, name)]
    if not conflicts:
        return None
    journey, what, holder = conflicts[0]
    now = current_name(known, holder)
    return (f"credit code {code} is {now}'s, not {name}'s: the bank holds {what} (in "
            f"{journey})"), now


async def holders_of(client: Client, url: str, code: str, key: bytes | None = None
                     ) -> list[tuple[str, str, str]]:
    """Whom the bank holds credit `code` for, first come first: each journey, what of it
    holds the code in words, and the company's name there (a licence's read, an
    application's applicant). The licences' readings and the code's lines are checked against
    their seals with `key` (store/documents.py `licences_printing`, `lines_vouched`), and an
    application holds nothing only when the journey itself says its licence is another
    company's (`mistyped`)."""
    held = [(wf, f"{lic.name}'s business licence printing it", lic.name or "")
            for wf, lic in await asyncio.to_thread(licences_printing, url, code, key)]
    lines = [line.workflow_id for line in await lines_vouched(url, code, "-", key)]
    read = await asyncio.to_thread(licences_of, url, lines)
    for wf in lines:  # an application whose own licence shows it mistyped holds nothing
        if (applicant := await applicant_of(client, wf)) is not None and await mistyped(
                client, code, wf, read.get(wf, [])) is None:
            held.append((wf, f"{applicant}'s application", applicant))
    return held


async def lines_vouched(url: str, code: str, workflow_id: str, key: bytes | None
                        ) -> list[ExposureLine]:
    """The lines of `code` but `workflow_id`'s, each checked against its seal with `key` as it
    is read (store/exposure_vouched.py: ExposureSealBroken when one fails it)."""
    return await asyncio.to_thread(vouched_others, url, code, workflow_id, key)


@contextmanager
def waiting_on_seals(code: str) -> Iterator[None]:
    """An exposure line of `code` that fails its seal fails the activity, logged at ERROR for
    operations, to be retried (the journey waiting) until it is restored."""
    try:
        yield
    except ExposureSealBroken as err:
        activity.logger.error("the credit exposure of %s is not read: %s", code, err)
        raise ExposureSealBroken(f"{err}. {WAITING}") from None


async def mistyped(client: Client, code: str, workflow_id: str, stored: list[BusinessLicense]
                   ) -> str | None:
    """Why the journey `workflow_id`, of credit `code`, counts in no one's exposure: the
    licences it read are another company's (`another_company`). The store's readings of it
    (`stored`), read unchecked against their seals and which SQL may change, only raise the
    question, and are taken alone only to count it: the licences the journey holds itself
    (`licences_read_in`) decide it. None when either shows the code (or none is read)."""
    if another_company(code, stored) is None:
        return None
    return another_company(code, await licences_read_in(client, workflow_id) or [])


async def licences_read_in(client: Client, workflow_id: str) -> list[BusinessLicense] | None:
    """The business licences the journey `workflow_id` read, as it holds them (its status
    query: its own record on the Temporal server, each with any correction of its fields),
    not as the store's readings table has them, which SQL may change (kept unsealed before the
    key, or changed, as `records verify` finds them); None when it no longer runs to answer.
    Not answered in time (no worker), retried."""
    try:
        status = await client.get_workflow_handle(workflow_id).query(
            STATUS_QUERY, result_type=JourneyStatus, rpc_timeout=QUERY_TIMEOUT,
            reject_condition=QueryRejectCondition.NOT_OPEN)
    except WorkflowQueryRejectedError:
        return None
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        return None
    return [r.license for r in status.readings if r.license is not None
            and r.status is ReadStatus.READ and r.kind is DocumentKind.BUSINESS_LICENSE]


async def applicant_of(client: Client, workflow_id: str) -> str | None:
    """The applicant the journey `workflow_id` was started for (its run's input); None when
    the server no longer has it."""
    if (started := await started_event(client, workflow_id)) is None:
        return None
    [journey] = await client.data_converter.decode(started.input.payloads, [JourneyInput])
    return str(journey.application.applicant_name)


async def _left_out(client: Client, line: ExposureLine, credit_code: str,
                    licences: list[BusinessLicense]) -> str | None:
    """Why the journey of `line` does not count: it read another company's licence
    (`mistyped`, on the store's `licences` of it), or it is not running on the server
    (`_ended_on_server`); None when it counts."""
    return (await mistyped(client, credit_code, line.workflow_id, licences)
            or await _ended_on_server(client, line))


async def _ended_on_server(client: Client, line: ExposureLine) -> str | None:
    """Why the journey of `line` no longer counts though the store recorded no end: it is not
    running on the Temporal server; None while it runs. Other errors are retried."""
    try:
        status = (await client.get_workflow_handle(line.workflow_id).describe()).status
    except RPCError as err:
        if err.status is not RPCStatusCode.NOT_FOUND:
            raise
        return "not on the Temporal server, and no end recorded"
    if status is WorkflowExecutionStatus.RUNNING:
        return None
    what = status.name.lower().replace("_", " ") if status else "ended"
    return f"{what} on the Temporal server without recording an end"
