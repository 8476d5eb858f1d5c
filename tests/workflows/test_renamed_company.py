"""A company renamed (名称变更) applies under its new name with the credit code the bank
holds under its old one: `start --renamed-from`, checked against the names the bank holds,
recorded in the journey store, one borrower's exposure (统一授信) under either name (the dev
server: `start` lists runs, which the time-skipping server cannot; the new name's licence read
by the real OCR; `start`, `status` and `list` on the command line)."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from journey.application import LoanApplication
from journey.exposure import ExposureLine
from journey.renames import Rename
from journey.settings import Settings
from journey.stages import Stage
from starter import applications
from starter.errors import BadInput
from store import blobs
from store.code_names import renames_of
from store.seal_check import check
from store.sealed_records import NAMED
from tests.dev_server import fresh_dev_server
from tests.e2e.test_journey_on_dev_server import cli
from tests.workflows import journey_kit
from tests.workflows.journey_kit import (
    SUBMITTER,
    Documents,
    application,
    journey_worker,
    real_for_unknown,
    until_stage,
)
from tests.workflows.test_group_exposure import DEMO, stored

OLD = "上海旧名精密制造有限公司"  # company2's name before its change of name
KEY = "renames-key-0123456789"  # the archive key the command line seals renames with


async def test_a_renamed_company_starts_under_its_new_name_with_renamed_from(
    tmp_path: Path
) -> None:
    labels = {p["file"]: p for p in json.loads((DEMO / "labels.json").read_text("utf-8"))}
    two = labels["company2_business_license.jpg"]
    new, code = two["name"], two["credit_code"]
    docs, store = Documents(), blobs.DocumentStore.of(Settings(data_dir=tmp_path))

    def apply(name: str, days: int, *, licence: str | None = None) -> LoanApplication:
        """An application of `name` and company2's code, with the demo's `licence` (the
        fake's otherwise), its statements of `days` ago."""
        app = application(docs, company=(name, code), drop={"licence"} if licence else set(),
                          period=journey_kit.TODAY - timedelta(days=days))
        if licence:
            app.documents.insert(0, blobs.put(store, (DEMO / licence).read_bytes(), licence))
        return app

    async with fresh_dev_server() as env, journey_worker(
            env.client, tmp_path, docs, real_for_unknown(docs)) as settings:
        client = env.client
        earlier_app = stored(settings, apply(OLD, 60))  # holds the code under OLD
        earlier = await applications.start_journey(client, settings, earlier_app)
        await until_stage(earlier, Stage.RISK_REVIEW, seconds=60)

        renamed = stored(settings, apply(new, 90, licence=two["file"]))
        keyed = settings.model_copy(update={"archive_key": SecretStr(KEY)})
        cli_settings = keyed.model_copy(update={
            "temporal_address": client.service_client.config.target_host})
        path = tmp_path / "renamed.json"
        path.write_text(renamed.model_dump_json(), encoding="utf-8")
        refused = await cli(cli_settings, "start", str(path), ok=False)
        assert refused.returncode == 2, refused.stderr  # BadInput
        assert " ".join(refused.stderr.split()).endswith(
            f"if the applicant is {OLD}, correct its name; if {OLD} renamed to {new}, start "
            f"again with --renamed-from '{OLD}'")
        typo = OLD.replace("旧名", "旧")
        with pytest.raises(BadInput) as typed:
            await applications.start_journey(client, settings, renamed, renamed_from=typo)
        assert str(typed.value) == (
            f"application {renamed.application_id} not started: --renamed-from '{typo}': the "
            f"bank holds credit code {code} under {OLD}, not under {typo}: give the former "
            "name the bank holds, as the company's record of the change of name (名称变更) "
            "states it")
        assert renames_of(settings.db_url, code) == []

        await cli(cli_settings, "start", str(path), "--renamed-from", OLD)
        handle = client.get_workflow_handle(applications.journey_id(renamed.application_id))
        [rename] = renames_of(settings.db_url, code)
        assert rename == Rename(credit_code=code, former_name=OLD, name=new,
                                declared_by=SUBMITTER, declared_at=rename.declared_at,
                                workflow_id=handle.id)
        # a start that fails keeps no rename of its own, and takes back none another made
        again = await cli(cli_settings, "start", str(path), "--renamed-from", OLD, ok=False)
        assert "already" in again.stderr, again.stderr
        assert renamed.settlement_account is not None  # its account renamed with it
        third = renamed.model_copy(update={
            "applicant_name": f"{new}（集团）", "settlement_account":
            renamed.settlement_account.model_copy(update={"name": f"{new}（集团）"})})
        with pytest.raises(BadInput, match="already"):  # the same id: its journey runs
            await applications.start_journey(client, keyed, third, renamed_from=new)
        assert renames_of(settings.db_url, code) == [rename]
        # each sealed, the one taken back with its withdrawal: `records verify` finds all whole
        [named] = [c for c in check(settings.db_url, KEY.encode()) if c.records == NAMED.records]
        assert (named.rows, named.findings) == (2, [])
        # its licence, read, shows the new name and the code: complete; one borrower's exposure
        status = await until_stage(handle, Stage.RISK_REVIEW, seconds=120)
        assert status.route is not None and status.route.exposure is not None
        assert status.route.exposure.others == [
            ExposureLine(workflow_id=earlier.id, amount=Decimal(3_000_000))]
        assert status.decisions == []  # its intake kept its line: the code is held for it
        shown = " ".join((await cli(cli_settings, "status", handle.id)).stdout.split())
        assert f"applicant {new} (formerly {OLD}) ({code})" in shown
        # `list` names the earlier journey's company by its current name
        [listed] = [line for line in (await cli(cli_settings, "list")).stdout.splitlines()
                    if earlier.id in line]
        assert new in listed and OLD not in listed

        # later applications under the new name need no option
        later = await applications.start_journey(client, settings, stored(settings, apply(
            new, 120)))
        # one sending the licence of its old name is asked for its own, as another name's
        stale = stored(settings, apply(new, 150))
        stale.documents[0] = earlier_app.documents[0]  # the fake's licence of OLD, same code
        sent = await applications.start_journey(client, settings, stale)
        asked = await until_stage(sent, Stage.COMPLETENESS, asking=True, seconds=60)
        assert asked.completeness is not None
        assert [f.code for f in asked.completeness.failures] == ["name_mismatch"]

        # --renamed-from for a code the bank holds for no company
        fresh = stored(settings, application(docs))
        with pytest.raises(BadInput) as refused:
            await applications.start_journey(client, settings, fresh, renamed_from=OLD)
        assert str(refused.value) == (
            f"application {fresh.application_id} not started: --renamed-from '{OLD}': the "
            f"bank holds credit code {fresh.credit_code} for no company, under no name: start "
            "without --renamed-from")
        for running in (earlier, handle, later, sent):
            await running.terminate("the test is over")
