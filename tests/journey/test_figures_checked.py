"""Which fields hold the case for operations (journey/figures_checked.py): those a decision
uses, read unsure or flagged, not corrected nor checked; a field not read that the customer is
asked for is theirs; a check as read settles the field and says who checked it, and `status`
shows it checked; a rescan takes a check where it reads the same value."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from journey.actors import Actor, Role
from journey.application import LoanApplication
from journey.documents import DocumentReading
from journey.figures_checked import (
    AS_READ,
    checked_as_read,
    checks_carried,
    to_check,
    to_check_text,
)
from journey.policy.errors import DecisionRefused
from journey.reading_corrections import ReadingCorrection, corrected
from starter.reading_view import reading_check, reading_text
from tests.journey.test_policy_completeness import NO_UNIT, income, licence, sheet

AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def test_unsure_fields_a_decision_uses_are_to_check(
    make_app: Callable[..., LoanApplication],
) -> None:
    app = make_app()
    readings = [
        licence(app, confidence={"name": 0.93, "credit_code": 0.41, "address": 0.1}),
        sheet(company=None, confidence={"company": 0.5, "cash": 0.0, "total_equity": 0.59},
              problems={"unit": NO_UNIT, "current_assets": "digit groups look misread"}),
        # unread: the customer is asked for a clearer copy, not operations
        income(revenue=None, confidence={"revenue": 0.0, "operating_profit": 0.2},
               operating_profit=Decimal("40")),
    ]
    found = [(f.filename, f.field, f.shown, f.why) for f in to_check(readings)]
    assert found == [
        ("licence.png", "credit_code", app.credit_code, "read at 0.41"),
        ("bs-2025-12-31.png", "company", "unread", "read at 0.50"),
        ("bs-2025-12-31.png", "unit", "元 (none printed)", NO_UNIT),
        ("bs-2025-12-31.png", "total_equity", "400.00", "read at 0.59"),
        ("bs-2025-12-31.png", "current_assets", "unread", "digit groups look misread"),
        ("is-2025-12-31.png", "operating_profit", "40.00", "read at 0.20"),
    ]
    assert to_check_text(to_check(readings)[:1]) == (
        f"1 figure to check against the paper: licence.png credit code {app.credit_code} "
        "(read at 0.41)")
    assert to_check([licence(app), sheet(), income()]) == []


def test_a_field_checked_as_read_is_settled_and_shown_checked(
    make_app: Callable[..., LoanApplication],
) -> None:
    app = make_app()
    read = sheet(company=app.applicant_name, confidence={"total_liabilities": 0.0},
                 problems={"unit": NO_UNIT})
    checked, said = checked_as_read(read, "unit", "ops-wang", AT, "the signed copy")
    assert said == f"bs-2025-12-31.png unit 元 (none printed) ({NO_UNIT})"
    st = checked.statement
    # checked, the unit no longer holds the case; its note stays for the completeness check's
    # scales, which only a unit corrected settles
    assert st is not None and st.problems["unit"] == NO_UNIT and st.confidence["unit"] == 1.0
    assert st.checked["unit"] == f"{AS_READ} by ops-wang at 2026-12-06 09:30 UTC (the signed copy)"
    assert [f.field for f in to_check([checked])] == ["total_liabilities"]
    both, _ = checked_as_read(checked, "total_liabilities", "ops-wang", AT)
    assert to_check([both]) == []
    assert "total liabilities 600.00 [checked as read]" in reading_text(both, app.applicant_name)
    assert f"total_liabilities {AS_READ} by ops-wang" in reading_check(both)
    with pytest.raises(DecisionRefused, match="was checked already"):
        checked_as_read(both, "unit", "ops-zhao", AT)
    with pytest.raises(DecisionRefused, match=r"read sure \(1,000.00\): nothing to check"):
        checked_as_read(both, "total_assets", "ops-zhao", AT)
    with pytest.raises(DecisionRefused, match="not 'cash'"):
        checked_as_read(both, "cash", "ops-zhao", AT)


def again(reading: DocumentReading, name: str, **read: Any) -> DocumentReading:
    """`reading` scanned again as `name`, its reading changed by `read`."""
    part = "license" if reading.license is not None else "statement"
    was = reading.license or reading.statement
    assert was is not None
    return reading.model_copy(update={"ref": reading.ref.model_copy(update={"filename": name}),
                                      part: was.model_copy(update=read)})


def test_a_rescan_takes_the_checks_of_what_it_reads_the_same(
    make_app: Callable[..., LoanApplication],
) -> None:
    app = make_app()
    unsure = {"term": 0.3, "credit_code": 0.4}
    was = licence(app, valid_until=date(2030, 6, 30), confidence=unsure)
    for field in ("term", "credit_code"):
        was, _ = checked_as_read(was, field, "ops-wang", AT)
    rescan = again(was, "licence-2.png", valid_until=date(2031, 6, 30), checked={},
                   confidence=unsure)
    taken, said = checks_carried(rescan, [was])
    assert said == (
        f"licence-2.png is a rescan of licence.png: takes its checks against the paper where "
        f"it reads the same: credit_code {app.credit_code}; reads otherwise, to check against "
        "the paper again: term 2031-06-30 (checked at 2030-06-30)")
    assert taken.license is not None and taken.license.checked["credit_code"].startswith(
        f"carried from licence.png: {AS_READ} by ops-wang at 2026-12-06 09:30 UTC")
    assert [(f.filename, f.field) for f in to_check([taken])] == [("licence-2.png", "term")]
    # read sure this time: nothing to carry, nothing to check again
    assert checks_carried(again(was, "licence-3.png", confidence={}, checked={}), [was]) == (
        again(was, "licence-3.png", confidence={}, checked={}), "")


def test_a_unit_checked_carries_with_its_note_and_only_to_the_same_period(
    make_app: Callable[..., LoanApplication],
) -> None:
    was, _ = checked_as_read(sheet(problems={"unit": NO_UNIT}), "unit", "ops-wang", AT)
    rescan = again(was, "bs-again.png", checked={})
    taken, said = checks_carried(rescan, [was])
    assert said.startswith("bs-again.png is a rescan of bs-2025-12-31.png: takes its checks")
    assert taken.statement is not None and taken.statement.problems == {"unit": NO_UNIT}
    assert to_check([taken]) == []
    later = again(was, "bs-later.png", checked={}, period_end=date(2026, 6, 30))
    assert checks_carried(later, [was]) == (later, "")  # another period: no rescan of it


def test_a_rescan_reading_a_figure_as_corrected_takes_the_correction_as_its_check() -> None:
    """The clerk typed what the paper says: a rescan that reads just that, unsure, is not
    checked again."""
    read = sheet(confidence={"total_liabilities": 0.0, "total_equity": 0.2},
                 total_liabilities=Decimal("0"))
    was, _ = corrected(read, ReadingCorrection(
        actor=Actor(id="ops-wang", role=Role.OPERATIONS), document=read.ref.sha256,
        field="total_liabilities", value="600"), AT)
    rescan = again(was, "bs-again.png", corrected={}, corrections={},
                   confidence={"total_liabilities": 0.3, "total_equity": 0.2})
    taken, said = checks_carried(rescan, [was])
    assert said == ("bs-again.png is a rescan of bs-2025-12-31.png: takes its checks against "
                    "the paper where it reads the same: total_liabilities 600.00")
    assert taken.statement is not None and taken.statement.checked[
        "total_liabilities"].startswith("carried from bs-2025-12-31.png: read 0.00, the paper "
                                        "says 600")
    assert [f.field for f in to_check([taken])] == ["total_equity"]  # nobody checked it
