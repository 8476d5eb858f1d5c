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
from journey.settings import Settings
from store.documents import licences_of
from store.exposure import keep, others
from store.record_seals import EXPOSED, sealing_key


class ExposureActivities:
    def __init__(self, settings: Settings) -> None:
        self._url, self._key = settings.db_url, settings.archive_seal_key

    @activity.defn(name=KEEP_EXPOSURE)
    async def keep_exposure(self, request: KeepExposureInput) -> KeepExposureResult:
        """Keep the line (`kept_and_told`). Retried whole: a second keep changes nothing, a
        second notice only asks a re-read."""
        told = await kept_and_told(activity.client(), self._url, request, self._key)
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
