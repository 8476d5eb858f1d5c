"""Entrusted payment (受托支付): a fixed-asset payout above the pinned policy's figure waits
at the disbursement, under the policy's instruction SLA, for operations' payment instruction,
entered by one operations person and confirmed by a second (neither the case's submitter), and
is booked to the counterparties, once each; at the figure, or under a policy pinned before
2026.12-6, the borrower is paid at once as before."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from temporalio.api.enums.v1 import EventType as HistoryEventType
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.policy import PolicyActivities, china_calendar
from journey.actors import Actor, Role
from journey.application import LoanApplication, Product
from journey.decisions import Withdrawal
from journey.entrusted_payment import Counterparty, PaymentConfirmation, PaymentInstruction
from journey.policy import DEFAULT_POLICY_FILE
from journey.policy.calendar import moment_at
from journey.policy.sla import Unit, add_duration
from journey.queue_wait import QueueWait
from journey.repayment import money
from journey.settings import Settings
from journey.stages import Party, Stage
from journey.timeline import EventType
from starter.status_view import status_view
from store.ledger import bookings_for
from store.outbox import messages_for
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import bank_day_at, loan_worker, policy, skip_to, until
from tests.workflows.journey_kit import (
    SUBMITTER,
    Documents,
    customer,
    drive_to,
    new_application,
    offer_signature,
    refused,
    running_journey,
    start,
    until_stage,
)
from workflows import search_attributes as sa
from workflows.entrusted_payout import ENTRUSTED_PAYOUT, INSTRUCTION_SLA_LISTED, PAYEES_CONFIRMED
from workflows.loan_journey import LoanJourneyWorkflow
from workflows.payee_instructions import PAYOUT_VALUE_DATED

OPS = Actor(id="ops-wang", role=Role.OPERATIONS)
CHECKER = Actor(id="ops-li", role=Role.OPERATIONS)  # the second operations person
# who submits the cases here, so that both operations people of the staff directory may act
MANAGER = Actor(id="rm-zhang", role=Role.RELATIONSHIP_MANAGER)
CORPORATE_RISK = Actor(id="risk-corp-1", role=Role.RISK_OFFICER)
HEAD_OFFICE = Actor(id="appr-ho-1", role=Role.APPROVER)
AMOUNT = 20_000_000  # above fixed asset's 5,000,000: corporate risk, head-office approval


def supplier(name: str, account: str, amount: str) -> Counterparty:
    return Counterparty(name=name, account=account, bank="中国工商银行上海分行",
                        contract=f"PO-{account[-4:]}", amount=Decimal(amount))


EQUIPMENT = supplier("上海某机床设备有限公司", "6222020200114455667", "12000000.00")
BUILDER = supplier("中建某局第三工程有限公司", "6222020200112233445", "8000000.00")


async def signed(handle: WorkflowHandle, app: LoanApplication) -> None:
    """Walk a large fixed-asset loan through corporate risk and head office to its signature."""
    await drive_to(handle, app, Stage.OFFER, risk=CORPORATE_RISK, approver=HEAD_OFFICE)
    await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))


def large(**changes: Any) -> tuple[Documents, LoanApplication]:
    """A fixed-asset loan above the figure, submitted by a relationship manager."""
    return new_application(**({"product": Product.FIXED_ASSET, "amount": AMOUNT,
                               "term_months": 60, "submitted_by": MANAGER} | changes))


def confirming(number: int, actor: Actor = CHECKER) -> PaymentConfirmation:
    return PaymentConfirmation(actor=actor, instruction=number)


async def queue_wait(handle: WorkflowHandle) -> QueueWait | None:
    """The wait the journey lists on its team's queue (the QueueWait search attribute)."""
    return QueueWait.of((await handle.describe()).typed_search_attributes.get(sa.QUEUE_WAIT))


async def patched(handle: WorkflowHandle, marker: str = ENTRUSTED_PAYOUT) -> bool:
    """Whether the journey's history took `marker`."""
    history = await handle.fetch_history()
    return any(marker.encode() in p.data
               for e in history.events
               if e.event_type == HistoryEventType.EVENT_TYPE_MARKER_RECORDED
               for v in e.marker_recorded_event_attributes.details.values()
               for p in v.payloads)


