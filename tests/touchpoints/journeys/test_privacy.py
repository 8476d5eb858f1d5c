"""A feedback comment may hold personal data: with codec keys set it is encrypted in the
history, and it never reaches SQL, the timing events or the search attributes."""

from __future__ import annotations

from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from journey.application import Channel
from journey.settings import Settings
from journey.stages import Stage
from journey.touchpoints import Feedback
from starter.codec import data_converter, new_key
from starter.keyed_updates import client_interceptors
from store.db import ready
from store.timing import events_for
from tests.workflows.journey_kit import (
    customer,
    journey_worker,
    new_application,
    start,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

# no staff member's name: the staff directory is in the database, with the recorded policy
SECRET = "钱晓雯 13800138000 qian.xiaowen@example.cn"


async def test_the_comment_is_encrypted_and_kept_out_of_sql(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    plain = time_skipping_env.client
    converter = data_converter(Settings(codec_keys=f"k1:{new_key()}"))
    sealed = Client(plain.service_client, namespace=plain.namespace, data_converter=converter,
                    interceptors=client_interceptors(converter))
    docs, app = new_application()
    async with journey_worker(sealed, tmp_path, docs) as settings:
        handle = await start(sealed, settings, app)
        await until_stage(handle, Stage.RISK_REVIEW)
        await handle.execute_update(
            LoanJourneyWorkflow.record_feedback,
            Feedback(actor=customer(app), channel=Channel.PHONE, stage=Stage.COMPLETENESS,
                     score=1, comment=SECRET),
        )  # fmt: skip
        history = await plain.get_workflow_handle(handle.id).fetch_history()
        raw = b"".join(e.SerializeToString() for e in history.events)
        assert SECRET.encode()[:6] not in raw and b"13800138000" not in raw
        assert b"binary/encrypted" in raw  # the update's input, sealed by the codec
        attrs = (await handle.describe()).typed_search_attributes
        assert not any("13800138000" in str(p.value) for p in attrs)
        assert not any(
            "13800138000" in (e.detail or "") for e in events_for(settings.db_url, handle.id)
        )
        with ready(settings.db_url).connect() as conn:
            dump = "\n".join(conn.connection.iterdump())  # type: ignore[attr-defined]
        assert "13800138000" not in dump and "钱晓雯" not in dump
