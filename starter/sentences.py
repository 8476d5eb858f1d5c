"""Messages joined sentence by sentence."""

from __future__ import annotations


def sentence(text: str) -> str:
    """`text` ending as a sentence does (a full stop, unless it ends with one, a question or
    an exclamation mark), so that another may follow it."""
    return text if text.endswith((".", "?", "!")) else f"{text}."
