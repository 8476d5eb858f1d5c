"""The borrower's credit exposure in the journey store (store/exposure.py): each journey
keeps its line there, and routing reads the others of the same credit code, as does an
approval about to settle, which routes the case again on them."""

from __future__ import annotations

from temporalio import activity

from activities.decisions import route_case
from journey.contracts import RouteNowInput
from journey.exposure import (
    KEEP_EXPOSURE,
    READ_EXPOSURE,
    ROUTE_ON_EXPOSURE_NOW,
    Exposure,
    KeepExposureInput,
    KeepExposureResult,
    ReadExposureInput,
)
from journey.policy import Route
from journey.settings import Settings
from store.exposure import keep, others


class ExposureActivities:
    def __init__(self, settings: Settings) -> None:
        self._url = settings.db_url

    @activity.defn(name=KEEP_EXPOSURE)
    def keep_exposure(self, request: KeepExposureInput) -> KeepExposureResult:
        keep(self._url, request)
        return KeepExposureResult(kept=True)

    @activity.defn(name=READ_EXPOSURE)
    def read_exposure(self, request: ReadExposureInput) -> Exposure:
        return Exposure(
            credit_code=request.credit_code,
            amount=request.amount,
            others=others(self._url, request.credit_code, request.workflow_id),
        )

    @activity.defn(name=ROUTE_ON_EXPOSURE_NOW)
    def route_on_exposure_now(self, request: RouteNowInput) -> Route:
        """The case routed on the borrower's exposure as it stands: one activity, read and
        route, as an approval would settle."""
        case, app = request.case, request.case.application
        exposure = self.read_exposure(ReadExposureInput(
            workflow_id=request.workflow_id, credit_code=app.credit_code, amount=app.amount))
        return route_case(case.model_copy(update={"exposure": exposure}))
