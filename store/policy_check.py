"""The policies the workers recorded (store/policies.py) checked at `records verify` beside
their seals: each row's text against the sha256 kept with it. A text changed in the journey
database (a staff id renamed in the directory the command line checks acts by) no longer
hashes to its sha256, and is named by its version, with that as what changed (its seal, which
covers the text too, is not named again for it). A text changed together with its sha256 is
what the policies' seals find (store/seal_check.py: the policies are a chain of the bank's
sealed records, store/sealed_records.py `POLICIES`), or, for a policy kept unsealed before
sealing began, a backup. The command line refuses to act by either until it is restored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.policies import LendingPolicyRow, named, text_changed
from store.seal_findings import Finding, Found

RECORDS = "lending and post-loan policies"


def findings(s: Session) -> list[Finding]:
    """Every recorded policy's text hashed and compared with its sha256: each that differs."""
    rows = s.scalars(select(LendingPolicyRow).order_by(LendingPolicyRow.id))
    return [Finding(record=named(row), found=Found.CHANGED, detail=why)
            for row in rows if (why := text_changed(row)) is not None]
