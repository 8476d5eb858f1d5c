"""The loan file: a statement of another company never supersedes the borrower's of its
period; where the borrower has sent none, it stands, so the completeness check asks for the
borrower's own (journey/loan_file.py). What replaced a reading that no longer stands is the
one a clerk corrects instead (`replaced_by`)."""

from __future__ import annotations

from datetime import date

from journey import loan_file
from journey.documents import DocumentKind, DocumentReading, FinancialStatement, ReadStatus
from tests.workflows.journey_kit import ref

BORROWER = "上海测试制造有限公司"
END = date(2025, 12, 31)


def sheet(label: str, company: str) -> DocumentReading:
    return DocumentReading(ref=ref(label), status=ReadStatus.READ, kind=DocumentKind.BALANCE_SHEET,
                           statement=FinancialStatement(kind=DocumentKind.BALANCE_SHEET,
                                                        period_end=END, company=company))


def test_another_companys_statement_sent_later_leaves_the_borrowers_standing() -> None:
    own, other = sheet("own", "上海测试制造有限公司"), sheet("other", "广州新元电子有限公司")
    batches = {own.ref.sha256: 0, other.ref.sha256: 1}
    assert loan_file.current([own, other], batches, BORROWER) == [own]
    assert loan_file.current([own, other], batches) == [other]  # before the marker
    assert loan_file.replaced_by(other, [own], batches) == own  # what a clerk corrects instead
    marks = loan_file.not_the_borrowers([own, other], [own], BORROWER)
    assert marks == {other.ref.sha256: (
        "other.png is the balance sheet (资产负债表) of 2025-12-31 of 广州新元电子有限公司, not of "
        f"the borrower {BORROWER}: kept, counted nowhere; the borrower's own stands")}


def test_another_companys_statement_stands_only_until_the_borrowers_own_comes() -> None:
    other, own = sheet("other", "广州新元电子有限公司"), sheet("own", "上海测试制造有限公司")
    assert loan_file.current([other], {other.ref.sha256: 0}, BORROWER) == [other]
    assert "ask the borrower for it" in loan_file.not_the_borrowers(
        [other], [other], BORROWER)[other.ref.sha256]
    batches = {other.ref.sha256: 0, own.ref.sha256: 1}
    assert loan_file.current([other, own], batches, BORROWER) == [own]


def test_a_statement_of_an_illegible_period_stands_until_a_legible_one_of_its_kind_comes(
) -> None:
    """With `rescans`: the next statement of its kind with its period read, the borrower's,
    replaces it whatever its period; one sent before it, or another company's, does not."""
    photo = sheet("photo", BORROWER)
    photo = photo.model_copy(update={"statement": photo.statement.model_copy(  # type: ignore[union-attr]
        update={"period_end": None})})
    earlier, other, rescan = (sheet("earlier", BORROWER), sheet("other", "广州新元电子有限公司"),
                              sheet("rescan", BORROWER))
    batches = {earlier.ref.sha256: 0, photo.ref.sha256: 1, other.ref.sha256: 2}
    files = [earlier, photo, other]
    # the other company's, sent after the photo, replaces neither it nor the borrower's own
    assert loan_file.current(files, batches, BORROWER, rescans=True) == [earlier, photo]
    batches[rescan.ref.sha256] = 3
    files.append(rescan)
    assert loan_file.current(files, batches, BORROWER, rescans=True) == [rescan]
    # what replaced each: the rescan, of the one's slot and of the other's kind
    assert [loan_file.replaced_by(r, [rescan], batches) for r in (earlier, photo)] == [
        rescan, rescan]
    assert photo in loan_file.current(files, batches, BORROWER)  # before the marker
