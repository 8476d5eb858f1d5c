"""The document readings sealed with the archive key as a worker keeps them, and kept again
(a clerk's correction) sealed again over a change that keeps the seal replaced: a licence's
reading changed, or inserted, with SQL is named by `records verify` and not taken for a holder
of the credit code it prints (`licences_printing` with the key); without the key, the
readings are read as they are, as before."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest

from journey.actors import Actor, Role
from journey.reading_corrections import ReadingCorrection, corrected
from store import seal_check
from store.documents import licences_printing, record_reading
from tests.store.test_documents import CODE, MISREAD, PAPER, licence
from tests.store.test_lpr_fixings import rows
from tests.store.test_record_seals import KEY, sql

OTHER = "深圳前海微众银行股份有限公司"  # a company that does not hold CODE


def readings_found(db_url: str) -> dict[str, str]:
    """What `records verify` finds in the readings' chain, by row."""
    [check] = [c for c in seal_check.check(db_url, KEY.encode())
               if c.records == "document readings"]
    return {f.record: f.found.value for f in check.findings}


def test_a_licence_reading_changed_with_sql_is_no_holder_with_the_key(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    key = KEY.encode()
    flagged = licence(MISREAD, 0.3, "does not look like a registered name: check it")
    record_reading(db_url, "loan-photo", flagged, key)
    fix = ReadingCorrection(actor=Actor(id="ops-wang", role=Role.OPERATIONS),
                            document="cd" * 6, field="name", value=PAPER)
    fixed, _ = corrected(flagged, fix, datetime(2026, 12, 6, 9, 30, tzinfo=UTC))
    record_reading(db_url, "loan-photo", fixed, key)  # sealed again, its change kept
    record_reading(db_url, "loan-photo", fixed, key)  # kept again as it is: nothing new
    forged = licence(OTHER, 0.3)
    record_reading(db_url, "loan-other", forged, key)  # read unsure: no holder
    assert rows(db_url, "select count(*) from document_reading_changes") == [("1",)]
    assert readings_found(db_url) == {}
    assert [(wf, lic.name) for wf, lic in licences_printing(db_url, CODE, key)] == [
        ("loan-photo", PAPER)]

    # the unsure name made sure in the database: it would make OTHER the code's holder
    assert forged.license is not None
    sure = forged.license.model_copy(update={"confidence": {"name": 0.99}})
    [(other,)] = rows(db_url, "select id from document_readings "
                              "where workflow_id = 'loan-other'")
    sql(db_url, "update document_readings set fields = '"
        + json.dumps(sure.model_dump(mode="json"), ensure_ascii=False)
        + f"' where id = {other}")
    assert [wf for wf, _ in licences_printing(db_url, CODE)] == [
        "loan-photo", "loan-other"]  # without the key, as before: read as it is
    with caplog.at_level(logging.ERROR, logger="store.documents"):
        assert [wf for wf, _ in licences_printing(db_url, CODE, key)] == ["loan-photo"]
    assert (f"document reading #{other} (of journey loan-other) is not taken for what it "
            "reads: it fails its seal (CHANGED)") in caplog.text
    assert readings_found(db_url) == {
        f"document reading #{other} (of journey loan-other)": "CHANGED"}

    # one kept without the key once the readings are sealed is inserted: no holder either
    record_reading(db_url, "loan-unkeyed", licence(OTHER, 0.99).model_copy(
        update={"ref": licence(OTHER, 0.99).ref.model_copy(update={"sha256": "ef" * 32})}))
    assert [wf for wf, _ in licences_printing(db_url, CODE, key)] == ["loan-photo"]
    assert "INSERTED" in readings_found(db_url).values()


def test_a_reading_changed_with_sql_stays_changed_when_it_is_kept_again(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The same check every table sealed again on change goes through (store/seals.py
    `replaced_seal`): a reading changed in the database, then corrected by a clerk, is not
    sealed again in silence: `records verify` names it, found changed when kept again."""
    key = KEY.encode()
    flagged = licence(MISREAD, 0.3, "does not look like a registered name: check it")
    record_reading(db_url, "loan-photo", flagged, key)
    [(reading,)] = rows(db_url, "select id from document_readings")
    sql(db_url, f"update document_readings set reason = 'read sure' where id = {reading}")
    fix = ReadingCorrection(actor=Actor(id="ops-wang", role=Role.OPERATIONS),
                            document="cd" * 6, field="name", value=PAPER)
    fixed, _ = corrected(flagged, fix, datetime(2026, 12, 6, 9, 30, tzinfo=UTC))
    with caplog.at_level(logging.WARNING, logger="store.seals"):
        record_reading(db_url, "loan-photo", fixed, key)
    assert f"document reading #{reading} no longer matches its seal" in caplog.text
    assert readings_found(db_url) == {
        f"document reading #{reading} (of journey loan-photo)": "CHANGED"}
