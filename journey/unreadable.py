"""What the customer is told about a document the bank could not read: in plain words, what is
wrong with which file and what to send. The reader's precise reason (`code: technical
message`, `DocumentReading.reason`) stays with operations, in `status` and the history.
"""

from __future__ import annotations

from journey.documents import SCAN_DPI, DocumentReading

RESEND = (f"please send a clear, complete scan or photo of it again ({SCAN_DPI} dpi or more, "
          "all four corners visible)")
SCAN_OR_PHOTO = (f"scan the page at {SCAN_DPI} dpi or more, or photograph the whole page so "
                 "that it fills the picture")
KINDS = "a business licence, a balance sheet or an income statement"

# by the reader's reason code (ocr.errors, activities/documents.py)
WHAT_IS_WRONG = {
    "missing": "it did not reach us: please send the file itself",
    "empty": "the file arrived empty: please send it again",
    "not_an_image": "it is not a picture of a page: please send a scan or a photo of the "
    "document (JPEG, PNG or TIFF), or a PDF",
    "multi_page": "it holds several pages, and we read one page per file: please send each "
    "page as a file of its own",
    "too_many_pages": "it holds more pages than a loan file's documents: please send the "
    "business licence and each statement as a file of its own",
    "encrypted": "it is locked with a password: please send it without the password (print "
    "it to a new PDF, or scan the paper)",
    "truncated": "the file arrived damaged or incomplete: please send the whole file again",
    "too_large": "it is far larger than a picture of a page can be: please "
    f"{SCAN_OR_PHOTO}",
    "too_small": "the picture is too small for its writing to be read: please "
    f"{SCAN_OR_PHOTO}",
    "blank": "the page is blank: please send the printed side of the document",
    "illegible": "its writing could not be read clearly: please "
    f"{SCAN_OR_PHOTO}, sharp and evenly lit",
    "not_a_document": "it does not look like a printed page: please send a flat scan or "
    "photo of the document alone",
    "uneven_light": "a shadow or uneven light across the photo hides its writing: please "
    "retake the photo in even light, without shadow, the document alone filling the picture",
    "timeout": "its writing took too long to read, as it came: please "
    f"{SCAN_OR_PHOTO}, sharp and evenly lit",
    "wrong_kind": f"it is not {KINDS}: please send the right document",
    "kind": f"it is not {KINDS}: please send the right document",
}


def unreadable_notice(reading: DocumentReading) -> str:
    """The customer's words for a document not read: its file, what is wrong, what to send."""
    said = WHAT_IS_WRONG.get(reading.reason_code() or "", RESEND)
    return f"We could not read {reading.ref.filename}: {said}"
