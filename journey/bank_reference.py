"""A bank payment's reference in one normal form, wherever it is compared or stored.

A bank's own references (流水号, an MT field 20) are case-insensitive identifiers printed in
capitals, and a clerk copies them from a statement into a form: `fin-pre-001`, `FIN-PRE-001 `
and `ＦＩＮ－ＰＲＥ－００１` (typed with a full-width input method) are one payment. So the
normal form folds full-width and other compatibility characters to their plain form (NFKC),
strips surrounding whitespace, collapses inner runs of whitespace to one space, and puts the
letters in capitals (upper, not casefold: it is what the statement prints). Inner whitespace
is collapsed rather than refused, as a system integration sends references the bank printed
and a refusal would turn its payments away; it is not removed, as `AB 12` and `AB12` may be
two payments, and one space more or less between them is not what tells them apart.

Pure, and deterministic for a Python version: the journey compares by it
(workflows/post_loan_handlers.py), and so do the claims across loans
(store/reference_claims.py) and `book`'s reconciliation (starter/money_received.py).
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def bank_reference(typed: str) -> str:
    """`typed`, a bank payment's reference, in its normal form: the key it is one payment
    under, and the spelling it is recorded under."""
    plain = unicodedata.normalize("NFKC", typed)
    return _WHITESPACE.sub(" ", plain.strip()).upper()


def same_reference(a: str | None, b: str | None) -> bool:
    """Whether `a` and `b` are one bank payment's reference (None is no reference)."""
    return a is not None and b is not None and bank_reference(a) == bank_reference(b)