async def test_above_the_figure_waits_for_operations_and_pays_the_counterparties(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = time_skipping_env
    docs, app = large()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await signed(handle, app)
        waiting = await until_stage(handle, Stage.DISBURSEMENT, asking=True)
        assert (waiting.waits_on, waiting.team) == (Party.BANK, "operations")
        assert waiting.entrusted is not None and waiting.entrusted.over == Decimal("5000000")
        assert "payment instruction from operations" in waiting.waiting_for[0]
        assert waiting.disbursement is None and bookings_for(settings.db_url, handle.id) == []
        # the wait is under the policy's instruction SLA (2 working days, warned after one):
        # in status, and on operations' queue
        wait, entered = waiting.wait, waiting.timeline[-1].entered_at
        assert wait is not None and wait.business
        assert abs(wait.since - entered) < timedelta(seconds=1)
        calendar = china_calendar(entered.date(), 2)
        for at, days in ((wait.warn_at, 1), (wait.due_at, 2)):
            counted = add_duration(calendar, entered, timedelta(days=days), Unit.BUSINESS_DAYS)
            assert at is not None and abs(at - counted) < timedelta(seconds=1), (at, counted)
        listed = await queue_wait(handle)
        assert listed is not None and (listed.warn_at, listed.due_at) == (wait.warn_at,
                                                                          wait.due_at)
        assert listed.business and listed.awaiting is None
        assert await patched(handle, INSTRUCTION_SLA_LISTED)
        shown = Console(width=1000, record=True)
        shown.print(status_view(waiting))
        sla_row = next(line for line in shown.export_text().splitlines()
                       if "on the wait since" in line)
        bank = waiting.bank_utc_offset or 0
        assert f"ok on the wait since {moment_at(entered, bank)}" in sla_row
        assert wait.due_at is not None and f"due {moment_at(wait.due_at, bank)}" in sla_row
        # the instruction's SLA runs on operations: past it, their team is reminded
        await env.sleep(timedelta(days=7))
        late = await handle.query(LoanJourneyWorkflow.status)
        sla = [e for e in late.events if e.stage is Stage.DISBURSEMENT
               and e.type in (EventType.SLA_BREACHED, EventType.ESCALATED)]
        assert sla and all(e.team == "operations" and e.waits_on is Party.BANK for e in sla)
        recipients = {m.recipient for m in messages_for(settings.db_url, handle.id)
                      if m.template.startswith("sla_") or m.template.startswith("payment_")}
        assert "operations" in recipients

        assert (await handle.query(LoanJourneyWorkflow.status)).sla_state == "breached"

        # entered by one operations person: nothing is paid until a second confirms it
        both = PaymentInstruction(actor=OPS, counterparties=[EQUIPMENT, BUILDER])
        entered_1 = await handle.execute_update(LoanJourneyWorkflow.record_payment_instruction,
                                                both)
        assert entered_1.stage is Stage.DISBURSEMENT
        assert "payment instruction 1 entered" in entered_1.message
        assert f"confirm-payees {handle.id} --instruction 1" in entered_1.message
        assert bookings_for(settings.db_url, handle.id) == []
        awaiting = await handle.query(LoanJourneyWorkflow.status)
        assert awaiting.entrusted is not None and awaiting.entrusted.awaiting == both
        assert awaiting.entrusted.instruction is None and awaiting.team == "operations"
        # on the bank's clock, as the rest of status
        assert awaiting.entrusted.recorded_at is not None and awaiting.bank_utc_offset == 8
        assert ("confirmation of payment instruction 1, entered by ops-wang at "
                f"{moment_at(awaiting.entrusted.recorded_at, 8)}, by a second") in \
            awaiting.waiting_for[0]
        listed = await queue_wait(handle)
        assert listed is not None and listed.due_at == wait.due_at
        assert listed.awaiting == ("confirmation of payment instruction 1 (entered by "
                                   "ops-wang) by a second operations person")
        shown = Console(width=1000, record=True)
        shown.print(status_view(awaiting))
        to_confirm = next(line for line in shown.export_text().splitlines()
                          if "to confirm" in line)
        assert "payment instruction 1 entered by ops-wang" in to_confirm
        assert EQUIPMENT.account in to_confirm and BUILDER.contract in to_confirm

        result = await handle.execute_update(LoanJourneyWorkflow.confirm_payment_instruction,
                                             confirming(1))
        assert result.stage is Stage.POST_LOAN
        # booked at once, each under its own key, in whichever order the ledger took them
        booked = sorted(bookings_for(settings.db_url, handle.id), key=lambda b: b.key)
        assert [(b.key, b.payee, b.amount) for b in booked] == [
            (f"{handle.id}:disbursement:1", EQUIPMENT.name, EQUIPMENT.amount),
            (f"{handle.id}:disbursement:2", BUILDER.name, BUILDER.amount),
        ]
        assert "contract PO-5667 to account 6222020200114455667" in booked[0].purpose
        s = await until_stage(handle, Stage.POST_LOAN)
        assert s.disbursement is not None and s.disbursement.amount == Decimal(AMOUNT)
        assert app.applicant_name not in s.disbursement.payee
        assert s.entrusted is not None and s.entrusted.instruction == both
        assert s.entrusted.bookings == [b.booking_id for b in booked]
        # each counterparty with its own booking, not the first's alone
        assert [(p.name, p.account, p.booking_id) for p in s.entrusted.payments] == [
            (c.name, c.account, b.booking_id) for c, b in zip(both.counterparties, booked,
                                                              strict=True)]
        shown = Console(width=1000, record=True)
        shown.print(status_view(s))
        rows = shown.export_text().splitlines()
        disbursed = next(line for line in rows if "disbursed" in line)
        assert all(b.booking_id in disbursed for b in booked)
        assert "to 2 counterparties" in disbursed
        paid = next(line for line in rows if "paid to" in line)
        assert all(f"{c.amount:,}, booking {b.booking_id}" in paid
                   for c, b in zip(both.counterparties, booked, strict=True))
        assert "instructed by ops-wang at" in paid and "confirmed by ops-li at" in paid
        made = {d.verdict: d for d in s.decisions if d.verdict.startswith("payment instruction")}
        assert [(v, d.actor.id) for v, d in made.items()] == [
            ("payment instruction entered", "ops-wang"),
            ("payment instruction confirmed", "ops-li")]
        for d in made.values():
            assert "instruction 1" in d.reason and EQUIPMENT.account in d.reason
            assert BUILDER.contract in d.reason
        assert s.entrusted.confirmed_by == CHECKER
        assert await patched(handle) and await patched(handle, PAYEES_CONFIRMED)
        assert s.wait is None and await queue_wait(handle) is None  # on no queue now
        # a second instruction, or a second confirmation, is refused, saying who entered the
        # instruction paid, who confirmed it and when
        assert s.entrusted.recorded_at is not None and s.entrusted.confirmed_at is not None
        paid_on = (f"the payment instruction was recorded by ops-wang at "
                   f"{moment_at(s.entrusted.recorded_at, 8)}, confirmed by ops-li at "
                   f"{moment_at(s.entrusted.confirmed_at, 8)}")
        assert paid_on in await refused(handle, LoanJourneyWorkflow.record_payment_instruction,
                                        both)
        assert paid_on in await refused(handle, LoanJourneyWorkflow.confirm_payment_instruction,
                                        confirming(1))
        # the customer was told at the offer that the loan pays its counterparties and which
        # contracts to hand in, and at the payout whom it paid, not their account
        told = {m.template: m.body for m in messages_for(settings.db_url, handle.id)}
        assert ("Paid by entrusted payment (受托支付): as the loan is above 5,000,000.00, the "
                "bank pays it not into your account but to the counterparties of your "
                "commercial contracts") in told["offer_ready"]
        assert "hand your relationship manager the contracts it pays for" in told["offer_ready"]
        assert (f"Your application {app.application_id} for a fixed asset loan of "
                f"20,000,000.00 was paid out on {s.offer.starts_on}: 20,000,000.00 as entrusted "
                "payment (受托支付), to the counterparties of your contracts, not into your "
                f"account: {EQUIPMENT.name}, 12,000,000.00 under contract PO-5667; "
                f"{BUILDER.name}, 8,000,000.00 under contract PO-3445.") in told["loan_disbursed"]


async def test_bad_instructions_are_refused_before_the_history_and_the_loan_may_be_withdrawn(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = time_skipping_env
    docs, app = new_application(product=Product.FIXED_ASSET, amount=AMOUNT, term_months=60)
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        instruct = LoanJourneyWorkflow.record_payment_instruction
        early = PaymentInstruction(actor=OPS, counterparties=[EQUIPMENT, BUILDER])
        await until_stage(handle, Stage.RISK_REVIEW)
        assert "waits for no payment instruction" in await refused(handle, instruct, early)
        await signed(handle, app)
        await until_stage(handle, Stage.DISBURSEMENT, asking=True)

        def by(actor: Actor, *counterparties: Counterparty) -> PaymentInstruction:
            return PaymentInstruction(actor=actor, counterparties=list(counterparties))

        def paying(name: str) -> Counterparty:
            return EQUIPMENT.model_copy(update={"name": name})

        # the borrower however written: its name spaced, full-width, with an account note
        # (基本户) or within a longer name, and its credit code
        spaced = " ".join(app.applicant_name) + "\u3000"
        suffixed = f"{app.applicant_name}（基本户）"
        borrowers = [app.applicant_name, spaced, suffixed, f"{app.applicant_name} (一般户)",
                     f"深圳{app.applicant_name}", app.credit_code, app.credit_code.lower()]
        # the same account, spaced or dashed: still named twice
        spaced_account = Counterparty.model_validate(
            BUILDER.model_dump() | {"account": "6222 0202-0011 4455 667"})
        assert spaced_account.account == EQUIPMENT.account  # kept as the bank compares it
        cases: list[tuple[PaymentInstruction, str]] = [
            (by(customer(app), EQUIPMENT, BUILDER), "is the customer"),
            (by(CORPORATE_RISK, EQUIPMENT, BUILDER), "this needs one of: operations"),
            (by(Actor(id="ops-ghost", role=Role.OPERATIONS), EQUIPMENT, BUILDER),
             "not in the staff directory"),
            (by(SUBMITTER, EQUIPMENT, BUILDER),
             "'ops-li' submitted this application and cannot enter its payment instruction"),
            *((by(OPS, paying(name), BUILDER), f"the payee {name} is the borrower")
              for name in borrowers),
            (by(OPS, EQUIPMENT), "the instruction pays 12,000,000.00, the payout is 20,000,000.00"),
            (by(OPS, EQUIPMENT, EQUIPMENT.model_copy(update={"amount": Decimal(8_000_000)})),
             "counterparties 1 and 2 name the same account"),
            (by(OPS, EQUIPMENT, spaced_account), "counterparties 1 and 2 name the same account"),
        ]
        for instruction, why in cases:
            assert why in await refused(handle, instruct, instruction), why
        assert "no payment instruction awaits confirmation" in await refused(
            handle, LoanJourneyWorkflow.confirm_payment_instruction, confirming(1))
        # entered by ops-wang: the submitter may not confirm it either
        entered = await handle.execute_update(instruct, by(OPS, EQUIPMENT, BUILDER))
        assert "not ops-wang nor the case's submitter ops-li, confirms it" in entered.message
        assert ("'ops-li' submitted this application and cannot confirm its payment "
                "instruction (four eyes): two other operations people enter it and confirm it "
                "(ops-zhao)") in await refused(
            handle, LoanJourneyWorkflow.confirm_payment_instruction, confirming(1, SUBMITTER))
        s = await handle.query(LoanJourneyWorkflow.status)
        assert s.stage is Stage.DISBURSEMENT and s.entrusted is not None
        assert s.entrusted.instruction is None and s.entrusted.awaiting is not None
        # nothing is paid out yet: the customer may still withdraw, and nothing is booked
        gone = await handle.execute_update(LoanJourneyWorkflow.withdraw, Withdrawal(
            actor=customer(app), reason="the equipment contract fell through"))
        assert gone.stage is Stage.WITHDRAWN
        assert bookings_for(settings.db_url, handle.id) == []
        assert "waits for no payment instruction" in await refused(handle, instruct, early)


async def test_the_maker_may_replace_the_instruction_and_the_checker_confirms_it_by_number(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = time_skipping_env
    docs, app = large()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await signed(handle, app)
        await until_stage(handle, Stage.DISBURSEMENT, asking=True)
        instruct = LoanJourneyWorkflow.record_payment_instruction
        confirm = LoanJourneyWorkflow.confirm_payment_instruction
        first = PaymentInstruction(actor=OPS, counterparties=[EQUIPMENT, BUILDER])
        await handle.execute_update(instruct, first)
        # nobody but its maker replaces it, and its maker does not confirm it
        assert "only its maker may replace it" in await refused(
            handle, instruct, first.model_copy(update={"actor": CHECKER}))
        assert "'ops-wang' entered this payment instruction and cannot confirm it" in \
            await refused(handle, confirm, confirming(1, OPS))
        assert "this needs one of: operations" in await refused(
            handle, confirm, confirming(1, CORPORATE_RISK))
        # replaced by its maker: a confirmation of the first, unseen since, is refused
        second = PaymentInstruction(actor=OPS, counterparties=[
            EQUIPMENT.model_copy(update={"amount": Decimal(15_000_000)}),
            BUILDER.model_copy(update={"amount": Decimal(5_000_000)})])
        replaced = await handle.execute_update(instruct, second)
        assert "payment instruction 2 entered (replacing 1)" in replaced.message
        stale = await refused(handle, confirm, confirming(1))
        assert ("instruction 1 is not the one awaiting confirmation: ops-wang entered "
                "instruction 2 at") in stale and "(UTC+8); check it" in stale
        assert "not the one awaiting" in await refused(handle, confirm, confirming(3))
        assert bookings_for(settings.db_url, handle.id) == []
        paid = await handle.execute_update(confirm, confirming(2))
        assert paid.stage is Stage.POST_LOAN
        assert sorted((b.payee, b.amount) for b in bookings_for(settings.db_url, handle.id)) \
            == sorted((c.name, c.amount) for c in second.counterparties)
        s = await until_stage(handle, Stage.POST_LOAN)
        assert s.entrusted is not None and s.entrusted.instruction == second
        entered = [d.reason for d in s.decisions if d.verdict == "payment instruction entered"]
        assert [r.split(":")[0] for r in entered] == ["instruction 1",
                                                       "instruction 2, replacing 1"]


async def test_operations_may_instruct_during_the_offer_and_the_signed_loan_is_paid_at_once(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = time_skipping_env
    docs, app = large()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER, risk=CORPORATE_RISK, approver=HEAD_OFFICE)
        both = PaymentInstruction(actor=OPS, counterparties=[EQUIPMENT, BUILDER])
        entered = await handle.execute_update(LoanJourneyWorkflow.record_payment_instruction,
                                              both)
        assert entered.stage is Stage.OFFER and "instruction 1 entered" in entered.message
        ahead = await handle.execute_update(LoanJourneyWorkflow.confirm_payment_instruction,
                                            confirming(1))
        assert ahead.stage is Stage.OFFER and "once the offer is signed" in ahead.message
        offered = await handle.query(LoanJourneyWorkflow.status)
        assert offered.entrusted is not None and offered.entrusted.instruction == both
        assert bookings_for(settings.db_url, handle.id) == []  # nothing paid before signing
        assert "was recorded by ops-wang" in await refused(
            handle, LoanJourneyWorkflow.record_payment_instruction, both)
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        s = await until_stage(handle, Stage.POST_LOAN)
        assert sorted(b.payee for b in bookings_for(settings.db_url, handle.id)) == sorted(
            [EQUIPMENT.name, BUILDER.name])
        paying = next(v for v in s.timeline if v.stage is Stage.DISBURSEMENT)
        assert paying.waits_on is Party.BANK
        disbursing = [e for e in s.events if e.stage is Stage.DISBURSEMENT and e.team]
        assert disbursing == []  # operations had nothing left to do at the disbursement
        assert not [m for m in messages_for(settings.db_url, handle.id)
                    if m.template == "payment_instruction_due"]


async def test_an_entrusted_payout_booked_on_a_saturday_is_value_dated_the_next_bank_day(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """Instructed and confirmed during the offer, signed on a Saturday: each counterparty's
    booking, the payout and the plan carry the next working day, as the borrower's would."""
    env = time_skipping_env
    docs, app = large()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER, risk=CORPORATE_RISK, approver=HEAD_OFFICE)
        await handle.execute_update(LoanJourneyWorkflow.record_payment_instruction,
                                    PaymentInstruction(actor=OPS,
                                                       counterparties=[EQUIPMENT, BUILDER]))
        await handle.execute_update(LoanJourneyWorkflow.confirm_payment_instruction,
                                    confirming(1))
        saturday = bank_day_at(await env.get_current_time(), 5, working=False)
        await skip_to(env, saturday)
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        s = await until_stage(handle, Stage.POST_LOAN)
        monday = china_calendar(saturday.date(), 1).next_working_day(saturday.date())
        assert monday > saturday.date()
        assert [b.value_on for b in bookings_for(settings.db_url, handle.id)] == [monday] * 2
        assert s.disbursement is not None and s.disbursement.value_on == monday
        assert s.offer is not None and s.offer.starts_on == monday
        assert await patched(handle, PAYOUT_VALUE_DATED)


async def test_at_the_figure_the_borrower_is_paid_as_before(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    """5,000,000 is not above fixed asset's 5,000,000: no instruction, no marker."""
    env = time_skipping_env
    docs, app = new_application(product=Product.FIXED_ASSET, amount=5_000_000)
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER)
        assert "waits for no payment instruction" in await refused(
            handle, LoanJourneyWorkflow.record_payment_instruction,
            PaymentInstruction(actor=OPS, counterparties=[
                EQUIPMENT.model_copy(update={"amount": Decimal(5_000_000)})]))
        await handle.execute_update(LoanJourneyWorkflow.sign, offer_signature(app))
        s = await until_stage(handle, Stage.POST_LOAN)
        await _paid_to_the_borrower(settings, handle, app, s.disbursement)


async def test_a_policy_pinned_before_2026_12_6_pays_the_borrower(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = time_skipping_env
    older: dict[str, Any] = json.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    del older["entrusted_payment"]
    older["version"] = "2026.12-5"
    policy_file = tmp_path / "policy-2026.12-5.json"
    policy_file.write_text(json.dumps(older, ensure_ascii=False), encoding="utf-8")

    def pinned_older(settings: Settings) -> list[Any]:
        return [PolicyActivities(settings.model_copy(update={"policy_file": policy_file}))
                .load_policy]

    docs, app = new_application(product=Product.FIXED_ASSET, amount=AMOUNT, term_months=60)
    async with running_journey(env, tmp_path, docs, app, pinned_older) as (settings, handle):
        await signed(handle, app)
        s = await until_stage(handle, Stage.POST_LOAN)
        assert s.policy_version == "2026.12-5"
        await _paid_to_the_borrower(settings, handle, app, s.disbursement)


async def _paid_to_the_borrower(settings: Settings, handle: WorkflowHandle,
                                app: LoanApplication, disbursement: Any) -> None:
    assert disbursement is not None and disbursement.payee == app.applicant_name
    booked = bookings_for(settings.db_url, handle.id)
    assert [(b.key, b.payee, b.amount) for b in booked] == [
        (f"{handle.id}:disbursement", app.applicant_name, app.amount)]
    s = await handle.query(LoanJourneyWorkflow.status)
    assert s.entrusted is None
    entered = [e for e in s.events if e.stage is Stage.DISBURSEMENT
               and e.type is EventType.ENTERED]
    assert [(e.waits_on, e.team) for e in entered] == [(Party.BANK, None)]
    assert not await patched(handle)


async def test_operations_instruct_from_the_command_line(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = time_skipping_env
    point_cli_at(monkeypatch, env.client, data_dir=tmp_path)
    docs, app = large()
    async with running_journey(env, tmp_path, docs, app) as (settings, handle):
        await signed(handle, app)
        await until_stage(handle, Stage.DISBURSEMENT, asking=True)
        waiting = await cli("status", handle.id)
        assert f"payment instruction from operations (受托支付): {money(AMOUNT)} is above" in (
            said(waiting))  # to the fen, as every amount
        options = [
            "--payee", EQUIPMENT.name, "--account", EQUIPMENT.account, "--bank", EQUIPMENT.bank,
            "--contract", EQUIPMENT.contract, "--amount", "12000000",
            "--payee", BUILDER.name, "--account", BUILDER.account, "--bank", BUILDER.bank,
            "--contract", BUILDER.contract, "--amount", "8000000",
        ]
        short = await cli("pay-to", handle.id, *options[:-2], "--as", "ops-wang")
        assert short.exit_code == 2 and "give every counterparty all five" in said(short)
        borrower = await cli("pay-to", handle.id, *options, "--as", app.credit_code,
                             "--role", "customer")
        assert borrower.exit_code == 3 and "give operations the commercial" in said(borrower)
        entered = await cli("pay-to", handle.id, *options, "--as", "ops-wang")
        assert entered.exit_code == 0, entered.output
        assert "journey at disbursement: payment instruction 1 entered" in said(entered)
        assert f"confirm-payees {handle.id} --instruction 1" in said(entered)
        assert bookings_for(settings.db_url, handle.id) == []
        awaiting = said(await cli("status", handle.id))
        assert "to confirm payment instruction 1 entered by ops-wang" in awaiting
        # what it waits for on the bank's clock beside its SLA, not in UTC
        assert "(UTC+8), by a second operations person" in awaiting
        assert " UTC," not in awaiting and " UTC;" not in awaiting
        own = await cli("confirm-payees", handle.id, "--instruction", "1", "--as", "ops-wang")
        assert own.exit_code == 3 and "cannot confirm it (four eyes)" in said(own)
        assert "checks it against the contracts and confirms it (ask ops-li" in said(own)
        paid = await cli("confirm-payees", handle.id, "--instruction", "1", "--as", "ops-li")
        assert paid.exit_code == 0, paid.output
        assert "journey at post_loan" in said(paid) and BUILDER.name in said(paid)
        assert len(bookings_for(settings.db_url, handle.id)) == 2
        twice = await cli("pay-to", handle.id, *options, "--as", "ops-wang")
        assert twice.exit_code == 3 and "recorded by ops-wang at" in said(twice)
        assert "(UTC+8), confirmed by ops-li at" in said(twice)
        shown = said(await cli("status", handle.id))
        assert "instructed by ops-wang" in shown and f"contract {BUILDER.contract}" in shown
        assert "confirmed by ops-li" in shown
        assert f"contract {BUILDER.contract}) 8,000,000.00" in shown  # typed 8000000: to the fen
        booked = sorted(bookings_for(settings.db_url, handle.id), key=lambda b: b.key)
        raw = json.loads((await cli("status", handle.id, "--json")).output)
        assert [(p["name"], p["booking_id"]) for p in raw["entrusted"]["payments"]] == [
            (EQUIPMENT.name, booked[0].booking_id), (BUILDER.name, booked[1].booking_id)]
        trail = said(await cli("history", handle.id))
        assert "update record_payment_instruction" in trail and "ops-wang" in trail
        assert EQUIPMENT.name in trail and BUILDER.account in trail
        assert "update confirm_payment_instruction" in trail and "ops-li" in trail
        kept = said(await cli("refusals", handle.id))
        assert "record_payment_instruction" in kept and app.credit_code in kept
        assert "confirm-payees" in kept and "cannot confirm it" in kept  # the maker's
        # the report's SLA column gives the disbursement the instruction's SLA
        report = await cli("report", "--db", settings.db_url)
        assert report.exit_code == 0, report.output
        disbursing = next(line for line in report.output.splitlines()
                          if line.startswith("│ disbursement"))  # the stage table's
        assert "2 working d (entrusted" in disbursing, report.output


async def test_the_instruction_rides_through_continue_as_new(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    env = time_skipping_env
    docs, app = large()
    # the journey is past 100 events by post-loan: it continues as new at once
    async with loan_worker(env.client, tmp_path, docs,
                           post_loan_policy=policy(max_history_events=100)) as settings:
        handle = await start(env.client, settings, app)
        await signed(handle, app)
        await until_stage(handle, Stage.DISBURSEMENT, asking=True)
        both = PaymentInstruction(actor=OPS, counterparties=[EQUIPMENT, BUILDER])
        await handle.execute_update(LoanJourneyWorkflow.record_payment_instruction, both)
        await handle.execute_update(LoanJourneyWorkflow.confirm_payment_instruction,
                                    confirming(1))
        latest = env.client.get_workflow_handle_for(LoanJourneyWorkflow.run, handle.id)
        s = await until(latest, lambda s: s.run > 1)
        assert s.entrusted is not None and s.entrusted.instruction == both
        assert len(s.entrusted.bookings) == 2 and s.entrusted.recorded_at is not None
        assert s.entrusted.confirmed_by == CHECKER and s.entrusted.entered == 1
