"""What people typed comes back whole in the command line's messages: text in brackets is
not markup, and an error is one line, as a log or a script reads it, its amounts to the fen."""

from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment
from typer.testing import Result

from tests.cli_kit import cli, point_cli_at
from tests.post_loan.loan_kit import disbursed_loan
from tests.workflows.journey_kit import SUBMITTER, Documents


async def test_a_refusal_quotes_a_bracketed_reference_whole_on_one_line(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    point_cli_at(monkeypatch, env.client)
    async with disbursed_loan(env, tmp_path, docs) as (_app, _settings, handle, _running):
        repay = ["repay", handle.id, "--reference", "[/TX] [bold]7", "--as", SUBMITTER.id]
        first = await cli(*repay, "--amount", "1000")
        assert first.exit_code == 0, first.output

        again = await cli(*repay, "--amount", "2000")
        assert again.exit_code == 3, again.output  # refused, not a markup traceback
        assert (  # in the bank's form, capitals (journey/bank_reference.py), markup whole
            "error: repayment refused: reference [/TX] [BOLD]7 is already recorded, a "
            "repayment of 1,000.00: a different payment needs its own reference\n"
        ) in again.output


async def test_a_malformed_repayment_is_told_field_by_field_before_it_is_sent() -> None:
    """No server: the command line refuses it as it builds the request (exit 2)."""
    both = await cli("repay", "loan-APP-X", "--amount", "100", "--reference", "BANK-1",
                     "--as", SUBMITTER.id, "--prepay", "--settle")
    assert both.exit_code == 2
    assert "a payment settles the whole loan or prepays part of it, not both" in boxed(both)
    assert "pydantic" not in both.output and "input_value" not in both.output
    shortening = await cli("repay", "loan-APP-X", "--amount", "100", "--reference", "BANK-1",
                           "--as", SUBMITTER.id, "--shorten")
    assert shortening.exit_code == 2
    assert "only a prepayment shortens the plan" in boxed(shortening)
    short = await cli("repay", "loan-APP-X", "--amount", "-5", "--reference", "B",
                      "--as", SUBMITTER.id)
    assert short.exit_code == 2
    assert ("reference: String should have at least 3 characters; amount: Input should be "
            "greater than 0") in boxed(short)


def boxed(result: Result) -> str:
    """The text of the usage error's box, its borders and line wrapping undone."""
    return " ".join(result.output.replace("│", " ").split())
