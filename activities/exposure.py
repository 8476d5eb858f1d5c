"""The borrower's credit exposure in the journey store (store/exposure.py): each journey
keeps its line there, and routing reads the others of the same credit code, as does an
approval about to settle, which routes the case again on them. The Temporal server is asked
about each of those journeys (a borrower has few): one ended outside the engine (`temporal
workflow terminate`) recorded no end in the store, and is left out, saying why, as is one
that read another company's business licence (`another_company`). A new application tells
the borrower's other applications that their exposure rose."""

from __future__ import annotations

import asyncio

from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from activities.run_started import started_event
from journey.application import LoanApplication
from journey.contracts import RouteNowInput
from journey.documents import BusinessLicense
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
from journey.status import JourneyInput
from store.code_names import renames_of
from store.documents import licences_of, licences_printing
from store.exposure import keep, others
from store.seal_key import sealing_key
from store.sealed_records import EXPOSED


class ExposureActivities:
    def __init__(self, settings: Settings) -> None:
        self._url, self._key = settings.db_url, settings.archive_seal_key

    @activity.defn(name=KEEP_EXPOSURE)
    async def keep_exposure(self, request: KeepExposureInput) -> KeepExposureResult:
        """Keep the line (`kept_and_told`), unless the journey's application is new and its
        credit code one the bank holds for another company (`code_held_by_another`): then
        nothing is kept or told, and the result says why. Retried whole: a second keep
        changes nothing, a second notice only asks a re-read."""
        client = activity.client()
        if request.principal is None and (name := await applicant_of(
                client, request.workflow_id)) is not None and (held := await code_held_by_another(
                    client, self._url, request.credit_code, name)) is not None:
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
        kept = await asyncio.to_thread(others, self._url, app.credit_code, workflow_id)
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
        exposure = await self._exposure(request.workflow_id, case.application)
        return case.model_copy(update={"exposure": exposure}).routed()


async def kept_and_told(client: Client, url: str, request: KeepExposureInput,
                        key: bytes | None) -> list[str]:
    """Keep the journey's line in the store, sealed with `key` where it is the one the
    exposures were sealed with (store/exposure.py); a new application's (no principal yet)
    then tells the borrower's other applications, whose approvals would otherwise settle on
    the exposure they read: those told. The command line that starts a journey keeps its line
    so, before any worker runs its intake (which keeps it again, for journeys started
    otherwise)."""
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


async def code_held_by_another(client: Client, url: str, code: str, name: str
                               ) -> tuple[str, str] | None:
    """Whether the bank holds credit `code` for another company than `name`
    (`held_by_another`, on the code's holders and renames as the store and server have
    them)."""
    return held_by_another(code, name, await holders_of(client, url, code),
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


async def holders_of(client: Client, url: str, code: str) -> list[tuple[str, str, str]]:
    """Whom the bank holds credit `code` for, first come first: each journey, what of it
    holds the code in words, and the company's name there (a licence's read, an
    application's applicant)."""
    held = [(wf, f"{lic.name}'s business licence printing it", lic.name or "")
            for wf, lic in await asyncio.to_thread(licences_printing, url, code)]
    lines = [line.workflow_id for line in await asyncio.to_thread(others, url, code, "-")]
    read = await asyncio.to_thread(licences_of, url, lines)
    for wf in lines:  # an application whose own licence shows it mistyped holds nothing
        if another_company(code, read.get(wf, [])) is None and (
                applicant := await applicant_of(client, wf)) is not None:
            held.append((wf, f"{applicant}'s application", applicant))
    return held


async def applicant_of(client: Client, workflow_id: str) -> str | None:
    """The applicant the journey `workflow_id` was started for (its run's input); None when
    the server no longer has it."""
    if (started := await started_event(client, workflow_id)) is None:
        return None
    [journey] = await client.data_converter.decode(started.input.payloads, [JourneyInput])
    return str(journey.application.applicant_name)


async def _left_out(client: Client, line: ExposureLine, credit_code: str,
                    licences: list[BusinessLicense]) -> str | None:
    """Why the journey of `line` does not count: it read another company's licence, or it
    is not running on the server (`_ended_on_server`); None when it counts."""
    return another_company(credit_code, licences) or await _ended_on_server(client, line)


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
