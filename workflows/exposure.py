"""The borrower's credit exposure, kept and read through activities (journey/exposure.py):
a journey keeps its line at intake and the principal its loan owes as it changes, and
routing weighs the others of the same credit code."""

from decimal import Decimal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from journey.actors import Actor, Role
    from journey.application import LoanApplication
    from journey.contracts import RouteInput, RouteNowInput
    from journey.exposure import (
        KEEP_EXPOSURE,
        ROUTE_ON_EXPOSURE,
        TELL_EXPOSURE_FELL,
        ExposureFell,
        ExposureFellResult,
        KeepExposureInput,
        KeepExposureResult,
    )
    from journey.policy import Route
    from workflows.activity_options import IO_RETRY, QUICK, TIMING_RETRY
    from workflows.io_retry import io_retry

# workflow.patched marker: before it, the tier was chosen on the application's amount alone;
# since, on the borrower's exposure, which each journey keeps in the store from its intake.
GROUP_EXPOSURE = "group-exposure"
# workflow.patched marker: before it, an application that ended left the borrower's other
# applications saying what it had told them ("a new application ... came since"); since, one
# that ends without a loan tells them it counts no more. Taken at such an end, and only there.
EXPOSURE_FELL_TOLD = "exposure-fell-told"
# workflow.patched marker: before it, an application whose credit code the bank holds for
# another company was kept in that company's exposure at intake; since, the keep activity
# keeps nothing and the intake records why (a decision of EXPOSURE_KEEPER, in `status`), for
# its relationship manager. Taken only when the line was not kept.
EXPOSURE_NOT_KEPT = "exposure-not-kept"
EXPOSURE_KEEPER = Actor(id="exposure-keeper", role=Role.SYSTEM)


async def keep_exposure(workflow_id: str, application: LoanApplication,
                        principal: Decimal | None = None, *, amended: bool = False
                        ) -> KeepExposureResult:
    """Keep the journey's line: the amount applied for, or the principal its loan owes; the
    application's new amount when it is `amended` (workflows/amendments.py). Retried until
    the store takes it, as timing events are: a line lost would hide exposure. A new
    application's is not kept when its credit code is another company's (`held`)."""
    return await workflow.execute_activity(
        KEEP_EXPOSURE,
        KeepExposureInput(workflow_id=workflow_id, credit_code=application.credit_code,
                          amount=application.amount, principal=principal, amended=amended),
        result_type=KeepExposureResult,
        start_to_close_timeout=QUICK,
        retry_policy=TIMING_RETRY,
    )


async def tell_exposure_fell(workflow_id: str, application: LoanApplication) -> None:
    """Tell the borrower's other applications that this one, ended without a loan, counts no
    more. Retried as the line's keeping is: a notice lost would leave them saying it came."""
    await workflow.execute_activity(
        TELL_EXPOSURE_FELL,
        ExposureFell(credit_code=application.credit_code, workflow_id=workflow_id),
        result_type=ExposureFellResult,
        start_to_close_timeout=QUICK,
        retry_policy=TIMING_RETRY,
    )


async def route_on_exposure(workflow_id: str, case: RouteInput, *, local: bool = False,
                            task_queue: str | None = None) -> Route:
    """`case` routed on the borrower's exposure as it stands, read and routed by one activity
    on `task_queue` (the journey's own when None); `local`: a local activity, as the
    approval's check ran before the marker EXPOSURE_CHECK_AS_ACTIVITY
    (workflows/exposure_now.py)."""
    request = RouteNowInput(workflow_id=workflow_id, case=case)
    if local:
        return await workflow.execute_local_activity(
            ROUTE_ON_EXPOSURE, request, result_type=Route,
            start_to_close_timeout=QUICK, retry_policy=IO_RETRY,
        )
    return await workflow.execute_activity(
        ROUTE_ON_EXPOSURE, request, result_type=Route, task_queue=task_queue,
        start_to_close_timeout=QUICK, retry_policy=io_retry(),
    )
