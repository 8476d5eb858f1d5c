"""Record the post-loan run of a loan that learns next year's published calendar into
tests/histories/calendar_learned.json (marker calendar-learned).

    .venv/bin/python -m tests.histories.record_calendar

Paid out on the `holidays` package's estimate of next year; the workers restart on a bank's
calendar file that makes an instalment's due day a holiday; a review continues the loan as
new, and the new run learns the year (re-dates the instalment, records the decision, tells the
customer); the loan is then settled, closing that run, which is the one recorded.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from journey.stages import Stage
from tests.audit.histories import save_history
from tests.conftest import installed_test_server, register_search_attributes
from tests.post_loan.calendar_kit import a_due_day_made_holiday, estimate, published
from tests.post_loan.loan_kit import (
    bank_day_at,
    loan_worker,
    review,
    settle_at_quote,
    skip_to,
    until,
)
from tests.workflows import journey_kit as kit
from workflows.loan_journey import LoanJourneyWorkflow

NAME = "calendar_learned"


async def main() -> Path:
    env = await WorkflowEnvironment.start_time_skipping(
        data_converter=pydantic_data_converter, test_server_existing_path=installed_test_server()
    )
    try:
        await register_search_attributes(env.client)
        now = await env.get_current_time()
        kit.TODAY = now.date()  # statements are dated from the server's clock
        monday = bank_day_at(now, 0, working=True)
        n, holiday = a_due_day_made_holiday(monday.date())
        docs, queue = kit.Documents(), f"tq-{uuid.uuid4()}"
        app = kit.application(docs, term_months=12)
        with tempfile.TemporaryDirectory() as tmp:
            async with loan_worker(env.client, Path(tmp), docs, task_queue=queue, cache=False,
                                   restarting=True) as settings:
                await skip_to(env, monday)
                handle = await kit.start(env.client, settings, app)
                await kit.drive_to(handle, app, Stage.OFFER)
                await handle.execute_update(LoanJourneyWorkflow.sign, kit.offer_signature(app))
                await until(handle, lambda s: s.account is not None)
            os.environ["LOAN_JOURNEY_CALENDAR_FILE"] = str(published(
                Path(tmp) / "calendar.json", estimate(monday.date()), holiday,
                f"国务院办公厅 {holiday.year - 1}-11 notice"))
            async with loan_worker(env.client, Path(tmp), docs, task_queue=queue) as settings:
                await review(env, settings, handle.id, 1)
                latest = env.client.get_workflow_handle_for(LoanJourneyWorkflow.run, handle.id)
                running = await until(latest, lambda s: s.offer is not None
                                      and s.offer.schedule[n - 1].due_on != holiday)
                await settle_at_quote(latest, running, "TX-ALL")
                await latest.result()
                return await save_history(latest, NAME)
    finally:
        await env.shutdown()


if __name__ == "__main__":
    print(f"recorded {asyncio.run(main())}")
