from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from store import blobs


def test_put_is_content_addressed_atomic_and_idempotent(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    data = b"%PDF-1.7 balance sheet"
    sha = hashlib.sha256(data).hexdigest()

    ref = blobs.put(blobs.DocumentStore(root), data, "uploads/balance-sheet.pdf")
    again = blobs.put(blobs.DocumentStore(root), data, "balance-sheet.pdf")

    assert ref.sha256 == sha and ref.size == len(data) and ref.filename == "balance-sheet.pdf"
    assert again == ref
    assert blobs.path(root, sha) == root / sha[:2] / sha[2:]
    assert blobs.get(blobs.DocumentStore(root), sha) == data
    assert [p.name for p in root.rglob("*") if p.is_file()] == [sha[2:]]  # no temp files left


def test_missing_blob_raises_a_clear_error(tmp_path: Path) -> None:
    sha = hashlib.sha256(b"never stored").hexdigest()
    with pytest.raises(blobs.BlobNotFoundError, match=sha):
        blobs.get(blobs.DocumentStore(tmp_path), sha)
    assert not blobs.exists(tmp_path, sha)


def test_path_refuses_anything_but_a_sha256(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sha256"):
        blobs.path(tmp_path, "../../etc/passwd")
