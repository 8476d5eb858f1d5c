"""Completeness: the product checklist and the cross-checks between documents.

Every failure says what the customer must send or fix. Unreadable documents do not count
towards the checklist. The date of the check comes in as `today`; nothing reads a clock.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from journey import credit_code
from journey.application import LoanApplication, Product
from journey.documents import (
    LOW_CONFIDENCE,
    SCAN_DPI,
    UNITS,
    DocumentKind,
    DocumentReading,
    FinancialStatement,
    ReadStatus,
)
from journey.repayment import add_months, is_month_end, money
from journey.unreadable import unreadable_notice

if TYPE_CHECKING:
    from journey.policy.models import Policy

LABELS = {
    DocumentKind.BUSINESS_LICENSE: "business licence (营业执照)",
    DocumentKind.BALANCE_SHEET: "balance sheet (资产负债表)",
    DocumentKind.INCOME_STATEMENT: "income statement (利润表)",
    DocumentKind.OTHER: "supporting document",
    DocumentKind.UNKNOWN: "document",
}


# the figures routing and the reviews read off each statement, without which it tells nothing
REQUIRED_FIGURES = {
    DocumentKind.BALANCE_SHEET: ("total_assets", "total_liabilities", "total_equity"),
    DocumentKind.INCOME_STATEMENT: ("revenue", "net_profit"),
}
FIGURE_LABELS = {
    "cash": "cash (货币资金)",
    "current_assets": "current assets (流动资产合计)",
    "current_liabilities": "current liabilities (流动负债合计)",
    "operating_profit": "operating profit (营业利润)",
    "total_assets": "total assets (资产总计)",
    "total_liabilities": "total liabilities (负债合计)",
    "total_equity": "total equity (所有者权益合计)",
    "revenue": "revenue (营业收入)",
    "net_profit": "net profit (净利润)",
}


# every figure a statement carries, by kind, as FinancialStatement names them
FIGURE_NAMES = {
    DocumentKind.BALANCE_SHEET: ("cash", "current_assets", "total_assets",
                                 "current_liabilities", "total_liabilities", "total_equity"),
    DocumentKind.INCOME_STATEMENT: ("revenue", "operating_profit", "net_profit"),
}


class CompletenessRules(BaseModel):
    statements_max_age_months: int = Field(default=18, ge=1)
    years_required: dict[Product, int] = Field(default_factory=dict)  # distinct years, default 1
    balance_tolerance: Decimal = Field(default=Decimal("1.00"), ge=0)  # yuan


class CheckFailure(BaseModel):
    code: str
    message: str
    document: str | None = None  # sha256 of the document concerned


# the failures that ask the customer for a document, which no check of the figures read
# can meet: a checklist document missing, one sent unreadable that the file needs
DOCUMENT_FAILURES = ("missing", "unreadable")


class Completeness(BaseModel):
    complete: bool
    missing: list[DocumentKind] = Field(default_factory=list)
    failures: list[CheckFailure] = Field(default_factory=list)
    # by sha256: what was sent unreadable and is not needed, the file being complete without
    # it (with `settle`), for operations and the risk officer; the customer is not asked for it
    not_needed: dict[str, str] = Field(default_factory=dict)

    def short_of_documents(self) -> bool:
        """Whether the file is short only of documents the customer is to send
        (DOCUMENT_FAILURES): what they are asked for does not hang on what operations would
        find checking the figures read, as a figure's failure (unbalanced, a unit, a period)
        may."""
        return not self.complete and all(f.code in DOCUMENT_FAILURES for f in self.failures)


def normalise_name(name: str) -> str:
    """Full-width to half-width (NFKC), no whitespace, case-folded: 某某（北京）== 某某(北京)."""
    text = unicodedata.normalize("NFKC", name)
    return "".join(c for c in text if not c.isspace()).casefold()


def same_name(a: str, b: str) -> bool:
    """Whether two company names are one, as `normalise_name` reads them."""
    return normalise_name(a) == normalise_name(b)


def _letters(text: str) -> str:
    """A name's letters, digits and CJK alone (NFKC, case-folded): the brackets, dots and
    spaces a typist adds or drops leave it the same name."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isalnum()).casefold()


