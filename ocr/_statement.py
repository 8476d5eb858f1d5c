"""Fields of a balance sheet or income statement from rows of read segments.

Labels and figures are paired on each row by position: a figure belongs to the nearest label
on its left, and to the column whose header (期末余额, 本期金额 ...) stands nearest above it.
Each label (or run of figures whose label was lost) is a Line on its side of the sheet: the
lines give the fields, and the sections whose rows each balance-sheet subtotal adds up.
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np

from journey.documents import UNIT_ASSUMED, UNIT_ASSUMED_SHARE, DocumentKind, FinancialStatement
from journey.repayment import is_month_end
from ocr._company import repair_company_name
from ocr._dates import parse_period_end
from ocr._layout import Row
from ocr._numbers import parse_amount, parse_unit
from ocr._page import Page
from ocr._read import DIGITS, is_numeric, mostly_digits, read_box
from ocr._segments import Box
from ocr._statement_checks import (
    CONTRADICTED,
    Figure,
    Line,
    Reread,
    check_totals,
    section_rules,
)
from ocr._statement_labels import head_kind, label_field, label_heading
from ocr._tesseract import Word
from ocr._text import cjk_parens, squash, strip_lead

FIELDS = {
    DocumentKind.BALANCE_SHEET: ("cash", "current_assets", "total_assets", "current_liabilities",
                                 "total_liabilities", "total_equity"),
    DocumentKind.INCOME_STATEMENT: ("revenue", "operating_profit", "net_profit"),
}
COMPANY = re.compile(
    r"^(编.单位|.制单位|单位名称|企业名称|公司名称|company(?:name)?|preparedby|entity)[:：;；]?",
    re.IGNORECASE,
)
WEAK = 60.0  # a company read less surely than this is read again
GUESSED = 0.4  # confidence of a figure whose column no header says is the current period's
NO_HEADER = ("no column header above it reads as the current period's (期末余额, 本期金额, "
             "本年累计金额 ...): the first figure was taken; check that it is the current one")


Head = tuple[Word, str | None]  # a header row's segment and the period it names, if any


def _heads(rows: list[Row]) -> tuple[int, list[Head]]:
    """The header row's index and its segments, each with 'current', 'other' or None: the row
    that names the most periods (期末余额, 年初余额 ...)."""
    best: tuple[int, list[Head]] = (-1, [])
    known = 0
    for r, row in enumerate(rows):
        heads = [(w, head_kind(w.text)) for w in row.words]
        if sum(k is not None for _, k in heads) > known:
            best, known = (r, heads), sum(k is not None for _, k in heads)
    return best


def _over(above: Word, word: Word) -> bool:
    """Whether `above` stands over `word`'s column: no further from it than its own width."""
    return max(above.left - word.right, word.left - above.right) <= word.width


def _column(word: Word, heads: list[Head]) -> str | None:
    """The period of the header nearest above a figure, among those no further from it than
    its own width; None when no header is that near or the nearest names no period."""
    near = [(w, k) for w, k in heads if _over(w, word)]
    return min(near, key=lambda h: abs(h[0].cx - word.cx))[1] if near else None


def _labelled_figures(rows: list[Row]) -> list[Word]:
    return [w for row in rows for label, figures in _runs(row) if label for w in figures]


def _misplaced_pages(rows: list[Row], head_row: int, heads: list[Head]) -> dict[int, str]:
    """The pages after the header's whose columns do not stand under its columns (scanned
    shifted, or at another scale), each with what to say of a figure read there: a figure in a
    column that no period's header and no two figures of the header's page stand over. Which
    period such a page's figures are cannot be told from where they stand."""
    columns = [w for w, k in heads if k is not None]
    if not columns:
        return {}  # no period's header: every figure's column is a guess already
    header_page = rows[head_row].page
    below = rows[head_row + 1:]
    placed = _labelled_figures([r for r in below if r.page == header_page])
    misplaced: dict[int, str] = {}
    for row in below:
        if row.page == header_page or row.page in misplaced:
            continue
        for word in _labelled_figures([row]):
            if not any(_over(c, word) for c in columns) and sum(
                    _over(f, word) for f in placed) < 2:
                misplaced[row.page] = (
                    f"read on page {row.page}, whose columns do not stand under the column "
                    f"headers on page {header_page} (期末余额, 年初余额 ...): which period it is "
                    "cannot be told; check it against the paper")
                break
    return misplaced


def _current_figure(figures: list[Word], heads: list[Head]) -> tuple[Word | None, bool]:
    """The current-period figure among a label's figures on one row, and whether a header
    says so: the figure under a current header; none when every figure stands under another
    period's header; else the first figure under no readable header, sure only when it is the
    one column the other headers leave."""
    kinds = [_column(w, heads) for w in figures]
    if "current" in kinds:
        return figures[kinds.index("current")], True
    unknown = [w for w, k in zip(figures, kinds, strict=True) if k is None]
    if not unknown:
        return None, True
    return unknown[0], len(unknown) == 1 and "other" in kinds


