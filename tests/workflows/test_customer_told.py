"""What the customer is told of their documents, read from the outbox: that the application
has come, at once; and a request they can meet in one round."""

from __future__ import annotations

from datetime import date, timedelta, timezone

from temporalio.testing import WorkflowEnvironment

from journey.policy.completeness import CompletenessRules, recent_period
from journey.stages import Stage
from store.outbox import messages_for
from tests.post_loan.loan_kit import assert_replays
from tests.workflows.journey_kit import new_application, running_journey, terminate, until_stage

BEIJING = timezone(timedelta(hours=8))


async def test_a_stale_statement_and_the_missing_one_are_both_asked_of_a_recent_period(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """A 2020 balance sheet, no income statement and a corrupt scan: the customer is asked
    for both statements of the same recent period, never for an income statement of the
    stale one (which would be refused)."""
    docs, app = new_application(drop={"income"}, period=date(2020, 12, 31))
    app = app.model_copy(update={"documents": [*app.documents, docs.unreadable("corrupt")]})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        short = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        day = short.timeline[-1].entered_at.astimezone(BEIJING).date()  # the bank's day
        told = messages_for(settings.db_url, handle.id)
        [asked] = [m.body for m in told if m.template == "supplements_requested"]
        recent = recent_period(CompletenessRules(), day)
        assert recent.startswith("a recent period, ending ") and \
            f"the last financial year, ending {day.year - 1}-12-31, will do" in recent
        assert "- The latest balance sheet (资产负债表) ends on 2020-12-31, more than 18 months " \
            f"ago: send the balance sheet (资产负债表) of {recent}\n" in asked
        assert f"- Please send the income statement (利润表) of {recent}\n" in asked
        assert "of the period ending 2020-12-31" not in asked
        assert "- We could not read corrupt.png" in asked
        await terminate(handle)


async def test_the_customer_is_told_at_intake_that_the_application_has_come(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Their first notice, queued while the file is read: not a survey, not a request."""
    docs, app = new_application(drop={"income"})
    app = app.model_copy(update={"documents": [*app.documents, docs.unreadable("corrupt")]})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await until_stage(handle, Stage.COMPLETENESS, asking=True)
        yours = f"Your application {app.application_id} for a working capital loan of 3,000,000.00"
        told = [(m.template, m.recipient, m.key, m.body)
                for m in messages_for(settings.db_url, handle.id)]
        assert told[0] == (
            "application_received", "customer", f"{handle.id}:received",
            f"{yours} has been received. We are reading your documents; if anything is "
            "missing or cannot be read, we will tell you what to send.")
        assert [t for t, *_ in told].count("application_received") == 1
        await assert_replays(handle)
        await terminate(handle)