def names_company(text: str, company: str, code: str = "") -> bool:
    """Whether `text` names `company`, however written: its name's letters (`_letters`)
    within the text's (so with a suffix or an account note such as (基本户) or (一般户), or
    brackets put in: 广州新元电子（有限公司） names 广州新元电子有限公司), or its unified social
    credit code `code`."""
    said = _letters(text)
    return any(key and key in said for key in (_letters(company), _letters(code)))


# a company's name as a letter or contract prints it: a run of CJK (and brackets) ending in
# its legal form; what precedes the name on the line may be caught too ("致…"), harmlessly
_COMPANY_IN_TEXT = re.compile(r"[\u4e00-\u9fff（）()]{2,40}?(?:股份有限公司|有限责任公司|有限公司)")


def company_not_the_borrower(text: str, borrower: str) -> str | None:
    """The first company a supporting document's `text` names when it does not name the
    borrower anywhere (a letter of another company sent in answer, say); None when it names
    the borrower, or no company."""
    if names_company(text, borrower):
        return None
    found = _COMPANY_IN_TEXT.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
    return found.group(0) if found else None


def other_company(statement: FinancialStatement | None, borrower: str | None, *,
                  near_names_held: bool = True) -> str | None:
    """The company a statement is of when it is not the borrower's (None: the borrower's, no
    company legible, one read unsure of a name close to the borrower's (`unsure_company`),
    or no borrower known): the one rule of the completeness check, the loan file
    (journey/loan_file.py) and the post-loan reviews. `near_names_held`: as `unsure_company`
    (workflows pass their marker's answer)."""
    if statement is None or borrower is None or not statement.company:
        return None
    if same_name(statement.company, borrower) or unsure_company(
            statement, borrower, near_names_held=near_names_held):
        return None
    return statement.company


def unsure_company(statement: FinancialStatement, borrower: str, *,
                   near_names_held: bool = True) -> bool:
    """Whether the company a statement names is a misread of the borrower's, not another
    company: within one character of the borrower's name (two on a name of 10 characters or
    more; none on a name shorter than 6), as `normalise_name` reads both, however confident
    the reading (鼎 read as 易 at 0.82 is a misread all the same). Like an unread company it
    passes, for people to check against the paper, and is never put to the customer as
    another company's. Without `near_names_held` (journeys before marker near-names-held),
    only a name read with less than LOW_CONFIDENCE is: a confident one was another's."""
    if not statement.company or (not near_names_held and
                                 statement.confidence.get("company", 1.0) >= LOW_CONFIDENCE):
        return False
    read, own = normalise_name(statement.company), normalise_name(borrower)
    allowed = 2 if len(own) >= 10 else 1 if len(own) >= 6 else 0
    return 0 < _edits(read, own) <= allowed


def _edits(a: str, b: str) -> int:
    """The characters to insert, delete or replace to make `a` into `b` (Levenshtein)."""
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, start=1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def borrowers_own(statement: FinancialStatement | None, borrower: str) -> bool:
    """Whether a statement shows it is the borrower's: its company legible and the borrower's.
    `other_company` gives an illegible or unsure company the benefit of the doubt (the file
    keeps the statement, the check reads its figures); a request for the borrower's
    statement, which asks for something the deciders have not seen, does not
    (journey/info_request.py)."""
    return (statement is not None and bool(statement.company)
            and same_name(statement.company, borrower))


def _unreadable(r: DocumentReading) -> CheckFailure:
    """In the customer's words: the reader's reason stays with operations (`status`)."""
    return CheckFailure(code="unreadable", message=unreadable_notice(r), document=r.ref.sha256)


