"""Row labels of balance sheets and income statements (Chinese and English), by field.

Fields outside the model (sub-totals) are read too: they let totals be cross-checked.
"""

from __future__ import annotations

import re

from ocr._text import CJK, edit_distance, nearest

LABELS: dict[str, tuple[str, ...]] = {
    "cash": ("货币资金", "现金及现金等价物", "cashandcashequivalents", "cashandbankbalances",
             "cash"),
    "current_assets": ("流动资产合计", "totalcurrentassets"),
    "noncurrent_assets": ("非流动资产合计", "totalnoncurrentassets"),
    "total_assets": ("资产总计", "资产合计", "totalassets"),
    "current_liabilities": ("流动负债合计", "totalcurrentliabilities"),
    "noncurrent_liabilities": ("非流动负债合计", "totalnoncurrentliabilities"),
    "total_liabilities": ("负债合计", "负债总计", "totalliabilities"),
    "total_equity": ("所有者权益合计", "股东权益合计", "所有者权益或股东权益合计", "totalequity",
                     "totalshareholdersequity", "totalownersequity"),
    "total_liab_equity": ("负债和所有者权益总计", "负债和所有者权益或股东权益总计",
                          "负债和股东权益总计", "totalliabilitiesandequity",
                          "totalliabilitiesandshareholdersequity"),
    "revenue": ("营业收入", "营业总收入", "revenue", "operatingrevenue", "totalrevenue"),
    "operating_profit": ("营业利润", "operatingprofit"),
    "total_profit": ("利润总额", "totalprofit", "profitbeforetax"),
    "income_tax": ("所得税费用", "incometaxexpenses", "incometaxexpense", "incometax"),
    "net_profit": ("净利润", "netprofit", "netincome", "profitfortheyear"),
    "nonop_income": ("营业外收入", "nonoperatingincome"),
    "nonop_expense": ("营业外支出", "nonoperatingexpenses"),
}
# Other rows that must not be mistaken for the ones above.
OTHERS = ("流动资产", "非流动资产", "流动负债", "非流动负债", "所有者权益", "营业成本", "长期借款",
          "短期借款", "totalnoncurrentassets", "currentassets", "currentliabilities",
          "costofsales", "应收账款", "存货", "固定资产", "无形资产", "应付账款", "实收资本",
          "资本公积",
          "盈余公积", "未分配利润", "税金及附加", "销售费用", "管理费用", "研发费用", "财务费用",
          "accountsreceivable", "inventories", "fixedassets", "retainedearnings", "paidincapital")
# Headings that open a balance-sheet section, by the subtotal that closes it.
HEADINGS: dict[str, tuple[str, ...]] = {
    "current_assets": ("流动资产", "currentassets"),
    "noncurrent_assets": ("非流动资产", "noncurrentassets"),
    "current_liabilities": ("流动负债", "currentliabilities"),
    "noncurrent_liabilities": ("非流动负债", "noncurrentliabilities"),
    "total_equity": ("所有者权益", "股东权益", "equity", "shareholdersequity", "ownersequity"),
}
_VOCAB = {s: f for f, spellings in LABELS.items() for s in spellings}
_ALL = tuple(_VOCAB) + OTHERS
_HEADING = {s: f for f, spellings in HEADINGS.items() for s in spellings}
CJK_SLACK = 0.3  # a CJK glyph misread as two (合 as 人台) costs two edits: long labels allow it

# Column headers: the current period's, and the other columns' (an earlier period, or one
# month beside the year to date: an annual statement's figure is the year's).
CURRENT_HEADS = ("期末余额", "期末数", "期末金额", "本期金额", "本期数", "本年金额", "本年数",
                 "本年累计金额", "本年累计数", "本年累计", "本期发生额", "closingbalance",
                 "endofperiod", "currentperiod", "currentyear", "yeartodate")
OTHER_HEADS = ("年初余额", "期初余额", "期初数", "年初数", "上年年末余额", "上年年末数",
               "上年末余额", "上期金额", "上期数", "上年金额", "上年数", "上年同期", "上年同期金额",
               "上年同期数", "上期发生额", "本月金额", "本月数", "本月发生额", "openingbalance",
               "beginningofperiod", "priorperiod", "prioryear", "previousperiod", "previousyear",
               "currentmonth", "thismonth")
# Words that say which a header is when it is misread beyond matching as a whole (期末余頞).
CURRENT_CUES = ("期末", "本期", "本年", "closing", "current")
OTHER_CUES = ("年初", "期初", "上年", "上期", "本月", "opening", "prior", "previous", "month")


def clean_label(text: str) -> str:
    """Drop numbering (一、), operators (减：), parentheticals and punctuation; lower-case."""
    t = re.sub(r"\s+", "", text).lower()
    t = re.sub(r"[（(〈《<\[{][^）)〉》>\]}]*[）)〉》>\]}]?", "", t)
    t = re.sub(r"^[一二三四五六七八九十]+[、.,，]", "", t)
    t = re.sub(r"^(加|减|其中|less|add|including)[:：]?", "", t)
    return re.sub(r"[^\w]", "", t).replace("_", "")


def label_field(text: str) -> str | None:
    """The field a row label stands for, tolerating one or two misread characters."""
    t = clean_label(text)
    if not t:
        return None
    if t in _VOCAB:
        return _VOCAB[t]
    if len(t) < 3:
        return None
    best = nearest(t, _ALL, CJK_SLACK if CJK.match(t) else 0.2)
    if best and len(t) == 3 and best[:2] != t[:2]:
        return None  # 净利泪 is 净利润 misread; 毛利润 is another row
    if best:
        return _VOCAB.get(best)
    # a long label with a misread tail (营业利润（亏损以“-”号填列） read badly after 营业利润)
    heads = {v for v in _ALL if len(v) >= 4 and len(t) > len(v)
             and edit_distance(t[: len(v)], v) <= 1}
    return _VOCAB.get(heads.pop()) if len(heads) == 1 else None


def label_heading(text: str) -> str | None:
    """The subtotal whose section a heading row (流动资产：, Current assets:) opens, else None."""
    t = clean_label(text)
    if len(t) < 4 or label_field(text):
        return None
    best = t if t in _HEADING else nearest(t, tuple(_HEADING), 0.2)
    return _HEADING[best] if best else None


def head_kind(text: str) -> str | None:
    """'current' or 'other' for a column header, else None: the whole header matched, or else
    the cues it holds when they all point one way."""
    t = clean_label(text)
    if len(t) < 3:
        return None
    best = t if t in _HEADS else nearest(t, tuple(_HEADS), 0.25)
    if best:
        return _HEADS[best]
    current, other = (any(c in t for c in cues) for cues in (CURRENT_CUES, OTHER_CUES))
    return "current" if current and not other else "other" if other and not current else None


_HEADS = {h: "current" for h in CURRENT_HEADS} | {h: "other" for h in OTHER_HEADS}
