"""A payout to the borrower goes into the settlement account (结算账户) its application
names, and says so: the ledger row carries the account's name, number and bank, as finance
matches it to the bank's payment; `status` shows where the money went; the customer's notice
names the account by its last four digits. A journey started before applications named one
pays and tells as it did."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from journey.application import SettlementAccount
from journey.stages import Stage
from starter.status_view import status_view
from store.ledger import bookings_for
from store.outbox import messages_for
from tests.workflows.journey_kit import (
    SETTLEMENT_ACCOUNT,
    drive_to,
    new_application,
    running_journey,
)


def shown(status: object) -> str:
    console = Console(width=240, record=True)
    console.print(status_view(status))  # type: ignore[arg-type]
    return " ".join(console.export_text().split())


async def told(db_url: str, workflow_id: str) -> str:
    """The payout's notice, once queued: it goes behind the payout (the journey reaches
    post-loan first), so a read at once may come before it."""
    for _ in range(300):
        if sent := [m.body for m in messages_for(db_url, workflow_id)
                    if m.template == "loan_disbursed"]:
            [body] = sent
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"no loan_disbursed notice for {workflow_id} in 30 s")


async def test_the_payout_is_booked_shown_and_told_with_the_borrowers_account(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    docs, app = new_application()
    into = app.settlement_account
    assert into is not None and into.account == SETTLEMENT_ACCOUNT
    # the account's name with its note, as the bank's account opening letter prints it
    noted = SettlementAccount(name=f"{app.applicant_name}（基本户）",
                              account="4000-0233-0912-0456", bank="中国建设银行上海浦东支行")
    app = app.model_copy(update={"settlement_account": noted})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        paid = await drive_to(handle, app, Stage.POST_LOAN)
        [booked] = bookings_for(settings.db_url, handle.id)
        assert (booked.payee, booked.account, booked.bank, booked.amount) == (
            noted.name, "4000023309120456", "中国建设银行上海浦东支行", Decimal(app.amount))
        d = paid.disbursement
        assert d is not None and (d.account, d.bank) == ("4000023309120456", noted.bank)
        assert (f"paid to {noted.name}, account 4000023309120456, 中国建设银行上海浦东支行"
                in shown(paid))
        assert (f"{app.amount:,.2f} into your account ending 0456. The first instalment"
                in await told(settings.db_url, handle.id))


async def test_a_journey_started_before_accounts_were_named_pays_as_before(
    time_skipping_env: WorkflowEnvironment, tmp_path
) -> None:
    """Its application (taken by a server before `start` asked for the account) loads and
    is paid to the borrower's name alone, its notice unchanged."""
    docs, app = new_application()
    app = app.model_copy(update={"settlement_account": None})
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        paid = await drive_to(handle, app, Stage.POST_LOAN)
        [booked] = bookings_for(settings.db_url, handle.id)
        assert (booked.payee, booked.account, booked.bank) == (app.applicant_name, None, None)
        assert "paid to" not in shown(paid)
        assert (f"{app.amount:,.2f} into your account. The first instalment"
                in await told(settings.db_url, handle.id))
