"""A kept act is delivered only while its typist is still listed and active in the policy in
force (starter/pending_delivery.py): a vote typed while the server was down, by an approver
made inactive before the worker came back, is refused at delivery, the attempt kept, and
never reaches the journey (a tester's such vote decided a case)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import ApprovalDecision, Verdict
from journey.policy import DEFAULT_POLICY_FILE
from journey.settings import Settings
from starter import pending_delivery
from starter.pending_request import kept_request
from store.pending import Delivery, Instruction, instructions, keep_instruction
from store.refusals import origin, refusals

JOURNEY = "loan-APP-LEFT"


def _without(tmp_path: Path, departed: str) -> Path:
    """The default policy, `departed` made inactive, under a version of its own."""
    policy: dict[str, Any] = json.loads(DEFAULT_POLICY_FILE.read_text(encoding="utf-8"))
    policy["version"] = f"{policy['version']}-left"
    [member] = [m for m in policy["staff"] if m["id"] == departed]
    member["active"] = False
    file = tmp_path / "policy-left.json"
    file.write_text(json.dumps(policy, ensure_ascii=False), encoding="utf-8")
    return file


async def test_a_vote_kept_before_its_approver_left_is_refused_at_delivery(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))  # where refusals are kept too
    monkeypatch.setenv("LOAN_JOURNEY_POLICY_FILE", str(_without(tmp_path, "cc-3")))
    settings = Settings()
    vote = ApprovalDecision(actor=Actor(id="cc-3", role=Role.APPROVER), verdict=Verdict.APPROVE,
                            reason="typed while the server was down")
    keep_instruction(settings.db_url, Instruction(
        workflow_id=JOURNEY, update="decide", update_id="u-left",
        request=kept_request("decide", vote), actor="cc-3", role=Role.APPROVER,
        typed_at=datetime.now(UTC), origin=origin()))

    done = await pending_delivery.deliver(time_skipping_env.client, settings)

    [settled] = done.settled
    assert settled.state is Delivery.REFUSED, settled
    assert "'cc-3' is no longer active" in settled.outcome, settled.outcome
    assert [k.state for k in instructions(settings.db_url, every=True)] == [Delivery.REFUSED]
    assert done.not_counted == [settled]  # a vote refused: listed as not counted
    [kept] = [r for r in refusals(settings.db_url) if r.workflow_id == JOURNEY]
    assert kept.actor == "cc-3" and "no longer active" in kept.reason
