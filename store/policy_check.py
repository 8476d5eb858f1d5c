"""The policies the workers recorded (store/policies.py) checked at `records verify`: each
row's text against the sha256 kept with it. They are not sealed: a text changed in the
journey database (a staff id renamed in the directory the command line checks acts by) no
longer hashes to its sha256, and is named by its version; the command line refuses to act
by it until it is restored. A text changed together with its sha256 is not seen here."""

from __future__ import annotations

from sqlalchemy import select

from store.db import session
from store.policies import LendingPolicyRow, named, text_changed
from store.seal_findings import Finding, Found, RecordsCheck

RECORDS = "lending and post-loan policies"


def check(url: str) -> RecordsCheck:
    """Every recorded policy's text hashed and compared with its sha256."""
    with session(url) as s:
        rows = list(s.scalars(select(LendingPolicyRow).order_by(LendingPolicyRow.id)))
        findings = [Finding(record=named(row), found=Found.CHANGED, detail=why)
                    for row in rows if (why := text_changed(row)) is not None]
    return RecordsCheck(records=RECORDS, rows=len(rows), findings=findings)
