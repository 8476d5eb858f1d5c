"""The loan book's order and totals: worst class first, then most days past due; loans and
principal per class; the non-performing ratio counts substandard, doubtful and loss."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rich.console import Console
from typer.testing import CliRunner

from journey.classification import RiskClass
from journey.loan_book import BookLine, by_class, non_performing_ratio, worst_first
from journey.undrawn_commitments import CommitmentLine
from starter.book_sections import commitments_table
from starter.cli import app
from starter.listings_view import book_table


def line(wid: str, risk_class: RiskClass, dpd: int, principal: str) -> BookLine:
    return BookLine(workflow_id=wid, product="working_capital", risk_class=risk_class,
                    days_past_due=dpd, arrears=Decimal(dpd), principal=Decimal(principal),
                    accrued=Decimal(1), to_settle=Decimal(principal) + 1 + dpd,
                    paid_ahead=Decimal(dpd % 7), next_instalment="-", open_warnings=0)


BOOK = [
    line("a", RiskClass.NORMAL, 0, "6000000.00"),
    line("b", RiskClass.SUBSTANDARD, 120, "1000000.00"),
    line("c", RiskClass.SPECIAL_MENTION, 3, "2000000.00"),
    line("d", RiskClass.SPECIAL_MENTION, 40, "500000.00"),
    line("e", RiskClass.LOSS, 400, "500000.00"),
]


def test_the_worst_loans_come_first() -> None:
    assert [b.workflow_id for b in worst_first(BOOK)] == ["e", "b", "d", "c", "a"]


def test_totals_by_class_and_the_non_performing_ratio() -> None:
    totals = {t.risk_class: (t.loans, t.principal) for t in by_class(BOOK)}
    assert totals == {
        RiskClass.NORMAL: (1, Decimal("6000000.00")),
        RiskClass.SPECIAL_MENTION: (2, Decimal("2500000.00")),
        RiskClass.SUBSTANDARD: (1, Decimal("1000000.00")),
        RiskClass.DOUBTFUL: (0, Decimal(0)),
        RiskClass.LOSS: (1, Decimal("500000.00")),
    }
    assert non_performing_ratio(BOOK) == Decimal("0.15")  # 1.5m of 10m
    assert non_performing_ratio([]) is None


def test_the_table_says_so_under_the_lines() -> None:
    caption = str(book_table(worst_first(BOOK), "loan book").caption)
    assert "5 loans by class" in caption and "关注 special_mention 2 (2,500,000.00)" in caption
    assert caption.endswith("non-performing: 15.00%")
    assert str(book_table([], "loan book").caption) == "no running loan matches"


def test_a_listing_cut_short_keeps_the_whole_books_totals() -> None:
    table = book_table(worst_first(BOOK), "loan book", shown=2)
    assert table.row_count == 2
    caption = str(table.caption)
    assert "5 loans by class" in caption and "non-performing: 15.00%" in caption
    assert caption.endswith("listed: the worst 2 of 5 (--limit for more)")
    assert "listed" not in str(book_table(worst_first(BOOK), "loan book", shown=5).caption)


def test_the_money_columns_add_up_to_what_the_whole_book_owes() -> None:
    # the footer's totals are the whole book's, however few lines are listed
    shown = Console(width=300, record=True)
    shown.print(book_table(worst_first(BOOK), "loan book", shown=2))
    footer = next(row for row in shown.export_text().splitlines() if "total, 5 loans" in row)
    cells = [cell.strip() for cell in footer.split("│")[1:-1]]
    # after the borrower and its credit code: arrears (the days past due here), principal
    # left, interest accrued, to settle today,
    # paid ahead (days past due % 7: 1 + 3 + 5 + 1)
    assert cells[6:11] == ["563.00", "10,000,000.00", "5.00", "10,000,568.00", "10.00"], footer


def test_undrawn_commitments_add_up_under_their_own_section() -> None:
    until = date(2027, 6, 6)
    lines = [
        CommitmentLine(workflow_id="pf-1", commitment=Decimal("20000000.00"), drawn=Decimal(0),
                       undrawn=Decimal("20000000.00"), available_until=until,
                       fee_accrued=Decimal("2777.78"), paid_ahead=Decimal("100.00")),
        CommitmentLine(workflow_id="pf-2", commitment=Decimal("15000000.00"),
                       drawn=Decimal("4500000.00"), undrawn=Decimal("10500000.00"),
                       available_until=until, fee_accrued=Decimal("1250.00"),
                       paid_ahead=Decimal("3000.00")),
    ]
    shown = Console(width=300, record=True)
    shown.print(commitments_table(lines))
    text = shown.export_text()
    cells = [[c.strip() for c in row.split("│")[1:-1]] for row in text.splitlines()
             if "pf-" in row or "total, 2" in row]
    assert cells == [
        ["pf-1", "20,000,000.00", "0.00", "20,000,000.00", "2027-06-06", "2,777.78", "100.00"],
        ["pf-2", "15,000,000.00", "4,500,000.00", "10,500,000.00", "2027-06-06",
         "1,250.00 in loans", "3,000.00 in loans"],
        # pf-2 drew: a loan of the book, whose fee and paid ahead the loans' totals count
        ["total, 2 facilities", "35,000,000.00", "4,500,000.00", "30,500,000.00", "",
         "2,777.78", "100.00"],
    ], text
    assert "no project is drawing" in str(commitments_table([]).caption)


def test_a_class_is_asked_by_either_name() -> None:
    """`book --class 关注` is `book --class special_mention`; a name of no class is refused
    before anything is read (exit 2), with both names of each."""
    watch = RiskClass.SPECIAL_MENTION
    assert RiskClass.named("关注") is RiskClass.named(" Special_Mention ") is watch
    wrong = CliRunner().invoke(app, ["book", "--class", "guanzhu"])
    assert wrong.exit_code == 2
    assert ("'guanzhu' is no class: give one of normal (正常), special_mention (关注), "
            "substandard (次级), doubtful (可疑), loss (损失)") in " ".join(
        wrong.output.replace("│", " ").split()), wrong.output
