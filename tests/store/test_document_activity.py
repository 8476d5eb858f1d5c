"""The read activity never fails a journey over a document: one named but never stored is
read as missing (the customer is asked for it); a store that is not mounted is retried."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.exceptions import ApplicationError

from activities.documents import DocumentActivities
from journey.contracts import ReadDocumentInput
from journey.documents import DocumentRef, ReadStatus
from journey.settings import Settings
from store.documents import readings_for

GHOST = DocumentRef(sha256="0" * 64, filename="ghost.jpg", size=10)


def test_a_document_named_but_never_stored_is_read_as_missing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    settings.documents_dir.mkdir(parents=True)
    reading = DocumentActivities(settings).read_document(
        ReadDocumentInput(workflow_id="loan-X", ref=GHOST))
    assert reading.status is ReadStatus.MISSING
    assert reading.reason == ("missing: ghost.jpg is not in the document store: send the file "
                              "itself")
    assert [r.ref.sha256 for r in readings_for(settings.db_url, "loan-X")] == [GHOST.sha256]


def test_a_store_that_is_not_there_is_retried_not_read_as_missing(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, document_store=tmp_path / "not-mounted")
    with pytest.raises(ApplicationError, match="not there: mount it") as raised:
        DocumentActivities(settings).read_document(
            ReadDocumentInput(workflow_id="loan-X", ref=GHOST))
    assert not raised.value.non_retryable
