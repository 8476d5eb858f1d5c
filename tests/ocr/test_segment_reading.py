"""A figure's confidence is measured, not tesseract's 0 for a word read under a character
whitelist (tesseract-ocr/tesseract#3856): the sample balance sheet whose figures, read right,
came back at 0.00 and went to a clerk to check against the paper."""

from __future__ import annotations

import pytest

import ocr
from ocr import _read
from ocr._tesseract import Word
from tests.ocr.conftest import sample_path


def test_the_sample_figures_read_at_0_keep_the_free_readings_measure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """company1's balance sheet, read by the real engine: digits-only readings at 0 (45,580.82)
    or a few percent (24,891.05 at 0.02) whose free readings of the same digits say 0.9."""
    seen: list[tuple[Word, Word, Word]] = []
    measured = _read._measured

    def spy(digits: Word, first: Word) -> Word:
        kept = measured(digits, first)
        seen.append((digits, first, kept))
        return kept

    monkeypatch.setattr(_read, "_measured", spy)
    ocr.read_document(sample_path("company1_balance_sheet.jpg"))
    zeroed = [k.conf for d, f, k in seen if d.conf == 0 and f.conf >= 80]
    assert zeroed and min(zeroed) >= 80, seen
    misstated = [(d.conf, k.conf) for d, f, k in seen if d.conf < 30 and f.conf >= 90]
    assert misstated and all(kept >= 90 for _, kept in misstated), seen


def word(text: str, conf: float) -> Word:
    return Word(text, 0, 0, 10, 10, conf)


def test_digits_that_differ_keep_the_zero() -> None:
    """The free reading measured other digits (or none): the 0 stands, and a clerk checks."""
    assert _read._measured(word("737,035.97", 0.0), word("787.035.97", 90.0)).conf == 0.0
    assert _read._measured(word("1,000", 0.0), word("", 90.0)).conf == 0.0
    assert _read._measured(word("737,035.97", 0.0), word("737.035.97", 90.0)).conf == 90.0
    assert _read._measured(word("737,035.97", 95.0), word("737.035.97", 90.0)).conf == 95.0
