"""The borrower's other lines (store/exposure.py `others`) as routing reads them to decide:
with the archive key, each line read, and each change of its principal (or of its amount, an
amendment's) kept, is checked against its seal as it is read, as an LPR fixing is
(store/lpr_in_force.py). A line changed in the database since it was sealed (its principal
set to 0, say), or inserted after sealing began, is never counted, nor silently dropped:
the read fails (`ExposureSealBroken`), naming the row and what to do (activities/exposure.py
retries it, the journey waiting, until it is restored). So does every read with a key that
is not the one the exposures were sealed with. A line kept unsealed before sealing began is
read as it is, as without the key."""

from __future__ import annotations

from journey.exposure import ExposureLine
from store.db import session
from store.exposure import lines_of, live_rows
from store.seal_vouching import lines_failing
from store.seals import WrongKey


class ExposureSealBroken(Exception):
    """A line of the borrower's exposure, or a change of its principal, fails its seal (or
    the key set is not the one the exposures were sealed with): no case is routed on it."""


def vouched_others(url: str, credit_code: str, workflow_id: str, key: bytes | None
                   ) -> list[ExposureLine]:
    """`others`, each line read checked against its seal with `key` (none: read as they
    are); ExposureSealBroken when one fails it."""
    with session(url) as s:
        rows = live_rows(s, credit_code, workflow_id)
        if key is not None:
            try:
                failing = lines_failing(s, key, rows)
            except WrongKey as err:
                raise ExposureSealBroken(
                    f"the credit exposure lines of {credit_code} are not vouched for: "
                    f"{err}") from None
            if failing:
                raise ExposureSealBroken("; ".join(
                    f"{f.record} fails its seal ({f.found.value}): it was changed outside the "
                    f"engine: {f.detail}" for f in failing)
                    + "; then run `loan-journey records verify`")
        return lines_of(rows)