def _check_license(app: LoanApplication, r: DocumentReading, today: date
                   ) -> list[CheckFailure]:
    lic = r.license
    sha = r.ref.sha256
    if lic is None:
        return [
            CheckFailure(
                code="licence_unread",
                document=sha,
                message="Please send a clearer copy of the business licence",
            )
        ]
    out: list[CheckFailure] = []
    if lic.valid_until is None and "term" in lic.problems:  # printed, but not legible
        out.append(
            CheckFailure(
                code="licence_term_unread",
                document=sha,
                message="The licence's term (营业期限) is illegible: send a clearer copy of "
                "the business licence",
            )
        )
    if lic.valid_until is not None and lic.valid_until < today:
        out.append(
            CheckFailure(
                code="licence_expired",
                document=sha,
                message=f"The business licence's term ended on {lic.valid_until}: send the "
                "current licence (a company whose term has ended may not borrow)",
            )
        )
    code = (lic.credit_code or "").strip().upper()
    if not lic.name:
        out.append(
            CheckFailure(
                code="licence_name_unread",
                document=sha,
                message=("The business licence could not be read" if not code else
                         "The company name on the business licence could not be read")
                + f": rescan it ({SCAN_DPI} dpi or more, all four corners visible)",
            )
        )
    elif not same_name(lic.name, app.applicant_name):  # in the customer's words: another
        out.append(  # company's name and code are not theirs to learn (status shows them)
            CheckFailure(
                code="name_mismatch",
                document=sha,
                message=f"The business licence sent is of another company, not "
                f"{app.applicant_name}: please send the applicant's own business licence",
            )
        )
    if not code:
        if lic.name:  # neither read: the licence could not be read, said above
            out.append(
                CheckFailure(
                    code="credit_code_unread",
                    document=sha,
                    message="The credit code on the licence is illegible: send a "
                    "clearer copy of the business licence",
                )
            )
    elif not credit_code.is_valid(code):
        out.append(
            CheckFailure(
                code="credit_code_invalid",
                document=sha,
                message=f"The credit code {code} on the licence fails its "
                "checksum: send a clearer copy of the business licence",
            )
        )
    elif code != app.credit_code and all(f.code != "name_mismatch" for f in out):
        # (another company's licence prints another code: said once, above)
        out.append(
            CheckFailure(
                code="credit_code_mismatch",
                document=sha,
                message="The credit code on the business licence differs from the "
                "application's: the bank checks the application's with you; or send the "
                "applicant's own business licence",
            )
        )
    return out


def _check_statement(
    rules: CompletenessRules, app: LoanApplication, r: DocumentReading
) -> list[CheckFailure]:
    st, sha, label = r.statement, r.ref.sha256, LABELS[r.kind]
    if st is None:
        return [
            CheckFailure(
                code="statement_unread",
                document=sha,
                message=f"Please send a clearer copy of the {label}",
            )
        ]
    out: list[CheckFailure] = []
    if (company := other_company(st, app.applicant_name)) is not None:
        out.append(
            CheckFailure(
                code="statement_company_mismatch",
                document=sha,
                message=f"The {label} is for {company}, not "
                f"{app.applicant_name}: send the applicant's own statements",
            )
        )
    if (largest := _unit_implausible(st, app)) is not None:
        out.append(
            CheckFailure(
                code="unit_unprinted",
                document=sha,
                message=f"The {label} prints no unit (单位：元/千元/万元) and, read as yuan, its "
                f"largest figure ({money(largest)}) is below 1% of the loan "
                f"({money(app.amount)}): unit not printed: check; send the {label} with its unit "
                "printed, or the bank's operations correct the unit from the paper",
            )
        )
    if st.period_end is None:
        out.append(
            CheckFailure(
                code="period_unread",
                document=sha,
                message=f"The period of the {label} is illegible: send a copy "
                "with the reporting date visible",
            )
        )
    unread = [name for name in REQUIRED_FIGURES.get(st.kind, ()) if getattr(st, name) is None]
    if unread:
        out.append(
            CheckFailure(
                code="figures_unread",
                document=sha,
                message=f"We could not read the {', '.join(FIGURE_LABELS[n] for n in unread)} "
                f"on the {label}: send a clearer copy of it",
            )
        )
    elif st.kind == DocumentKind.BALANCE_SHEET and not _balances(rules, st):
        out.append(
            CheckFailure(
                code="unbalanced",
                document=sha,
                message="Total assets do not equal liabilities plus equity on "
                "the balance sheet: send the complete, signed balance sheet",
            )
        )
    return out


# a statement read without a unit whose largest figure is below this share of the loan was
# printed in 千元 or 万元, not 元: no borrower's assets or revenue are that small next to it
UNIT_PLAUSIBLE_SHARE = Decimal("0.01")


