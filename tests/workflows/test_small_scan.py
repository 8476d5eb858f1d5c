"""A licence that cannot be read, on the time-skipping server with the real read activity: a
photo too small to read, or a PDF locked with a password. It is refused saying why, the
customer is asked for it again with what to send, in plain words (operations keep the
reader's reason), and the journey goes on when a good scan comes (the PDF's: a PDF)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from temporalio.testing import WorkflowEnvironment

from journey.decisions import AddDocuments
from journey.settings import Settings
from journey.stages import Stage
from store import blobs
from store.outbox import messages_for
from tests.ocr.conftest import SAMPLES, locked, pdf, shrunk
from tests.workflows.journey_kit import (
    Documents,
    application,
    customer,
    real_for_unknown,
    running_journey,
    until_stage,
)
from workflows.loan_journey import LoanJourneyWorkflow

LICENCE = "company1_business_license.jpg"
PHOTO = ("licence-photo.jpg", "the picture is too small for its writing to be read: please "
         "scan the page at 200 dpi or more, or photograph the whole page so that it fills the "
         "picture", "too_small: this image is 310×438 px", "Scan the document at 200 dpi or more")
LOCKED = ("licence.pdf", "it is locked with a password: please send it without the password "
          "(print it to a new PDF, or scan the paper)", "encrypted: the PDF is locked with a "
          "password", "send it unlocked")


@pytest.mark.parametrize(("bad", "said", "reason", "what_to_send"), [PHOTO, LOCKED])
async def test_a_licence_that_cannot_be_read_is_asked_for_again(
    time_skipping_env: WorkflowEnvironment, tmp_path: Path, bad: str, said: str, reason: str,
    what_to_send: str
) -> None:
    labels = next(p for p in json.loads((SAMPLES / "labels.json").read_text("utf-8"))
                  if p["file"] == LICENCE)
    docs = Documents()  # the statements from the fake; the licences through the real OCR
    app = application(docs, drop={"licence"}, company=(labels["name"], labels["credit_code"]))
    store = blobs.DocumentStore.of(Settings(data_dir=tmp_path))
    if bad.endswith(".pdf"):
        whole = pdf(Image.open(SAMPLES / LICENCE))
        first = blobs.put(store, locked(whole), bad)
        scan = blobs.put(store, whole, "licence-unlocked.pdf")
    else:
        first = blobs.put(store, shrunk(LICENCE, 310, 438), bad)
        scan = blobs.put(store, (SAMPLES / LICENCE).read_bytes(), LICENCE)
    app.documents.insert(0, first)
    async with running_journey(time_skipping_env, tmp_path, docs, app,
                               real_for_unknown(docs)) as (settings, handle):
        asked = await until_stage(handle, Stage.COMPLETENESS, asking=True)
        assert asked.completeness is not None
        failure = next(f for f in asked.completeness.failures if f.document == first.sha256)
        assert failure.code == "unreadable"
        # the customer's words; the reader's stay in the reading
        assert failure.message == f"We could not read {bad}: {said}"
        [read] = [r for r in asked.readings if r.ref.sha256 == first.sha256]
        assert read.reason is not None and read.reason.startswith(reason)
        assert what_to_send in read.reason
        requests = [m.body for m in messages_for(settings.db_url, handle.id)
                    if m.template == "supplements_requested"]
        assert len(requests) == 1 and failure.message in requests[0]

        await handle.execute_update(LoanJourneyWorkflow.add_documents,
                                    AddDocuments(actor=customer(app), documents=[scan]))
        reviewed = await until_stage(handle, Stage.RISK_REVIEW, seconds=120)
        assert [(v.stage, v.attempt) for v in reviewed.timeline][1:6] == [
            (Stage.DOCUMENTS, 1), (Stage.COMPLETENESS, 1),
            (Stage.DOCUMENTS, 2), (Stage.COMPLETENESS, 2), (Stage.ROUTING, 1),
        ]
