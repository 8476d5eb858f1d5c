"""The borrower's credit exposure, kept and read through activities (journey/exposure.py):
a journey keeps its line at intake and the principal its loan owes as it changes, and
routing weighs the others of the same credit code."""

from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.application import LoanApplication
    from journey.exposure import (
        KEEP_EXPOSURE,
        READ_EXPOSURE,
        Exposure,
        KeepExposureInput,
        KeepExposureResult,
        ReadExposureInput,
    )
    from workflows.activity_options import IO_RETRY, QUICK, TIMING_RETRY

# workflow.patched marker: before it, the tier was chosen on the application's amount alone;
# since, on the borrower's exposure, which each journey keeps in the store from its intake.
GROUP_EXPOSURE = "group-exposure"


async def keep_exposure(workflow_id: str, application: LoanApplication,
                        principal: Decimal | None = None) -> None:
    """Keep the journey's line: the amount applied for, or the principal its loan owes.
    Retried until the store takes it, as timing events are: a line lost would hide exposure."""
    await workflow.execute_activity(
        KEEP_EXPOSURE,
        KeepExposureInput(workflow_id=workflow_id, credit_code=application.credit_code,
                          amount=application.amount, principal=principal),
        result_type=KeepExposureResult,
        start_to_close_timeout=QUICK,
        retry_policy=TIMING_RETRY,
    )


async def read_exposure(workflow_id: str, application: LoanApplication) -> Exposure:
    """This application and the borrower's other live applications and running loans."""
    return await workflow.execute_activity(
        READ_EXPOSURE,
        ReadExposureInput(workflow_id=workflow_id, credit_code=application.credit_code,
                          amount=application.amount),
        result_type=Exposure,
        start_to_close_timeout=QUICK,
        retry_policy=IO_RETRY,
    )
