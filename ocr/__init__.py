"""OCR of business licences and financial statements into typed, validated fields.

    from ocr import extract_license, extract_statement, classify
    licence = extract_license("licence.jpg")        # bytes, a path or a numpy image; a PDF
    licence.credit_code, licence.confidence["credit_code"], licence.problems

Every failure raises an `OcrError`; bad input raises `UnreadableDocument` (with `.reason`).
"""

from __future__ import annotations

from ocr._api import classify, configure, extract_license, extract_statement, read_document
from ocr._pages import split_pages
from ocr.errors import (
    BlankPage,
    EmptyDocument,
    EncryptedDocument,
    EngineError,
    EngineTimeout,
    IllegiblePage,
    ImageTooLarge,
    ImageTooSmall,
    MultiPageDocument,
    NotAnImage,
    OcrError,
    TooManyPages,
    TruncatedImage,
    UnreadableDocument,
    WrongDocumentKind,
)

__all__ = [
    "BlankPage",
    "EmptyDocument",
    "EncryptedDocument",
    "EngineError",
    "EngineTimeout",
    "IllegiblePage",
    "ImageTooLarge",
    "ImageTooSmall",
    "MultiPageDocument",
    "NotAnImage",
    "OcrError",
    "TooManyPages",
    "TruncatedImage",
    "UnreadableDocument",
    "WrongDocumentKind",
    "classify",
    "configure",
    "extract_license",
    "extract_statement",
    "read_document",
    "split_pages",
]
