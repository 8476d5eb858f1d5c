"""The document store encrypted at rest (LOAN_JOURNEY_DOCUMENT_KEYS): files on disk that are
not the customer's bytes, read back as they were sent under the same digest; a plain file from
before the keys still read; a file without its key, or changed, told for what it is, by the
reader's activity as the store's trouble (retried), never the customer's; a worker without the
keys the store needs refused at its start; and `scans encrypt` turning a plain store into an
encrypted one, and a store under an old key into one under the new, once. The archived
histories, blobs of the same store, likewise."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment
from typer.testing import CliRunner

from activities.documents import DocumentActivities
from journey.contracts import ReadDocumentInput
from journey.documents import ReadStatus
from journey.settings import Settings
from starter.cli import app
from starter.errors import KeysNeeded
from starter.start_checks import document_store_ready
from store import archive, blob_cipher, blobs
from store.blobs import DocumentStore
from store.documents import readings_for
from tests.ocr.conftest import SAMPLES
from tests.store.test_archive import HISTORY, closed_run

OLD = base64.b64encode(b"o" * 32).decode()
NEW = base64.b64encode(b"n" * 32).decode()
MARKER = b"LEGAL REPRESENTATIVE Li Na 110101199003071234"
PAGE = b"%PDF-1.7 balance sheet of " + MARKER


def keyed(root: Path, keys: str) -> DocumentStore:
    return DocumentStore.of(Settings(document_store=root, document_keys=keys))


def test_a_blob_is_written_encrypted_under_its_plain_digest_and_read_back(tmp_path: Path
                                                                           ) -> None:
    store = keyed(tmp_path, f"k1:{NEW}")
    ref = blobs.put(store, PAGE, "balance.pdf")
    on_disk = blobs.path(tmp_path, ref.sha256).read_bytes()
    assert ref.sha256 == hashlib.sha256(PAGE).hexdigest() and ref.size == len(PAGE)
    assert on_disk != PAGE and MARKER not in on_disk and b"Li Na" not in on_disk
    assert on_disk.startswith(blob_cipher.MAGIC) and blob_cipher.key_id(on_disk) == "k1"
    assert blobs.get(store, ref.sha256) == PAGE
    assert blobs.put(store, PAGE, "again.pdf") == ref.model_copy(update={"filename": "again.pdf"})
    assert blobs.path(tmp_path, ref.sha256).read_bytes() == on_disk  # not written twice
    assert blob_cipher.noted(tmp_path) == ["k1"]


def test_a_plain_file_from_before_the_keys_still_reads(tmp_path: Path) -> None:
    ref = blobs.put(DocumentStore(tmp_path), PAGE, "balance.pdf")
    assert blobs.path(tmp_path, ref.sha256).read_bytes() == PAGE
    assert blobs.get(keyed(tmp_path, f"k1:{NEW}"), ref.sha256) == PAGE


def test_an_encrypted_file_without_its_key_names_the_setting(tmp_path: Path) -> None:
    ref = blobs.put(keyed(tmp_path, f"old:{OLD}"), PAGE, "balance.pdf")
    with pytest.raises(blob_cipher.DocumentKeysMissing,
                       match="encrypted and LOAN_JOURNEY_DOCUMENT_KEYS is not set here"):
        blobs.get(DocumentStore(tmp_path), ref.sha256)
    with pytest.raises(blob_cipher.DocumentKeysMissing,
                       match="key id 'old', which LOAN_JOURNEY_DOCUMENT_KEYS does not hold "
                             r"\(it holds k1\): add 'old:<base64key>'"):
        blobs.get(keyed(tmp_path, f"k1:{NEW}"), ref.sha256)
    assert blobs.get(keyed(tmp_path, f"k1:{NEW},old:{OLD}"), ref.sha256) == PAGE  # rotated


def test_a_changed_or_moved_file_is_told_tampered(tmp_path: Path) -> None:
    store = keyed(tmp_path, f"k1:{NEW}")
    ref, other = blobs.put(store, PAGE, "a.pdf"), blobs.put(store, b"another page", "b.pdf")
    where = blobs.path(tmp_path, ref.sha256)
    flipped = bytearray(where.read_bytes())
    flipped[-1] ^= 1
    where.write_bytes(bytes(flipped))
    with pytest.raises(blob_cipher.BlobTampered, match="is tampered with: it fails its auth"):
        blobs.get(store, ref.sha256)
    where.write_bytes(blobs.path(tmp_path, other.sha256).read_bytes())  # another's, moved
    with pytest.raises(blob_cipher.BlobTampered, match="restore it from a backup"):
        blobs.get(store, ref.sha256)
    with pytest.raises(blob_cipher.BlobTampered, match="header"):  # cut short
        where.write_bytes(blob_cipher.MAGIC + b"\x01\x09k1")
        blobs.get(store, ref.sha256)
    with pytest.raises(blob_cipher.BlobTampered, match="is not the one it was encrypted with"):
        blobs.get(keyed(tmp_path, f"k1:{OLD}"), other.sha256)


@pytest.mark.parametrize(("keys", "said"), [
    ("k1:" + base64.b64encode(b"s" * 16).decode(), "is 16 bytes; AES-GCM needs 32"),
    ("k1", "is not 'key-id:base64key'"),
    (f"k1:{NEW},k1:{OLD}", "listed twice"),
])
def test_document_keys_of_another_shape_are_a_bad_setting(keys: str, said: str) -> None:
    with pytest.raises(ValidationError, match=said) as raised:
        Settings(document_keys=keys)
    assert NEW not in str(raised.value) and OLD not in str(raised.value)


def test_the_reader_retries_a_file_it_has_no_key_for_and_reads_it_with_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's trouble, not the customer's: no reading kept, nothing asked of them, until
    the keys are set (real OCR then)."""
    licence = (SAMPLES / "company1_business_license.jpg").read_bytes()
    ref = blobs.put(keyed(tmp_path / "documents", f"k1:{NEW}"), licence, "licence.jpg")
    keyless = Settings(data_dir=tmp_path)
    request = ReadDocumentInput(workflow_id="loan-X", ref=ref)
    with pytest.raises(ApplicationError, match="LOAN_JOURNEY_DOCUMENT_KEYS is not set") as no_key:
        ActivityEnvironment().run(DocumentActivities(keyless).read_document, request)
    blobs.path(keyless.documents_dir, ref.sha256).write_bytes(b"LJDOC\x00\x01\x02k1" + b"0" * 40)
    with pytest.raises(ApplicationError, match="tampered") as tampered:
        ActivityEnvironment().run(DocumentActivities(Settings(
            data_dir=tmp_path, document_keys=f"k1:{NEW}")).read_document, request)
    assert (no_key.value.type, tampered.value.type) == ("DocumentKeysMissing", "DocumentTampered")
    assert not no_key.value.non_retryable and not tampered.value.non_retryable
    assert readings_for(keyless.db_url, "loan-X") == []

    blobs.path(keyless.documents_dir, ref.sha256).unlink()
    ref = blobs.put(keyed(tmp_path / "documents", f"k1:{NEW}"), licence, "licence.jpg")
    reading = ActivityEnvironment().run(DocumentActivities(Settings(
        data_dir=tmp_path, document_keys=f"k1:{NEW}")).read_document, request)
    assert reading.status is ReadStatus.READ and reading.license is not None


