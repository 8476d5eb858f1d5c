"""The journey's containers run on a read-only root filesystem (docker-compose.yml's
x-journey-hardening): what a worker and a reader write at work goes to the data volume and to
/tmp, which compose mounts as a tmpfs, and nowhere else.

No Docker engine here: a private mount namespace (unshare) stands in for the container. In
it the whole root filesystem is read-only but for a data directory and a fresh /tmp, as
compose mounts them, and the start checks, a document stored and a scan read by each OCR
engine run there; the same with /tmp read-only shows what the tmpfs is for.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from deploy_files import ROOT, clean_env, require

SCAN = ROOT / "samples/documents/company1_business_license.jpg"
# What a worker and a reader do that writes: the start checks on the data directory and the
# document store, a document stored, and a licence read by the engine OCR_ENGINE names.
AT_WORK = """
import sys
from pathlib import Path
from journey.settings import Settings
from starter.start_checks import data_dir_ready, document_store_ready
from store import blobs
import ocr
settings = Settings()
data_dir_ready(settings)
document_store_ready(settings)
scan = Path(sys.argv[1]).read_bytes()
ref = blobs.put(blobs.DocumentStore.of(settings), scan, "licence.jpg")
assert blobs.get(blobs.DocumentStore.of(settings), ref.sha256) == scan
ocr.configure(threads=1, timeout_s=60, engine=settings.ocr_engine,
              tessdata=settings.tessdata_prefix)
print("read", ocr.extract_license(scan).credit_code, flush=True)
"""

# In the namespace (private mounts, as unshare makes them): a tmpfs at /srv (empty on this
# host) holds the mount points, the data directory and the code are bound there, /tmp is a
# fresh directory of it (or, for the control, left on the read-only root), and every mount
# but the data directory and /tmp is read-only.
CONTAINER = """
set -eu
mount -t tmpfs tmpfs /srv
mkdir /srv/data /srv/app /srv/tmp
mount --bind "$HOST_DATA" /srv/data
mount --bind "$HOST_APP" /srv/app
if [ "$WRITABLE_TMP" = yes ]; then mount --bind /srv/tmp /tmp; fi
mount -o remount,bind,ro /srv/app
mount -o remount,bind,ro /srv
mount -o remount,bind,ro /
cd /srv/app
exec "$PYTHON" -c "$AT_WORK" /srv/app/samples/documents/company1_business_license.jpg
"""


def _unshare() -> str:
    unshare = shutil.which("unshare")
    require(unshare is not None, "unshare not on PATH: apt-get install util-linux")
    assert unshare is not None
    probe = subprocess.run([unshare, "--user", "--map-root-user", "--mount", "true"],
                           capture_output=True, text=True, timeout=30)
    require(probe.returncode == 0, f"no user and mount namespaces here: {probe.stderr}")
    require(Path("/srv").is_dir(), "no /srv to hold the mount points")
    return unshare


def _python() -> str:
    """This interpreter as the namespace sees it: a virtualenv in the checkout from the
    code's mount point, one elsewhere where it is (unless /tmp, which the namespace hides)."""
    python = Path(sys.executable)
    if python.is_relative_to(ROOT):
        return str(Path("/srv/app") / python.relative_to(ROOT))
    require(not python.is_relative_to("/tmp"), f"{python} is under /tmp, which is hidden")
    return str(python)


def _at_work(tmp_path: Path, engine: str, *,
             writable_tmp: bool) -> subprocess.CompletedProcess[str]:
    """AT_WORK as a journey container runs it: compose's data directory and the document
    store in it, its Python's bytecode not written, a home it cannot write."""
    data = tmp_path / "data"
    (data / "documents").mkdir(parents=True, exist_ok=True)  # as the image makes /data
    env = clean_env() | {
        "HOST_DATA": str(data), "HOST_APP": str(ROOT), "PYTHON": _python(),
        "WRITABLE_TMP": "yes" if writable_tmp else "no", "AT_WORK": AT_WORK,
        "PYTHONPATH": "/srv/app", "PYTHONDONTWRITEBYTECODE": "1", "HOME": "/nonexistent",
        "LOAN_JOURNEY_DATA_DIR": "/srv/data", "LOAN_JOURNEY_DOCUMENT_STORE": "/srv/data/documents",
        "OCR_ENGINE": engine}
    return subprocess.run(
        [_unshare(), "--user", "--map-root-user", "--mount", "sh", "-c", CONTAINER],
        env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("engine", ["tesserocr", "pytesseract"])
def test_a_journey_process_works_with_only_its_volume_and_tmp_writable(
    engine: str, tmp_path: Path,
) -> None:
    done = _at_work(tmp_path, engine, writable_tmp=True)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("read "), done.stdout
    stored = [p for p in (tmp_path / "data/documents").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in stored] == [SCAN.read_bytes()]


def test_without_a_writable_tmp_pytesseract_cannot_hand_tesseract_the_scan(
    tmp_path: Path,
) -> None:
    """Why compose mounts /tmp: the namespace is read-only indeed, and pytesseract writes
    the image it hands tesseract there."""
    done = _at_work(tmp_path, "pytesseract", writable_tmp=False)
    assert done.returncode != 0
    assert "Read-only file system" in done.stderr or "No usable temporary" in done.stderr, (
        done.stderr[-3000:])
    assert "read " not in done.stdout
