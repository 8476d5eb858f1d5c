"""A fixture journey that continues as new once decided, as a loan does in its post-loan
phase: the decision is in the first run's history, the outcome in the second's.

No `from __future__ import annotations`: a workflow definition module, kept plain for the
sandbox.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.audit.fixture_workflow import Application, Decision, UpdateResult


@workflow.defn(name="ContinuingFixture")
class ContinuingFixture:
    def __init__(self) -> None:
        self._decision: Decision | None = None

    @workflow.run
    async def run(self, app: Application, decided: bool = False) -> str:
        if decided:
            return "reviewed"
        await workflow.wait_condition(lambda: self._decision is not None)
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(args=[app, True])

    @workflow.update
    def record_decision(self, decision: Decision) -> UpdateResult:
        self._decision = decision
        return UpdateResult(accepted=True, stage="risk_review")