def test_a_worker_without_the_keys_the_store_needs_is_refused_at_start(tmp_path: Path) -> None:
    blobs.put(keyed(tmp_path / "documents", f"old:{OLD}"), PAGE, "balance.pdf")
    with pytest.raises(KeysNeeded, match="LOAN_JOURNEY_DOCUMENT_KEYS is not set here"):
        document_store_ready(Settings(data_dir=tmp_path))
    with pytest.raises(KeysNeeded, match="key id 'old'"):
        document_store_ready(Settings(data_dir=tmp_path, document_keys=f"new:{NEW}"))
    document_store_ready(Settings(data_dir=tmp_path, document_keys=f"new:{NEW},old:{OLD}"))
    document_store_ready(Settings(data_dir=tmp_path / "plain"))  # a plain store: as before


def encrypt(monkeypatch: pytest.MonkeyPatch, data_dir: Path, keys: str) -> tuple[int, str]:
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(data_dir))
    monkeypatch.setenv("LOAN_JOURNEY_DOCUMENT_KEYS", keys)
    done = CliRunner().invoke(app, ["scans", "encrypt"])
    return done.exit_code, " ".join(done.output.split())


def test_scans_encrypt_turns_a_plain_store_encrypted_once_and_rotates_its_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "documents"
    pages = [PAGE, b"income statement", (SAMPLES / "company1_business_license.jpg").read_bytes()]
    refs = [blobs.put(DocumentStore(root), page, f"p{n}") for n, page in enumerate(pages)]
    assert encrypt(monkeypatch, tmp_path, f"k1:{OLD}") == (
        0, "3 plain file(s) encrypted with key 'k1', 0 encrypted again from an older key, 0 "
        "already under it; 0 left as they were")
    on_disk = {r.sha256: blobs.path(root, r.sha256).read_bytes() for r in refs}
    assert all(MARKER not in data and data.startswith(blob_cipher.MAGIC)
               for data in on_disk.values())
    assert [blobs.get(keyed(root, f"k1:{OLD}"), r.sha256) for r in refs] == pages
    assert encrypt(monkeypatch, tmp_path, f"k1:{OLD}")[1].startswith(
        "0 plain file(s) encrypted with key 'k1', 0 encrypted again from an older key, 3 "
        "already under it")
    assert {r.sha256: blobs.path(root, r.sha256).read_bytes() for r in refs} == on_disk

    assert encrypt(monkeypatch, tmp_path, f"k2:{NEW}")[0] == KeysNeeded.exit_code  # k1 too
    assert encrypt(monkeypatch, tmp_path, f"k2:{NEW},k1:{OLD}")[1].startswith(
        "0 plain file(s) encrypted with key 'k2', 3 encrypted again from an older key")
    assert blob_cipher.noted(root) == ["k2"]
    assert [blobs.get(keyed(root, f"k2:{NEW}"), r.sha256) for r in refs] == pages

    blobs.path(root, refs[0].sha256).write_bytes(PAGE[:-1])  # plain, and not its digest
    code, said = encrypt(monkeypatch, tmp_path, f"k3:{OLD},k2:{NEW}")
    assert code == 1 and "2 encrypted again from an older key, 0 already under it; 1 left" in said
    assert f"left: {blobs.path(root, refs[0].sha256)} does not hold the bytes its name" in said
    assert blobs.path(root, refs[0].sha256).read_bytes() == PAGE[:-1]


