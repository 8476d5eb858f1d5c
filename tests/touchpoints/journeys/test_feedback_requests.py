"""When the customer is asked how applying went: once applying is over for them (the file
complete, or the journey ended before), not as the application is taken while documents are
still missing; journeys that asked at intake replay."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from journey import contracts
from journey.application import Channel, LoanApplication
from journey.decisions import AddDocuments, Withdrawal
from journey.settings import Settings
from journey.stages import Stage
from store.outbox import OutboxMessage, messages_for
from tests.post_loan.loan_kit import assert_replays
from tests.workflows.journey_kit import (
    Documents,
    application,
    customer,
    new_application,
    running_journey,
    until_sent,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow as W


def asked(db_url: str, handle: WorkflowHandle) -> dict[str, OutboxMessage]:
    """The journey's feedback requests queued so far, by key."""
    return {m.key: m for m in messages_for(db_url, handle.id) if m.template == "feedback_request"}


@asynccontextmanager
async def short_of_income(env: WorkflowEnvironment, tmp_path: Path
                          ) -> AsyncIterator[tuple[Documents, LoanApplication, Settings,
                                                   WorkflowHandle]]:
    """A journey whose customer was asked for the missing income statement, and not yet how
    applying went: still applying."""
    docs = Documents()
    app = application(docs, drop={"income"})
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        await until_sent(settings.db_url, handle.id, template="supplements_requested")
        assert asked(settings.db_url, handle) == {}
        yield docs, app, settings, handle


async def test_applying_is_asked_about_once_the_missing_statement_completes_the_file(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    async with short_of_income(time_skipping_env, tmp_path) as (docs, app, settings, handle):
        income = next(r for r in docs.readings.values() if r.ref.filename.endswith("income.png"))
        await handle.execute_update(W.add_documents, AddDocuments(
            actor=customer(app), documents=[income.ref], channel=Channel.WEB))
        await until_stage(handle, Stage.RISK_REVIEW)
        applying = await until_sent(settings.db_url, handle.id,
                                    key=f"{handle.id}:feedback:intake:1")
        # the round of requests they answered, and applying: each once
        assert sorted(asked(settings.db_url, handle)) == [
            f"{handle.id}:feedback:completeness:1", f"{handle.id}:feedback:intake:1"]
        complete = await until_sent(settings.db_url, handle.id, template="supplements_met")
        assert applying.id > complete.id  # told the file is complete, then asked
        assert "how did applying go for you?" in applying.body
        await assert_replays(handle)


async def test_a_complete_application_is_asked_about_after_completeness(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.RISK_REVIEW)
        await until_sent(settings.db_url, handle.id, key=f"{handle.id}:feedback:intake:1")
        assert list(asked(settings.db_url, handle)) == [f"{handle.id}:feedback:intake:1"]
        scheduled = [e.activity_task_scheduled_event_attributes.activity_type.name
                     async for e in handle.fetch_history_events()
                     if e.HasField("activity_task_scheduled_event_attributes")]
        # its one notice is queued once the file was checked complete, not at intake
        assert scheduled.index(contracts.NOTIFY) > scheduled.index(contracts.CHECK_COMPLETENESS)
        await assert_replays(handle)


async def test_an_application_withdrawn_while_short_is_asked_about_with_its_end(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    async with short_of_income(time_skipping_env, tmp_path) as (_, app, settings, handle):
        await handle.execute_update(W.withdraw, Withdrawal(
            actor=customer(app), reason="found another lender", channel=Channel.APP))
        assert (await handle.result()).outcome is Stage.WITHDRAWN
        # applying, with the end; not the completeness visit, where they sent nothing
        assert list(asked(settings.db_url, handle)) == [f"{handle.id}:feedback:intake:1"]
        await assert_replays(handle)
