"""A legible page of no kind the checklist names (a signed letter) is read, really OCR'd, as
a supporting document with its text, kept in the database; the same page blurred past
reading is unreadable, and says so."""

from __future__ import annotations

from pathlib import Path

import cv2
from temporalio.testing import ActivityEnvironment

from activities.documents import DocumentActivities
from journey.contracts import ReadDocumentInput
from journey.documents import DocumentKind, ReadStatus
from journey.settings import Settings
from store import blobs
from store.documents import readings_for
from tests.ocr.conftest import jpeg, letter_page


def test_a_letter_is_kept_with_its_text_and_a_blurred_one_is_asked_again(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path)
    page = letter_page()
    letter = blobs.put(blobs.DocumentStore.of(settings), jpeg(page, 90), "signed_letter.jpg")
    blurred = blobs.put(blobs.DocumentStore.of(settings), jpeg(cv2.GaussianBlur(page, (0, 0), 3),
                                                               90),
                        "blurred_letter.jpg")
    read = DocumentActivities(settings).read_document
    kept, asked = (ActivityEnvironment().run(read, ReadDocumentInput(workflow_id="loan-X",
                                                                     ref=ref))
                   for ref in (letter, blurred))
    assert (kept.status, kept.kind, kept.reason) == (ReadStatus.READ, DocumentKind.OTHER, None)
    assert kept.supporting is not None
    assert "说明" in kept.supporting.text and "货币资金较上年减少" in kept.supporting.text
    assert asked.status is ReadStatus.UNREADABLE and asked.reason is not None
    assert asked.reason.startswith("illegible: the page is none of a business licence")
    stored = {r.ref.filename: r for r in readings_for(settings.db_url, "loan-X")}
    assert stored["signed_letter.jpg"].supporting == kept.supporting
    assert stored["blurred_letter.jpg"].status is ReadStatus.UNREADABLE