def test_scans_encrypt_without_keys_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, said = encrypt(monkeypatch, tmp_path, "")
    assert code == KeysNeeded.exit_code
    assert "set LOAN_JOURNEY_DOCUMENT_KEYS (kid:base64key, 32 bytes)" in said


def test_a_command_reading_an_encrypted_scan_without_the_keys_exits_8_saying_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = blobs.put(keyed(tmp_path / "documents", f"k1:{NEW}"), PAGE, "balance.pdf")
    monkeypatch.setenv("LOAN_JOURNEY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LOAN_JOURNEY_TEMPORAL_ADDRESS", "127.0.0.1:9")  # none: the store alone
    got = CliRunner().invoke(app, ["scans", "get", ref.sha256, "--out", str(tmp_path / "x")])
    assert got.exit_code == KeysNeeded.exit_code, got.output
    assert ("are encrypted and LOAN_JOURNEY_DOCUMENT_KEYS is not set here: set it (or "
            "LOAN_JOURNEY_DOCUMENT_KEYS_FILE) as the workers have it") in " ".join(
                got.output.split())
    assert not (tmp_path / "x").exists()


def test_an_archived_history_is_kept_encrypted_and_read_back(db_url: str, tmp_path: Path
                                                             ) -> None:
    store = keyed(tmp_path, f"k1:{NEW}")
    assert archive.keep(db_url, store, closed_run("r1"), HISTORY, datetime.now(UTC))
    (run,) = archive.runs_of(db_url, "loan-APP-1")
    on_disk = blobs.path(tmp_path, run.sha256).read_bytes()
    assert on_disk.startswith(blob_cipher.MAGIC) and b"loan-APP-1" not in on_disk
    assert archive.history_json(store, run) == HISTORY
    with pytest.raises(blob_cipher.DocumentKeysMissing, match="LOAN_JOURNEY_DOCUMENT_KEYS"):
        archive.history_json(DocumentStore(tmp_path), run)
    blobs.path(tmp_path, run.sha256).write_bytes(on_disk[:-1])
    with pytest.raises(archive.ArchiveDamaged, match="r1: .* is tampered with"):
        archive.history_json(store, run)
    assert archive.history_as_stored(store, run) is None
