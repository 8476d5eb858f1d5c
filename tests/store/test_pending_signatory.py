"""A signature typed while no worker answered is kept for delivery without its signatory's
name in the journey database: a person's name, which the journey keeps in its history alone
(encrypted where codec keys are set), is set aside beside the document store as a feedback's
comment is (encrypted there where document keys are set), and the signature delivered is the
one typed."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from journey.actors import Actor, Role
from journey.decisions import Capacity, Signature
from journey.settings import Settings
from journey.stages import Stage
from starter import pending_delivery
from starter.pending_request import ASIDE, dropped, kept_request, set_aside, whole
from store import blob_cipher
from store.db import ready
from store.pending import Delivery, Instruction, instructions, keep_instruction
from store.refusals import origin
from tests.workflows.journey_kit import (
    customer,
    drive_to,
    new_application,
    running_journey,
    until_stage,
)

SIGNED = Signature(actor=Actor(id="91440300HNAG2PQU4A", role=Role.CUSTOMER),
                   signatory="周华", capacity=Capacity.LEGAL_REPRESENTATIVE,
                   evidence="e-sign certificate CFCA-7F3A21")


def aside(settings: Settings) -> Path:
    """Where the kept signature's signatory is set aside."""
    return settings.documents_dir / "pending" / "u-sign.json"


def keep_signature(settings: Settings, workflow_id: str, signed: Signature) -> None:
    """Keep `signed` for delivery as starter/pending.py keeps an act no worker took."""
    set_aside(settings, "sign", "u-sign", signed)
    assert aside(settings).exists()
    keep_instruction(settings.db_url, Instruction(
        workflow_id=workflow_id, update="sign", update_id="u-sign",
        request=kept_request("sign", signed), actor=signed.actor.id, role=signed.actor.role,
        typed_at=datetime.now(UTC), origin=origin()))


@pytest.mark.parametrize("document_keys", [None, "k1:" + base64.b64encode(b"k" * 32).decode()],
                         ids=["plain", "encrypted"])
async def test_a_kept_signature_s_signatory_never_reaches_sql(
    tmp_path: Path, document_keys: str | None
) -> None:
    settings = Settings(data_dir=tmp_path, document_keys=document_keys)
    keep_signature(settings, "loan-APP-SIGN", SIGNED)
    on_disk = aside(settings).read_bytes()
    assert ("周华".encode() in on_disk) is (document_keys is None)  # beside the store, or sealed
    if document_keys is not None:
        with pytest.raises(blob_cipher.DocumentKeysMissing, match="LOAN_JOURNEY_DOCUMENT_KEYS"):
            await whole(Settings(data_dir=tmp_path), instructions(settings.db_url)[0], Signature)
    with ready(settings.db_url).connect() as conn:
        dump = "\n".join(conn.connection.iterdump())  # type: ignore[attr-defined]
    assert "周华" not in dump and "CFCA-7F3A21" in dump  # the evidence stays: no one's name
    (kept,) = instructions(settings.db_url)
    assert json.loads(kept.request)[ASIDE] == ["signatory"]  # named, set aside
    assert await whole(settings, kept, Signature) == SIGNED  # delivered as typed
    dropped(settings, kept)  # settled: forgotten
    assert not aside(settings).exists()


async def test_a_kept_signature_is_delivered_with_its_signatory(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    docs, app = new_application()  # its licence names 张三 as legal representative
    async with running_journey(time_skipping_env, tmp_path, docs, app) as (settings, handle):
        await drive_to(handle, app, Stage.OFFER)
        keep_signature(settings, handle.id, SIGNED.model_copy(
            update={"actor": customer(app), "signatory": "张三"}))
        done = await pending_delivery.deliver(time_skipping_env.client, settings)
        assert [k.state for k in done.settled] == [Delivery.DELIVERED], done
        s = await until_stage(handle, Stage.POST_LOAN)
        [signature] = [d for d in s.decisions if d.verdict == "signed"]
        assert signature.reason.startswith("signed by 张三 (法定代表人 legal representative)")
    assert not aside(settings).exists()