def _unit_implausible(st: FinancialStatement, app: LoanApplication) -> Decimal | None:
    """The largest figure of a statement that printed no unit (read as yuan), when below
    UNIT_PLAUSIBLE_SHARE of the loan: held as uncertain, for the clerk to check the unit."""
    if "unit" not in st.problems:
        return None
    figures = [abs(v) for name in FIGURE_NAMES.get(st.kind, ())
               if (v := getattr(st, name)) is not None]
    largest = max(figures, default=None)
    return largest if largest is not None and largest < app.amount * UNIT_PLAUSIBLE_SHARE \
        else None


# A statement read in an assumed unit (none printed) whose scale is this many times apart
# from the same company's other statement of the period (revenue against total assets, either
# way) was printed in another unit: a year's revenue is seldom above a few times the assets,
# or the assets above a few dozen times the revenue; a unit left out (千元, 万元) makes it
# 1,000 or 10,000 times
SCALE_APART = Decimal(50)
# the figure of each statement the scales are compared on
SCALE_FIGURES = {DocumentKind.BALANCE_SHEET: "total_assets",
                 DocumentKind.INCOME_STATEMENT: "revenue"}


def _check_scales(app: LoanApplication, readable: list[DocumentReading]) -> list[CheckFailure]:
    """The borrower's statements read in an assumed unit whose figure is SCALE_APART times
    below the other statement's of the period, each with the unit it was likely printed in."""
    own = [(r, r.statement) for r in readable if r.statement is not None
           and r.kind in SCALE_FIGURES and other_company(r.statement, app.applicant_name) is None]
    out: list[CheckFailure] = []
    for r, st in own:
        mine = getattr(st, SCALE_FIGURES[st.kind])
        if "unit" not in st.problems or st.period_end is None or mine is None or mine <= 0:
            continue
        for o, other in own:
            theirs = getattr(other, SCALE_FIGURES[other.kind])
            if other.kind is st.kind or other.period_end != st.period_end or theirs is None \
                    or theirs <= SCALE_APART * mine:
                continue
            apart = theirs / mine
            likely = min((u for u in UNITS.values() if u > 1), key=lambda u: abs(
                (apart / u).log10()))
            label = LABELS[r.kind]
            out.append(CheckFailure(
                code="unit_scale",
                document=r.ref.sha256,
                message=f"The {label} prints no unit (单位：元/千元/万元) and, read as yuan, "
                f"its {FIGURE_LABELS[SCALE_FIGURES[st.kind]]} of {money(mine)} is "
                f"{apart:,.0f} times below the {FIGURE_LABELS[SCALE_FIGURES[other.kind]]} of "
                f"{money(theirs)} on the {LABELS[o.kind]} of the period: it is likely printed in "
                f"{_unit_name(likely)}; send the {label} with its unit printed, or the bank's "
                "operations correct the unit from the paper",
            ))
    return out


def _unit_name(unit: Decimal) -> str:
    return next(name for name, u in UNITS.items() if u == unit)


def _balances(rules: CompletenessRules, st: FinancialStatement) -> bool:
    if st.balances is not None:
        return st.balances
    a, liab, eq = st.total_assets, st.total_liabilities, st.total_equity
    if a is None or liab is None or eq is None:
        return False
    return abs(a - (liab + eq)) <= rules.balance_tolerance


def _check_periods(
    rules: CompletenessRules,
    app: LoanApplication,
    statements: list[FinancialStatement],
    today: date,
) -> list[CheckFailure]:
    periods = sorted({s.period_end for s in statements if s.period_end}, reverse=True)
    if not periods:
        return []
    out: list[CheckFailure] = [
        CheckFailure(
            code="statement_future",
            message=f"The {LABELS[s.kind]} ends on {s.period_end}, after today: check the "
            "date on it, or send the statement of a period that has ended",
        )
        for s in statements if s.period_end and s.period_end > today
    ]
    latest = {kind: max(ends) for kind in REQUIRED_FIGURES
              if (ends := [s.period_end for s in statements if s.kind == kind and s.period_end])}
    limit = rules.statements_max_age_months
    out += [
        CheckFailure(
            code="statements_stale",
            message=f"The latest {LABELS[kind]} ends on {end}, more than {limit} months "
            f"ago: send the {LABELS[kind]} of {recent_period(rules, today)}",
        )
        for kind, end in latest.items() if _stale(rules, end, today)
    ]
    if len(set(latest.values())) > 1:
        ends = " and ".join(f"the latest {LABELS[k]} on {e}" for k, e in latest.items())
        out.append(
            CheckFailure(
                code="periods_differ",
                message=f"The statements are of different periods ({ends}): send the "
                "balance sheet and the income statement of the same period",
            )
        )
    needed = rules.years_required.get(app.product, 1)
    years = {p.year for p in periods}
    if len(years) < needed:
        out.append(
            CheckFailure(
                code="years_missing",
                message=f"{app.product} needs statements for {needed} years; "
                f"we have {', '.join(map(str, sorted(years)))}: send the "
                "statements of the other years",
            )
        )
    return out


