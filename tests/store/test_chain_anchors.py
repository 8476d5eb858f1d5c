"""Each sealed chain against its anchor (store/chain_anchors.py), without a server: the heads
read as the archivist's pass reads them; a fixing corrected after the anchor (its anchored
seal kept by the correction) still holds it, and a chain's newest rows deleted with SQL are
named, by the next anchor too, which carries them as lost. The anchor read from the
archivist's history is tests/e2e/test_chain_anchor.py's."""

from __future__ import annotations

from datetime import UTC, datetime

from journey.archive_contracts import ChainAnchor
from store.chain_anchors import Anchored, compared, heads, lost_since
from store.record_seals import Found, check
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
