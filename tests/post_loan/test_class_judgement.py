"""A loan classified worse on its risk team's judgement (the borrower's condition, not days
past due): a risk officer proposes, the team's supervisor confirms; others are refused
before the history. Time-skipping server; the CLI runs against it as `loan-journey` would."""

from __future__ import annotations

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.class_judgement import ClassifyLoan
from journey.classification import RiskClass
from journey.decisions import WriteOff
from tests.cli_kit import cli, point_cli_at, said
from tests.post_loan.loan_kit import (
    assert_replays,
    disbursed_loan,
    listed_classes,
    review,
    until,
)
from tests.workflows.journey_kit import BRANCH_APPROVER, RISK_SME, Documents, refused
from workflows.loan_journey import LoanJourneyWorkflow

CLASSIFY = LoanJourneyWorkflow.classify_loan
WHY = "leverage 0.80, current ratio 0.50, DSCR 0.19: cannot service its debt"


def to(actor: Actor, risk_class: RiskClass = RiskClass.SUBSTANDARD) -> ClassifyLoan:
    return ClassifyLoan(actor=actor, risk_class=risk_class, reason=WHY)


async def test_the_risk_team_classifies_a_loan_substandard_on_judgement_four_eyes(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env, docs = time_skipping_env, Documents()
    point_cli_at(monkeypatch, env.client)
    async with disbursed_loan(env, tmp_path, docs) as (_, settings, handle, _):
        await until(handle, lambda s: s.risk_class_reason != "")
        # an approver, operations, another team: refused before the history
        assert "needs one of" not in await refused(handle, CLASSIFY, to(BRANCH_APPROVER))
        assert "is approver" in await refused(handle, CLASSIFY, to(BRANCH_APPROVER))
        assert "is operations" in await refused(
            handle, CLASSIFY, to(Actor(id="ops-wang", role=Role.OPERATIONS)))
        assert "this loan is 'sme_risk''s" in await refused(
            handle, CLASSIFY, to(Actor(id="risk-corp-1", role=Role.RISK_OFFICER)))
        assert "already classified normal" in await refused(
            handle, CLASSIFY, to(RISK_SME, RiskClass.NORMAL))

        proposed = await cli("classify", handle.id, "--class", "substandard", "--reason", WHY,
                             "--as", RISK_SME.id)
        assert proposed.exit_code == 0, proposed.output
        assert "takes effect once the sme_risk supervisor confirms it" in said(proposed)
        shown = said(await cli("status", handle.id))
        assert "classification 正常 (normal)" in shown
        assert "proposed substandard (次级) proposed by risk-sme-1" in shown
        # nobody else confirms it: another officer, the supervisor with another class
        assert "confirmed by the sme_risk supervisor (four eyes)" in await refused(
            handle, CLASSIFY, to(Actor(id="risk-sme-2", role=Role.RISK_OFFICER)))
        assert "confirm it by classifying substandard" in await refused(
            handle, CLASSIFY, to(Actor(id="sup-sme", role=Role.SUPERVISOR), RiskClass.LOSS))

        confirmed = await cli("classify", handle.id, "--class", "次级", "--reason",
                              "agreed after the site visit", "--as", "sup-sme")
        assert confirmed.exit_code == 0, confirmed.output
        judged = await until(handle, lambda s: s.risk_class is RiskClass.SUBSTANDARD)
        assert "on the risk team's judgement (risk-sme-1, confirmed by sup-sme)" in (
            judged.risk_class_reason)
        assert judged.class_proposal is None
        assert [w.kind for w in judged.warnings] == ["downgrade"]  # the team is told
        assert [(d.actor.id, d.verdict) for d in judged.decisions
                if d.verdict in ("class_proposed", "classified")] == [
            ("risk-sme-1", "class_proposed"), ("sup-sme", "classified")]
        assert "classification 次级 (substandard)" in said(await cli("status", handle.id))
        assert (await listed_classes(handle))[-1] == "substandard"  # what the book lists

        # non-performing now: the credit committee may vote it off
        vote = await handle.execute_update(
            LoanJourneyWorkflow.write_off,
            WriteOff(actor=Actor(id="cc-1", role=Role.APPROVER), reason="borrower insolvent"))
        assert vote.message == "write-off vote 1 of 2 recorded"

        # a review finding nothing wrong does not undo it: the observation period holds it
        await review(env, settings, handle.id, 1)
        held = await until(handle, lambda s: s.run == 2)
        assert held.risk_class is RiskClass.SUBSTANDARD
        assert "on the risk team's judgement" in held.risk_class_reason
        assert "held in observation" in held.risk_class_reason
        await assert_replays(handle)


async def test_the_proposer_may_not_propose_again_and_the_confirmed_grounds_are_the_why(
    time_skipping_env: WorkflowEnvironment, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Proposing the class awaiting confirmation again is refused before the history (it
    once replaced the grounds the supervisor then confirmed by "confirm"); the proposer's
    own proposal of another class replaces the first, and "why" gives the grounds confirmed."""
    env, docs = time_skipping_env, Documents()
    point_cli_at(monkeypatch, env.client)
    async with disbursed_loan(env, tmp_path, docs) as (_, _, handle, _):
        await until(handle, lambda s: s.risk_class_reason != "")
        first = await cli("classify", handle.id, "--class", "substandard", "--reason", WHY,
                          "--as", RISK_SME.id)
        assert first.exit_code == 0, first.output
        again = await cli("classify", handle.id, "--class", "substandard", "--reason",
                          "confirm", "--as", RISK_SME.id)
        assert again.exit_code == 3, again.output
        assert ("your proposal of substandard (次级) awaits the sme_risk supervisor's "
                "confirmation") in said(again)
        worse = "guarantor insolvent too: the collateral alone is left"
        replaced = await cli("classify", handle.id, "--class", "doubtful", "--reason", worse,
                             "--as", RISK_SME.id)
        assert replaced.exit_code == 0, replaced.output
        assert "doubtful (可疑) proposed, replacing your proposal of substandard (次级)" in (
            said(replaced))
        confirmed = await cli("classify", handle.id, "--class", "doubtful", "--reason",
                              "confirm", "--as", "sup-sme")
        assert confirmed.exit_code == 0, confirmed.output
        judged = await until(handle, lambda s: s.risk_class is RiskClass.DOUBTFUL)
        assert judged.risk_class_reason.endswith(
            f"(risk-sme-1, confirmed by sup-sme): {worse}"), judged.risk_class_reason
        assert [(d.actor.id, d.verdict) for d in judged.decisions
                if d.verdict in ("class_proposed", "classified")] == [
            ("risk-sme-1", "class_proposed"), ("risk-sme-1", "class_proposed"),
            ("sup-sme", "classified")]
        await assert_replays(handle)
