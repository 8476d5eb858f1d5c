"""The post-loan policy's life, as the lending policy's: the bank's file
(LOAN_JOURNEY_POST_LOAN_POLICY_FILE) is read, checked and recorded once as a worker starts,
every offer pins that one with the sha256 of its text, and a changed text under a version
already recorded is refused."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from temporalio.testing import WorkflowEnvironment

from activities.review import post_loan_policy_text
from journey.settings import Settings
from journey.stages import Stage
from starter.errors import SetupError
from starter.start_checks import check_start
from starter.status_view import status_view
from store.policies import recorded, sha256_of
from tests.post_loan.loan_kit import loan_worker
from tests.workflows.journey_kit import drive_to, new_application, start


def post_loan_file(path: Path, version: str, edit: Any = None) -> Path:
    """The packaged post-loan policy under `version`, changed by `edit` (given its JSON)."""
    data: dict[str, Any] = json.loads(post_loan_policy_text())
    data["version"] = version
    if edit is not None:
        edit(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def max_leverage(limit: str) -> Any:
    """An edit: working-capital loans carry max-leverage at `limit` alone."""
    def edit(data: dict[str, Any]) -> None:
        data["product_covenants"]["working_capital"] = [
            {"id": "max-leverage", "ratio": "debt_to_asset", "bound": "max", "limit": limit}]
    return edit


async def test_an_offer_pins_the_post_loan_policy_its_worker_started_with(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The tester's case: max-leverage edited 0.70 -> 0.35 in place while the worker runs
    reaches no offer (the worker's loaded 0.70 does, named with the hash of its text); a
    restart on the edited file is refused, since one version label stands for one policy; the
    edit under a new version is taken, and recorded."""
    file = post_loan_file(tmp_path / "post_loan.json", "PL-1", max_leverage("0.70"))
    started_with = file.read_text(encoding="utf-8")
    monkeypatch.setenv("LOAN_JOURNEY_POST_LOAN_POLICY_FILE", str(file))
    docs, app = new_application()  # debt/assets 0.40: within 0.70, above 0.35
    async with loan_worker(time_skipping_env.client, tmp_path, docs) as settings:
        post_loan_file(file, "PL-1", max_leverage("0.35"))  # edited while the worker runs
        handle = await start(time_skipping_env.client, settings, app)
        offered = await drive_to(handle, app, Stage.OFFER)
    assert offered.offer is not None
    assert {c.id: c.limit for c in offered.offer.covenants}["max-leverage"] == Decimal("0.70")
    assert (offered.post_loan_policy_version, offered.post_loan_policy_sha256) == (
        "PL-1", sha256_of(started_with))
    console = Console(record=True, width=300)
    console.print(status_view(offered))
    assert f"post-loan policy PL-1 (sha256 {sha256_of(started_with)[:12]})" in " ".join(
        console.export_text().split())

    with pytest.raises(SetupError) as reused:
        check_start(settings)
    said = str(reused.value)
    assert said.startswith("LOAN_JOURNEY_POST_LOAN_POLICY_FILE cannot be used: post-loan "
                           "policy version PL-1 was first loaded"), said
    assert 'give the changed file a new "version"' in said
    row = recorded(settings.db_url, "PL-1", "post_loan")
    assert row is not None and row.text == started_with  # what the offer pinned, kept

    post_loan_file(file, "PL-2", max_leverage("0.35"))
    policies = check_start(settings)
    assert policies is not None and policies.post_loan.policy.version == "PL-2"
    assert recorded(settings.db_url, "PL-2", "post_loan") is not None
    assert recorded(settings.db_url, "PL-2") is None  # a post-loan policy, not a lending one


def test_a_post_loan_policy_file_that_cannot_be_used_stops_the_start_naming_the_field(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    file = post_loan_file(tmp_path / "post_loan.json", "PL-1",
                          lambda data: data.update(review_every_months=5))
    monkeypatch.setenv("LOAN_JOURNEY_POST_LOAN_POLICY_FILE", str(file))
    with pytest.raises(SetupError) as invalid:
        check_start(Settings(data_dir=tmp_path / "data"))
    said = str(invalid.value)
    assert said.startswith("LOAN_JOURNEY_POST_LOAN_POLICY_FILE cannot be used: post-loan policy "
                           "file is invalid; fix: review_every_months: Value error, reviews "
                           "every 5 months do not fall on the same months every year"), said
    assert said.endswith("point it at a readable post-loan policy file, or unset it for the "
                         "default post-loan policy")
