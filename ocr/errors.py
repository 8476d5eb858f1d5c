"""The one error hierarchy of the OCR package.

Every failure to read a document is an `OcrError`. Bad input (empty, not an image or a PDF,
several pages in one image file, too many pages, truncated or damaged, locked with a password,
too large, blank, illegible, the wrong kind of document) is an `UnreadableDocument` with a
short machine `reason` and a message that says what to do; engine trouble is an `EngineError`.
"""

from __future__ import annotations


class OcrError(Exception):
    """Base of everything the OCR package raises on purpose."""


class UnreadableDocument(OcrError):
    """The input cannot be read as the document asked for. `reason` is a stable short code."""

    reason: str = "unreadable"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class EmptyDocument(UnreadableDocument):
    reason = "empty"


class NotAnImage(UnreadableDocument):
    reason = "not_an_image"


class MultiPageDocument(UnreadableDocument):
    reason = "multi_page"


class TooManyPages(UnreadableDocument):
    """More pages than a loan file's documents have (ocr._pages.MAX_PAGES)."""

    reason = "too_many_pages"


class EncryptedDocument(UnreadableDocument):
    """A PDF locked with a password: its pages cannot be opened without it."""

    reason = "encrypted"


class TruncatedImage(UnreadableDocument):
    reason = "truncated"


class ImageTooLarge(UnreadableDocument):
    reason = "too_large"


class ImageTooSmall(UnreadableDocument):
    reason = "too_small"


class BlankPage(UnreadableDocument):
    reason = "blank"


class WrongDocumentKind(UnreadableDocument):
    reason = "wrong_kind"


class NotADocument(UnreadableDocument):
    """A picture of far more marks than a printed page holds: no document, photographed."""

    reason = "not_a_document"


class UnevenLight(NotADocument):
    """Far more marks than a printed page holds, on a photo lit unevenly: a shadow's edge or a
    dark background beside the page, which evening the light could not take out."""

    reason = "uneven_light"


class IllegiblePage(UnreadableDocument):
    """A page of no kind the service extracts whose text does not read clearly enough to keep."""

    reason = "illegible"


class EngineError(OcrError):
    """Tesseract is missing, misconfigured, crashed or timed out. `reason` is a stable short
    code, as an `UnreadableDocument`'s."""

    reason: str = "engine_error"


class EngineTimeout(EngineError):
    """Tesseract took longer than its time limit on one page."""

    reason = "timeout"


def reasons() -> frozenset[str]:
    """Every reason code an error of the package gives (the metrics' label values)."""
    def under(cls: type[OcrError]) -> set[str]:
        own = {cls.reason} if isinstance(getattr(cls, "reason", None), str) else set()
        return own.union(*(under(sub) for sub in cls.__subclasses__()))
    return frozenset(under(OcrError))
