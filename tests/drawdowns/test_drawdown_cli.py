"""`loan-journey drawdown request|decide|show` against a journey on the time-skipping server:
labelled files go to the document store, a refusal exits 3 with the journey's reason."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.documents import (
    DocumentKind,
    DocumentReading,
    DocumentRef,
    FinancialStatement,
    ReadStatus,
)
from journey.policy.calendar import moment_at
from store.ledger import bookings_for
from store.refusals import refusals
from tests.cli_kit import cli, point_cli_at, said
from tests.drawdowns.kit import at_drawdowns
from tests.workflows import journey_kit
from tests.workflows.journey_kit import Documents

pytestmark = pytest.mark.usefixtures("server_today")


def scan(docs: Documents, folder: Path, label: str) -> str:
    """A scanned permit on disk, which the fake OCR reads as no known kind."""
    path = folder / f"{label}.png"
    path.write_bytes(f"scan of the {label}".encode())
    data = path.read_bytes()
    ref = DocumentRef(sha256=hashlib.sha256(data).hexdigest(), filename=path.name, size=len(data))
    docs.readings[ref.sha256] = DocumentReading(ref=ref, status=ReadStatus.UNREADABLE,
                                                kind=DocumentKind.UNKNOWN, reason="kind: other")
    return f"{label}={path}"


def income_statement(docs: Documents, folder: Path, company: str, profit: int) -> str:
    """The borrower's last full year restated on disk, which the fake OCR reads as one: given
    after the application's, it stands for that year."""
    path = folder / f"income-{profit}.png"
    path.write_bytes(f"income statement, operating profit {profit}".encode())
    data = path.read_bytes()
    ref = DocumentRef(sha256=hashlib.sha256(data).hexdigest(), filename=path.name, size=len(data))
    docs.readings[ref.sha256] = DocumentReading(
        ref=ref, status=ReadStatus.READ, kind=DocumentKind.INCOME_STATEMENT,
        statement=FinancialStatement(kind=DocumentKind.INCOME_STATEMENT, company=company,
                                     period_end=date(journey_kit.TODAY.year - 1, 12, 31),
                                     revenue=Decimal(9_000_000), net_profit=Decimal(profit),
                                     operating_profit=Decimal(profit)))
    return f"income_statement={path}"


