"""The borrower's settlement account (结算账户) a payout to it goes into, and the one account
rule of every account the bank pays into: the number 8 to 30 digits once a copy's spaces and
hyphens are gone (an entrusted payee's "4000-0233-09X" was taken as "4000023309X"); the
account in the borrower's own name; `start` refusing an application paid to the borrower
without one, before anything reaches a history."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from journey.actors import Actor, Role
from journey.application import LoanApplication, Product, SettlementAccount
from journey.bank_accounts import account_refusal
from journey.entrusted_payment import Counterparty, PaymentInstruction, instruction_refusal
from journey.settings import Settings
from journey.settlement import settlement_refusal
from starter import applications
from starter.applications import load_application
from starter.errors import BadInput
from tests.workflows.journey_kit import Documents, application

SAMPLES = Path(__file__).resolve().parents[2] / "samples/applications"
OPS = Actor(id="ops-wang", role=Role.OPERATIONS)
FIXED_ASSET_OVER = Decimal("5000000")  # the default policy's entrusted figure


@pytest.mark.parametrize("typed", [
    "6222020200114455667", "6222 0202-0011 4455 667", "12345678", "1" * 30,
    "６２２２０２０２００１", "\t6222 0202 001 ",  # full-width digits; a copy's tabs and ends
])
def test_an_account_of_8_to_30_digits_however_grouped_is_taken(typed: str) -> None:
    assert account_refusal(typed) is None


@pytest.mark.parametrize("typed", [
    "4000-0233-09X",  # the tester's: a letter is a typo, no CNY account's digit
    "4000023309X", "1234567", "1" * 31, "6222.0202.0011", "6222/0202/0011", "", "--------",
])
def test_a_letter_another_separator_or_a_length_out_of_range_is_refused(typed: str) -> None:
    assert account_refusal(typed) == (
        "an account number is 8 to 30 digits (spaces and hyphens between them may stay): "
        "copy it again from the bank's account opening letter")


def test_the_settlement_account_is_kept_as_its_digits_and_refused_with_a_letter() -> None:
    kept = SettlementAccount(name=" 某某有限公司 ", account="4000-0233-0912 3", bank="工行")
    assert (kept.name, kept.account, kept.ending) == ("某某有限公司", "4000023309123", "9123")
    with pytest.raises(ValidationError, match="8 to 30 digits"):
        SettlementAccount(name="某某有限公司", account="4000-0233-09X", bank="工行")


def test_an_application_file_with_a_bad_account_is_refused_naming_the_field(
    tmp_path: Path,
) -> None:
    data = json.loads((SAMPLES / "demo-001.json").read_text(encoding="utf-8"))
    data["settlement_account"]["account"] = "4000-0233-09X"
    path = tmp_path / "app.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(BadInput, match=r"settlement_account\.account: an account number is 8 "
                                       r"to 30 digits"):
        load_application(path)


def test_every_sample_names_its_borrowers_own_account() -> None:
    for sample in sorted(SAMPLES.glob("*.json")):
        app = load_application(sample)
        assert app.settlement_account is not None, sample
        assert settlement_refusal(app, FIXED_ASSET_OVER) is None, sample


def test_an_entrusted_payee_with_a_letter_in_its_account_is_refused() -> None:
    """The instruction's rule is the settlement account's: a letter no longer passes."""
    borrower = application(Documents(), product=Product.FIXED_ASSET, amount=20_000_000)
    payee = Counterparty(name="上海某机床设备有限公司", account="4000-0233-09X",
                         bank="中国工商银行上海分行", contract="PO-1", amount=borrower.amount)
    instruction = PaymentInstruction(actor=OPS, counterparties=[payee])
    assert instruction_refusal(instruction, borrower.amount, borrower) == (
        "counterparty 1 (上海某机床设备有限公司): an account number is 8 to 30 digits (spaces "
        "and hyphens between them may stay): copy it again from the bank's account opening "
        "letter")
    good = payee.model_copy(update={"account": "4000023309120"})
    assert instruction_refusal(PaymentInstruction(actor=OPS, counterparties=[good]),
                               borrower.amount, borrower) is None


def without_account(app: LoanApplication) -> LoanApplication:
    return app.model_copy(update={"settlement_account": None})


def test_a_loan_paid_to_the_borrower_needs_the_account_a_counterparties_one_not() -> None:
    docs = Documents()
    small = without_account(application(docs))
    assert settlement_refusal(small, None) == (
        "settlement_account is missing: the bank pays the loan into the borrower's settlement "
        "account (结算账户); give its name, account and bank, as \"settlement_account\" in "
        "samples/applications/demo-001.json does")
    large = without_account(application(docs, product=Product.FIXED_ASSET, amount=20_000_000))
    assert settlement_refusal(large, FIXED_ASSET_OVER) is None  # 受托支付: all to counterparties
    # a project's drawdowns below the figure are paid to the borrower, whatever its amount
    project = without_account(application(docs, product=Product.PROJECT_FINANCE,
                                          amount=60_000_000, term_months=60))
    assert settlement_refusal(project, FIXED_ASSET_OVER) is not None


def test_the_account_is_the_borrowers_own_as_the_entrusted_payee_check_reads_names() -> None:
    app = application(Documents())
    name, code = app.applicant_name, app.credit_code

    def named(holder: str) -> str | None:
        account = SettlementAccount(name=holder, account="1001020309000067890", bank="工行")
        return settlement_refusal(app.model_copy(update={"settlement_account": account}), None)

    bracketed = name.replace("有限公司", "（有限公司）")  # a typist's brackets: still theirs
    for ours in (name, f"{name}（基本户）", " ".join(name), code, bracketed):
        assert named(ours) is None, ours
    assert named("上海某贸易有限公司") == (
        f"settlement_account is in the name of 上海某贸易有限公司, not the borrower {name}: the "
        "loan is paid into the borrower's own account; give that one (see "
        "\"settlement_account\" in samples/applications/demo-001.json)")


async def test_start_refuses_an_application_paid_to_the_borrower_without_its_account(
    tmp_path: Path,
) -> None:
    """Refused before the server is reached (no client, none running), as a low amount is."""
    app = without_account(application(Documents()))
    with pytest.raises(BadInput, match=(
            f"application {app.application_id} not started: settlement_account is missing")):
        await applications.start_journey(None, Settings(data_dir=tmp_path), app)