def _header_fields(model: FinancialStatement, rows: list[Row], upto: int,
                   gray: np.ndarray | None) -> Decimal | None:
    unit = None
    for row in rows[: max(upto, 1) + 1]:
        texts = [squash(w.text) for w in sorted(row.words, key=lambda w: w.left)]
        joined = "".join(texts)
        if unit is None:
            unit = parse_unit(joined)
        found = _company(row.words, gray) if model.company is None else None
        if found:
            name, conf = found
            model.company, problem = repair_company_name(name)
            model.confidence["company"] = round(conf * 0.85, 2) if problem else conf
            if problem:
                model.problems["company"] = problem
        if model.period_end is None and re.search(r"\d{4}", joined):
            day, _ = parse_period_end(joined)
            if day:
                model.period_end = day
                model.confidence["period_end"] = round(min(w.conf for w in row.words) / 100, 2)
    return unit


def _unit_below(rows: list[Row]) -> Decimal | None:
    """The unit a line below the header row prints: under the table (金额单位：万元) or in
    its notes (注：本表金额单位为人民币千元); rows that print a figure are the table's."""
    for row in rows:
        if not any(is_numeric(w.text) for w in row.words):
            unit = parse_unit("".join(squash(w.text) for w in row.words))
            if unit is not None:
                return unit
    return None


def _after_key(text: str) -> str:
    t = squash(text)
    m = COMPANY.match(t)
    return strip_lead(t[m.end():] if m else t)


def _company(words: list[Word], gray: np.ndarray | None) -> tuple[str, float] | None:
    """The company named after 编制单位：(in its segment or the next), and how sure; a weak
    reading is read again from the grey image enlarged, the most confident reading kept."""
    words = sorted(words, key=lambda w: w.left)
    for i, w in enumerate(words):
        if not COMPANY.match(squash(w.text)):
            continue
        named = w if _after_key(w.text) else words[i + 1] if i + 1 < len(words) else None
        if named is None:
            return None
        name, conf = _after_key(named.text), named.conf
        box = Box(named.left, named.top, named.width, named.height)
        for scale in (1.25, 1.5):
            if conf >= WEAK or gray is None:
                break
            again = read_box(gray, box, "chi_sim", "", scale)
            if again.conf > conf and _after_key(again.text):
                name, conf = _after_key(again.text), again.conf
        return cjk_parens(name), round(conf / 100, 2)
    return None


def _label(words: list[Word]) -> str | None:
    """The field of a label read as one or more segments (Total | current assets)."""
    joined = label_field("".join(w.text for w in words))
    return joined or next((f for w in words if (f := label_field(w.text))), None)


def _runs(row: Row) -> list[tuple[list[Word], list[Word]]]:
    """(label segments, the figures right of them) for each label on the row, left to right;
    figures before the first label (its label lost) make a run with no label. Label segments
    with no figure between them are one label split at a wide gap."""
    runs: list[tuple[list[Word], list[Word]]] = []
    for w in sorted(row.words, key=lambda w: w.left):
        if is_numeric(w.text) and re.fullmatch(r"\d{1,3}", w.text.strip()):
            continue  # a line number (行次), not an amount
        if not is_numeric(w.text) and not mostly_digits(w.text):  # 104,38J.83 is a figure
            if runs and not runs[-1][1]:
                runs[-1][0].append(w)
            else:
                runs.append(([w], []))
        elif runs:
            runs[-1][1].append(w)
        else:
            runs.append(([], [w]))
    return runs


def _side(label: list[Word], figures: list[Word], heads: list[Head]) -> int:
    """Which side of a two-sided statement a run stands on, counted in current-period columns:
    a label lies left of its side's column, a figure nearest to it."""
    columns = sorted(w.cx for w, k in heads if k == "current")
    if label:
        return sum(x < label[0].left for x in columns)
    if figures and columns:
        return min(range(len(columns)), key=lambda i: abs(columns[i] - figures[0].cx))
    return 0


def _sign(label: list[Word]) -> int:
    """-1 for a row to subtract (减：), 0 for a part of the row above (其中：), else 1."""
    raw = squash("".join(w.text for w in label)).lower()
    if raw.startswith(("其中", "including", "ofwhich")):
        return 0
    return -1 if raw.startswith(("减", "less")) else 1


def _figure(word: Word | None, cents: bool, unit: Decimal, page: Page,
            doubt: str | None = None) -> Figure | None:
    """The figure a word shows; one with a glyph misread as a letter or a rule's remnant
    (104,38J.83, 2,235.75 |) is read again, digits only, and counts as not well formed."""
    if word is None:
        return None
    box = Box(word.left, word.top, word.width, word.height)
    value, ok = parse_amount(word.text, cents=cents) if is_numeric(word.text) else (None, False)
    if value is None:
        value, ok = next(iter(_digits_again(page, box, cents)), None), False
    if value is None:
        return None
    return Figure(value * unit, word.conf / 100, ok, box, doubt)