async def test_request_decide_and_show_from_the_command_line(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    point_cli_at(monkeypatch, time_skipping_env.client, data_dir=tmp_path)
    docs = Documents()
    files = [scan(docs, tmp_path, "planning_permit"), scan(docs, tmp_path, "capital_proof")]
    async with at_drawdowns(time_skipping_env, tmp_path, docs) as (app, settings, handle):
        code = ["--as", app.credit_code]

        over = await cli("drawdown", "request", handle.id, "--tranche", "t1",
                         "--amount", "5000000", *files, *code)
        assert over.exit_code == 3, over.output
        assert "ask for 4,500,000.00 or less" in said(over)

        # conditions not met: a refusal (exit 3), what failed and what to do, not kept apart
        weak = income_statement(docs, tmp_path, app.applicant_name, 700_000)
        failed = await cli("drawdown", "request", handle.id, "--tranche", "t1",
                           "--amount", "4000000", *files, weak, *code)
        assert failed.exit_code == 3, failed.output
        assert "conditions_failed" in said(failed) and "conditions precedent" in said(failed)
        assert re.search(r"min_dscr 1\.\d+: projected DSCR [\d.]+ is below 1\.\d+ .*"
                         r"income_statement=PATH.*or ask for [\d,]+\.00 or less", said(failed))
        assert not [r for r in refusals(settings.db_url, handle.id) if "DSCR" in r.reason]

        # kept on the file: asked again without a statement, it is still the one tested
        again = await cli("drawdown", "request", handle.id, "--tranche", "t1",
                          "--amount", "4000000", *files, *code)
        assert again.exit_code == 3 and "income-700000.png" in said(again), again.output
        good = income_statement(docs, tmp_path, app.applicant_name, 9_000_000)

        bad = await cli("drawdown", "request", handle.id, "--tranche", "t1",
                        "--amount", "100", "permit.png", *code)
        assert bad.exit_code == 2 and "LABEL=PATH" in said(bad)

        asked = await cli("drawdown", "request", handle.id, "--tranche", "t1",
                          "--amount", "4500000", "--payee", "某建设集团有限公司",
                          "--payee-account", "6222020200112233445", *files, *code)
        assert asked.exit_code == 2 and "--payee-bank and --payee-contract" in said(asked)
        asked = await cli("drawdown", "request", handle.id, "--tranche", "t1",
                          "--amount", "4500000", "--payee", "某建设集团有限公司",
                          "--payee-account", "6222020200112233445", "--payee-bank",
                          "中国工商银行深圳分行", "--payee-contract", "EPC-9", *files, good, *code)
        assert asked.exit_code == 0, asked.output
        assert "awaiting_decision" in said(asked) and "planning_permit" in said(asked)

        short = await cli("drawdown", "decide", handle.id, "--verdict", "approve",
                          "--reason", "x", "--as", "risk-pf-1")
        assert short.exit_code == 2 and "reason: String should have at least" in said(short)
        assert "pydantic" not in said(short)
        # the customer is told a rejection's category: an approval states none
        sorted_ = await cli("drawdown", "decide", handle.id, "--verdict", "approve",
                            "--reason", "permit checked", "--category", "leverage",
                            "--as", "risk-pf-1")
        assert sorted_.exit_code == 2 and "only a rejection states the category" in said(sorted_)

        decided = await cli("drawdown", "decide", handle.id, "--verdict", "approve",
                            "--reason", "permit checked [/] file 7", "--as", "risk-pf-1")
        assert decided.exit_code == 0, decided.output
        assert "awaiting_payees" in said(decided) and "`confirm-payees`" in said(decided)
        assert bookings_for(settings.db_url, handle.id) == []
        # operations pay it: one enters the payee checked against the contract, a second
        # confirms it
        entered = await cli("pay-to", handle.id, "--payee", "某建设集团有限公司", "--account",
                            "6222020200112233445", "--bank", "中国工商银行深圳分行",
                            "--contract", "EPC-9", "--amount", "4500000", "--as", "ops-wang")
        assert entered.exit_code == 0, entered.output
        assert "payment instruction 1 entered" in said(entered)
        paid = await cli("confirm-payees", handle.id, "--instruction", "1", "--as", "ops-zhao")
        assert paid.exit_code == 0, paid.output
        assert "drawdown t1: 4,500,000.00 paid to 某建设集团有限公司" in said(paid)

        shown = await cli("drawdown", "show", handle.id)
        assert shown.exit_code == 0 and "drawn 4,500,000.00" in said(shown)
        assert "t2 cap 6,000,000.00" in said(shown)
        [booking] = bookings_for(settings.db_url, handle.id)
        assert booking.payee == "某建设集团有限公司"
        # the record: who decided and why (as typed), to whom the money went, the wait
        assert "risk-pf-1: permit checked [/] file 7" in said(shown)
        # to whom operations confirmed it pays, as they entered it
        assert (f"paid to 某建设集团有限公司 (6222020200112233445, 中国工商银行深圳分行, "
                f"contract EPC-9) 4,500,000.00, booking {booking.booking_id} at"
                in said(shown))
        # the wait as people say it (4h30m), not a raw timedelta's 0:00:12 (a booking's
        # time of day, 10:00 or 20:00, may hold "0:00" and is no wait)
        assert re.search(r"waited \d+[dhms]", said(shown)) and "waited 0:" not in said(shown)
        # each check with its threshold; the moments on the bank's clock, as status's
        assert "checks: min_dscr 1.30, no_event_of_default" in said(shown), said(shown)
        record = (await journey_kit.status(handle)).drawdowns[-1]  # the one booked
        assert record.booked_at is not None
        assert (f"asked {moment_at(record.requested_at, 8)}" in said(shown)
                and f"at {moment_at(record.booked_at, 8)}; waited" in said(shown)), said(shown)
