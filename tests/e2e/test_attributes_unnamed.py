"""No customer's text in a search attribute, on the real dev server: no codec encrypts them
(anyone who may `temporal workflow describe` a journey, or open the Web UI, reads them with no
key), so the work lists name a document by its kind and the first 12 hex of its sha256, never
by the file name the customer gave it, which may carry a name or an ID number."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.queue_wait import QueueWait
from journey.stages import Party, Stage
from tests.cli_kit import cli, point_cli_at, said
from tests.dev_server import fresh_dev_server
from tests.workflows.journey_kit import journey_worker, new_application, start, until_stage
from tests.workflows.test_figures_checked import unsure_sheet
from workflows import search_attributes as sa

pytestmark = pytest.mark.e2e

ID_NUMBER = "110101198001011234"
SCAN = f"法人周华身份证{ID_NUMBER}_资产负债表.jpg"


@pytest.fixture
async def dev() -> AsyncIterator[WorkflowEnvironment]:
    async with fresh_dev_server() as env:
        yield env


async def test_the_figures_check_lists_no_file_name(
    dev: WorkflowEnvironment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, app = new_application()
    sheet = unsure_sheet(docs)  # two figures for operations to check against the paper
    named = sheet.ref.model_copy(update={"filename": SCAN})
    docs.readings[named.sha256] = sheet.model_copy(update={"ref": named})
    app = app.model_copy(update={"documents": [
        named if d.sha256 == named.sha256 else d for d in app.documents]})
    async with journey_worker(dev.client, tmp_path, docs) as settings:
        handle = await start(dev.client, settings, app)
        held = await until_stage(handle, Stage.DOCUMENTS, asking=True)
        assert (held.waits_on, held.team) == (Party.BANK, "operations")
        assert SCAN in held.waiting_for[0]  # `status`, encrypted by the codec, names the file

        listed = (await handle.describe()).typed_search_attributes
        texts = [str(p.value) for p in listed]
        assert not [t for t in texts if ID_NUMBER in t or "身份证" in t or "周华" in t], texts
        wait = QueueWait.of(listed.get(sa.QUEUE_WAIT))
        digest = named.sha256[:12]
        assert wait is not None and wait.awaiting == (
            f"2 figures to check against the paper: balance sheet {digest} total liabilities; "
            f"balance sheet {digest} current assets")

        point_cli_at(monkeypatch, dev.client, tmp_path)
        queue = await cli("queue", "--team", "operations")
        assert queue.exit_code == 0, queue.output
        out = said(queue)
        assert handle.id in out, out
        assert (f"awaiting: 2 figures to check against the paper: balance sheet {digest} total "
                "liabilities") in out, out
        assert ID_NUMBER not in out, out
