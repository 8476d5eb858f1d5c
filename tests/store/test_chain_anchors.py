"""Each sealed chain against its anchor (store/chain_anchors.py), without a server: the heads
read as the archivist's pass reads them; a fixing corrected after the anchor (its anchored
seal kept by the correction) still holds it, and a chain's newest rows deleted with SQL are
named, by the next anchor too, which carries them as lost. The anchor read from the
archivist's history is tests/e2e/test_chain_anchor.py's. The archive's own chain is anchored
the same way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from journey.archive_contracts import ChainAnchor
from store import archive
from store.blobs import DocumentStore
from store.chain_anchors import Anchored, archive_missing, compared, heads, lost_since
from store.seal_check import check
from store.seal_findings import Found
from tests.store.test_archive import CLOSED, closed_run, history_of, store  # noqa: F401
from tests.store.test_archive import KEY as ARCHIVE_KEY
from tests.store.test_lpr_fixings import LAST, correct
from tests.store.test_record_seals import KEY, database, sealed_store, sql  # noqa: F401

ANCHORED_BY = "history-archivist-2026-12-06T05:00:00Z"
NEXT = "history-archivist-2026-12-06T06:00:00Z"


def findings(url: str, anchored: Anchored) -> dict[str, list[tuple[str, Found, str]]]:
    checks = check(url, KEY.encode())
    compared(url, checks, anchored)
    return {c.records: [(f.record, f.found, f.detail) for f in c.findings] for c in checks}


def test_the_newest_rows_deleted_after_the_anchor_are_named(database: str) -> None:  # noqa: F811
    sealed_store()
    anchored = Anchored(run=ANCHORED_BY, anchor=ChainAnchor(taken_at=datetime.now(UTC),
                                                            heads=heads(database)))
    by_chain = {h.records: h for h in anchored.anchor.heads}
    assert (by_chain["refused attempts"].table, by_chain["refused attempts"].rows) == (
        "refusals", 3)
    assert by_chain["LPR fixings and corrections"].table == "lpr_fixings"  # the last recorded
    assert set(by_chain) == {"refused attempts", "LPR fixings and corrections"}  # sealed ones
    assert correct(LAST, "3.20", "3.50", reason="published 3.20").exit_code == 0
    assert all(not found for found in findings(database, anchored).values())
    assert lost_since(database, anchored, NEXT, datetime.now(UTC)) == []  # kept, not lost

    sql(database, "delete from refusals where id >= 2",
        "delete from lpr_fixings where id = (select max(id) from lpr_fixings)")
    found = findings(database, anchored)
    [(record, kind, detail)] = found["refused attempts"]
    assert (record, kind) == ("seal #3 of the refused attempts", Found.DELETED)
    assert detail.startswith(f"row 3 of refusals, sealed and anchored at {anchored.at:%Y-%m-%d}")
    assert f"by archivist run {ANCHORED_BY}, is missing (the chain ends at seal #1: the 2 " in (
        detail)
    lpr = by_chain["LPR fixings and corrections"]
    assert (f"seal #{lpr.rows} of the LPR fixings and corrections", Found.DELETED) in [
        (r, k) for r, k, _ in found["LPR fixings and corrections"]]

    # the next pass anchors the shortened chain, carrying what it found lost on (the fixing's
    # anchored seal is kept by its correction: the chain's own check names its deletion)
    lost = lost_since(database, anchored, NEXT, datetime.now(UTC))
    assert [(loss.head, loss.anchored_by, loss.found_by) for loss in lost] == [
        (by_chain["refused attempts"], ANCHORED_BY, NEXT)]
    shortened = Anchored(run=NEXT, anchor=ChainAnchor(
        taken_at=datetime.now(UTC), heads=heads(database), lost=lost))
    assert lost_since(database, shortened, "later", datetime.now(UTC)) == lost  # carried once
    [(record, kind, carried)] = findings(database, shortened)["refused attempts"]
    assert (record, kind) == ("seal #3 of the refused attempts", Found.DELETED)
    assert carried.startswith(detail.removesuffix(": restore it from a backup"))
    assert f"found lost at {lost[0].found_at:%Y-%m-%d} " in carried
    assert f"by archivist run {NEXT}, the anchors since taken without it" in carried


def test_the_archives_newest_history_deleted_after_the_anchor_is_named(
    db_url: str, store: DocumentStore  # noqa: F811
) -> None:
    """The archive's own chain is anchored with the others: its newest sealed row deleted,
    which its chain alone does not show, is named for `archive verify`, and carried on."""
    for n in (1, 2, 3):
        closed = CLOSED + timedelta(days=n)
        assert archive.keep(db_url, store, closed_run(f"r{n}", closed),
                            history_of(f"r{n}", closed), datetime.now(UTC), ARCHIVE_KEY)
    anchored = Anchored(run=ANCHORED_BY, anchor=ChainAnchor(taken_at=datetime.now(UTC),
                                                            heads=heads(db_url)))
    [head] = anchored.anchor.heads  # the only chain holding sealed rows
    assert (head.records, head.table, head.row_id, head.row, head.rows) == (
        "archived histories", "archived_histories", 0,
        "the archived history of loan-APP-1 run r3", 3)
    assert archive_missing(db_url, anchored) == []

    sql(db_url, "delete from archived_histories where run_id = 'r3'")
    [deleted] = archive_missing(db_url, anchored)
    assert (deleted.record, deleted.found) == ("seal #3 of the archived histories", Found.DELETED)
    assert deleted.detail.startswith(
        "the archived history of loan-APP-1 run r3 (archived_histories), sealed and anchored "
        f"at {anchored.at:%Y-%m-%d}")
    assert (f"by archivist run {ANCHORED_BY}, is missing (the chain ends at seal #2: the 1 "
            "row(s) sealed after it, up to this one, were deleted): restore it from a backup"
            ) in deleted.detail

    lost = lost_since(db_url, anchored, NEXT, datetime.now(UTC))  # the next pass carries it
    assert [(loss.head, loss.found_by) for loss in lost] == [(head, NEXT)]
    shortened = Anchored(run=NEXT, anchor=ChainAnchor(
        taken_at=datetime.now(UTC), heads=heads(db_url), lost=lost))
    [carried] = archive_missing(db_url, shortened)
    assert f"by archivist run {NEXT}, the anchors since taken without it" in carried.detail
    assert all(not found for found in findings(db_url, shortened).values())  # not the records'
