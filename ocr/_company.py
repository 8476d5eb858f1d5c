"""A company name's legal form (有限公司, 有限责任公司, 股份有限公司 ...) put right when the
characters after its 有限 were misread: nothing but the legal form can follow 有限 at the end of
a registered name."""

from __future__ import annotations

from ocr._text import edit_distance

VALID_ENDS = ("公司", "厂", "企业", "中心", "合作社", "事务所", "店", "合伙）", "合伙")
AFTER_LIMITED = ("公司", "责任公司")  # 有限公司, 有限责任公司 (股份有限公司 keeps its 股份)
TRAILING = " :：;；,，.。、|丨!！'\"_-—="


def repair_company_name(text: str) -> tuple[str, str | None]:
    """The name with trailing punctuation removed and, when 1-3 misread characters follow its
    last 有限 (4 when one edit from 责任公司), the legal form put back; the second value says
    what was repaired, None when only punctuation went. A name that cannot be repaired (no 有限,
    a longer tail, two forms as near) comes back as read, for the caller's own checks.

    Used for the licence's name (ocr/_license.py) and the statement's company
    (ocr/_statement.py): `repaired` goes to `problems[field]` and the confidence takes the
    repair's cost.
    """
    name = text.rstrip(TRAILING)
    limited = name.rfind("有限")
    if limited < 0 or name.endswith(VALID_ENDS):
        return name, None
    tail = name[limited + 2:]
    if not 1 <= len(tail) <= 4:
        return name, None
    (d, end), (d2, _) = sorted((edit_distance(tail, e), e) for e in AFTER_LIMITED)
    if d == d2 or (len(tail) == 4 and d > 1):
        return name, None
    repaired = name[:limited + 2] + end
    return repaired, f"read {text!r}, its legal form repaired to {repaired!r}"
