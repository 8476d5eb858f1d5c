"""What checking the bank's sealed records finds: one finding per row, or per place in a chain."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Found(StrEnum):
    CHANGED = "CHANGED"
    DELETED = "DELETED"
    INSERTED = "INSERTED"
    UNSEALED = "unsealed"


class Finding(BaseModel):
    """What a check found wrong with one row, or with the place one held in its chain."""

    record: str  # "refusal #12", "LPR fixing #3 (2026-11-20)", "seal #7 of the refusals"
    found: Found
    detail: str

    @property
    def tampered(self) -> bool:
        return self.found is not Found.UNSEALED


class RecordsCheck(BaseModel):
    """One chain checked: how many rows, and what was found."""

    records: str  # "LPR fixings and corrections", "refused attempts"
    rows: int
    findings: list[Finding]
    wrong_key: bool = False  # no seal matches the key: CHANGED findings say nothing then
    notes: list[str] = []  # what settled something that would be found otherwise, told

    @property
    def shown(self) -> list[Finding]:
        """What to tell: with a wrong key, what the seals' positions and the baseline tell
        (deleted, inserted, unsealed), not every row as changed."""
        return [f for f in self.findings
                if not (self.wrong_key and f.found is Found.CHANGED)]