def _lines(rows: list[Row], heads: list[Head], cents: bool, unit: Decimal, page: Page,
           misplaced: dict[int, str]) -> list[Line]:
    """Every label (or figures whose label was lost) below the header, in reading order."""
    lines: list[Line] = []
    for row in rows:
        for label, figures in _runs(row):
            text = "".join(w.text for w in label)
            field = _label(label) if label else None
            word, sure = _current_figure(figures, heads)
            doubt = misplaced.get(row.page) or (None if sure else NO_HEADER)
            lines.append(Line(_side(label, figures, heads), field,
                              None if field or not label else label_heading(text),
                              _figure(word, cents, unit, page, doubt), _sign(label)))
    return lines


def _digits_again(page: Page, box: Box, cents: bool) -> list[Decimal]:
    """A figure's box read again, digits only: from the grey image enlarged and from the
    binary image as it is and enlarged."""
    if page.gray is None or page.binary is None:
        return []
    texts = [read_box(image, box, "eng", DIGITS, scale).text
             for image, scale in ((page.gray, 1.5), (page.binary, 1.0), (page.binary, 1.5))]
    return [v for t in texts if (v := parse_amount(t, cents=cents)[0]) is not None]


def _reread(page: Page, cents: bool, unit: Decimal) -> Reread:
    """Read a doubtful figure again (_digits_again), in yuan."""
    def again(figure: Figure) -> list[Decimal]:
        if figure.box is None:
            return []
        return [v * unit for v in _digits_again(page, figure.box, cents)]
    return again


def _set_fields(model: FinancialStatement, lines: list[Line]) -> dict[str, Figure]:
    """Each field's figure from the first row labelled with it; returns every labelled figure
    (sub-totals too)."""
    figures: dict[str, Figure] = {}
    for line in lines:
        if line.field and line.figure and line.field not in figures:
            figures[line.field] = line.figure
    labelled = {line.field for line in lines}
    for field in FIELDS[model.kind]:
        fig = figures.get(field)
        if fig is None:
            model.confidence[field] = 0.0
            model.problems[field] = (
                "its row was found but no current-period figure could be read: check it"
                if field in labelled else
                "row not found: check that the page is the full statement")
            continue
        setattr(model, field, fig.value)
        model.confidence[field] = round(fig.conf if fig.well_formed else min(fig.conf, 0.5), 2)
        if not fig.well_formed:
            model.problems[field] = "digit groups look misread: compare with the original"
        if fig.column_doubt:
            model.confidence[field] = min(model.confidence[field], GUESSED)
            model.problems[field] = fig.column_doubt
    return figures


def _check_period_end(model: FinancialStatement) -> None:
    if model.period_end is None:
        model.confidence["period_end"] = 0.0
        model.problems["period_end"] = "no period date found: check the statement's header"
    elif not is_month_end(model.period_end):
        model.confidence["period_end"] = min(model.confidence["period_end"], CONTRADICTED)
        model.problems["period_end"] = (
            f"{model.period_end} is not the last day of a month, as a statement's period end "
            "is: a digit is misread")


def _doubt_figures(model: FinancialStatement) -> None:
    """The figures of a statement read in an assumed unit are not sure, however clear their
    digits: each is noted so, its confidence UNIT_ASSUMED_SHARE of what it was."""
    for field in FIELDS[model.kind]:
        if getattr(model, field) is not None:
            model.confidence[field] *= UNIT_ASSUMED_SHARE
            said = model.problems.get(field)
            model.problems[field] = f"{said}; {UNIT_ASSUMED}" if said else UNIT_ASSUMED


def parse_statement(rows: list[Row], kind: DocumentKind, page: Page) -> FinancialStatement:
    model = FinancialStatement(kind=kind)
    head_row, heads = _heads(rows)
    upto = head_row if head_row >= 0 else 6
    unit = _header_fields(model, rows, upto, page.gray)
    if unit is None:
        unit = _unit_below(rows[max(upto, 1) + 1 :])
    if unit is None:
        unit = Decimal(1)
        model.problems["unit"] = ("no unit line (单位：元/千元/万元) found above or below the "
                                  "table: assumed yuan")
    model.unit = unit
    if model.company is None:
        model.confidence["company"] = 0.5
    _check_period_end(model)
    cents = sum("." in w.text[-3:] for row in rows for w in row.words if is_numeric(w.text)) >= 3
    lines = _lines(rows[head_row + 1 :], heads, cents, unit, page,
                   _misplaced_pages(rows, head_row, heads))
    figures = _set_fields(model, lines)
    sections, rows_read = (section_rules(lines) if kind is DocumentKind.BALANCE_SHEET
                           else ([], {}))
    check_totals(model, figures | rows_read, sections, _reread(page, cents, unit))
    if "unit" in model.problems:
        _doubt_figures(model)
    return model