def check_completeness(
    policy: Policy,
    application: LoanApplication,
    readings: list[DocumentReading],
    today: date,
    *,
    settle: bool = False,
) -> Completeness:
    """The file checked against the product's checklist; with `settle`, a file whose only
    failures are unreadable documents is complete, and they are noted as not needed."""
    rules = policy.completeness
    failures: list[CheckFailure] = []
    if not credit_code.is_valid(application.credit_code):
        failures.append(
            CheckFailure(
                code="application_credit_code_invalid",
                message=f"The application's credit code "
                f"{application.credit_code} fails its checksum: correct it",
            )
        )
    readable = [r for r in readings if r.status == ReadStatus.READ]
    failures += [_unreadable(r) for r in readings if r.status != ReadStatus.READ]
    statements: list[FinancialStatement] = []
    for r in readable:
        if r.kind == DocumentKind.BUSINESS_LICENSE:
            failures += _check_license(application, r, today)
        elif r.kind in (DocumentKind.BALANCE_SHEET, DocumentKind.INCOME_STATEMENT):
            failures += _check_statement(rules, application, r)
            if r.statement is not None:
                statements.append(r.statement)
    failures += _check_periods(rules, application, statements, today)
    scales = _check_scales(application, readable)  # names the likely unit: said instead
    held = {f.document for f in scales}
    failures = [f for f in failures if not (f.code == "unit_unprinted" and f.document in held)]
    failures += scales
    present = {r.kind for r in readable}
    missing = [k for k in policy.checklist.get(application.product, []) if k not in present]
    period = max((s.period_end for s in statements if s.period_end is not None), default=None)
    recent = (recent_period(rules, today) if period is not None and _stale(rules, period, today)
              else None)  # the statements on file are stale: the missing one of a recent period
    failures += [CheckFailure(code="missing", message=missing_message(k, period, recent))
                 for k in missing]
    if settle and failures and all(f.code == "unreadable" for f in failures):
        return Completeness(complete=True, not_needed={
            r.ref.sha256: f"{r.ref.filename} sent unreadable, not needed: the file is complete "
            "without it" for r in readings if r.status != ReadStatus.READ})
    return Completeness(complete=not missing and not failures, missing=missing, failures=failures)


def missing_message(kind: DocumentKind, period: date | None = None,
                    recent: str | None = None) -> str:
    """What to ask the customer for when a checklist document is missing: a statement of
    `period`, the latest period of the statements on file (None: none on file), or, when
    those are stale, of `recent` (`recent_period`), as the stale ones are asked for."""
    statement = kind in (DocumentKind.BALANCE_SHEET, DocumentKind.INCOME_STATEMENT)
    of = ("" if not statement or period is None
          else f" of {recent}" if recent is not None
          else f" of the period ending {period}, the latest of the statements you sent")
    return f"Please send the {LABELS[kind]}{of}"


def _stale(rules: CompletenessRules, end: date, today: date) -> bool:
    return today > add_months(end, rules.statements_max_age_months)


def recent_period(rules: CompletenessRules, today: date) -> str:
    """The periods a statement sent on `today` may end in, in the customer's words: the
    first month's end not stale (periods end on a month's last day), or later, such as the
    last financial year's end."""
    first = add_months(today, -rules.statements_max_age_months)
    while _stale(rules, first, today) or not is_month_end(first):
        first += timedelta(days=1)
    year_end = date(today.year - 1, 12, 31)
    return (f"a recent period, ending {first} or later (the last financial year, ending "
            f"{year_end}, will do)")
