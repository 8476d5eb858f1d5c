"""The borrower's credit exposure in the journey store (store/exposure.py): each journey
keeps its line there, and routing reads the others of the same credit code."""

from __future__ import annotations

from temporalio import activity

from journey.exposure import (
    KEEP_EXPOSURE,
    READ_EXPOSURE,
    Exposure,
    KeepExposureInput,
    KeepExposureResult,
    ReadExposureInput,
)
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
