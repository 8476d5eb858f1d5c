"""Which document a page is, from the words on it (titles first, then typical keys)."""

from __future__ import annotations

import re

from journey.documents import DocumentKind
from ocr._text import squash

TITLES = (
    (DocumentKind.BUSINESS_LICENSE, ("营业执照",)),
    (DocumentKind.BALANCE_SHEET, ("资产负债表", "balancesheet", "statementoffinancialposition")),
    (DocumentKind.INCOME_STATEMENT, ("利润表", "损益表", "incomestatement",
                                     "profitandloss", "statementofprofitorloss")),
)
KEYS = (
    (DocumentKind.BUSINESS_LICENSE, ("统一社会信用代码", "法定代表人", "注册资本", "成立日期",
                                     "经营范围", "登记机关")),
    (DocumentKind.BALANCE_SHEET, ("资产总计", "负债合计", "流动资产", "货币资金", "totalassets",
                                  "totalliabilities", "currentassets")),
    (DocumentKind.INCOME_STATEMENT, ("营业收入", "营业利润", "净利润", "利润总额", "revenue",
                                     "operatingprofit", "netprofit")),
)


def classify_text(lines: list[str]) -> tuple[DocumentKind, float]:
    """(kind, confidence) from the page's lines, top to bottom."""
    flat = [re.sub(r"[^\w]", "", squash(line)).lower() for line in lines]
    for line in flat[:6]:  # a title near the top decides
        for kind, titles in TITLES:
            if any(t in line for t in titles):
                return kind, 0.95
    text = "".join(flat)
    scores = {kind: sum(k in text for k in keys) for kind, keys in KEYS}
    kind, best = max(scores.items(), key=lambda kv: kv[1])
    if best >= 2 and list(scores.values()).count(best) == 1:
        return kind, min(0.9, 0.5 + 0.1 * best)
    for kind, titles in TITLES:  # a title further down (a cover sheet, a stamp)
        if any(t in text for t in titles):
            return kind, 0.6
    return DocumentKind.UNKNOWN, 0.0
